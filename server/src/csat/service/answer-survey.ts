import { systemContext } from '../../auth/actor.js'
import { findCaseOrThrow, notifyUsers, recordCaseActivity, survivingCaseId } from '../../cases/service.js'
import { caseNumber } from '../../cases/types.js'
import { recordAuditFor } from '../../changes.js'
import type { Db, Trx } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import { getMerchant } from '../../merchants/service.js'
import { getTeam } from '../../teams/service.js'
import { listUsers } from '../../users/service.js'
import { getCsatSettings, scales } from '../settings.js'
import * as store from '../store.js'
import type { SurveyKind } from '../tables.js'
import { surveyOfToken } from './links.js'

const questions: Record<SurveyKind, string> = {
  csat: 'How satisfied are you with how we handled your request?',
  nps: 'How likely are you to recommend us to a friend or colleague?',
}
const ends: Record<SurveyKind, [string, string]> = {
  csat: ['Very unsatisfied', 'Very satisfied'],
  nps: ['Not at all likely', 'Extremely likely'],
}

/** What the survey page shows: the store, the question and its scale, and the answer if there is one. */
export type PublicSurvey = {
  store: string
  case_number: string
  kind: SurveyKind
  question: string
  min: number
  max: number
  min_label: string
  max_label: string
  expires_at: Date
  answered: boolean
  score: number | null
}

export async function viewSurvey(db: Db, secret: Buffer, token: string, now: Date): Promise<PublicSurvey> {
  const survey = await surveyOfToken(db, secret, token, now)
  const [merchant, c] = await Promise.all([
    getMerchant(db, survey.merchant_id),
    findCaseOrThrow(db, survey.merchant_id, survey.case_id),
  ])
  return publicSurvey(survey, merchant.brand_name, caseNumber(c.number))
}

const publicSurvey = (s: store.SurveyRow, brand: string, number: string): PublicSurvey => ({
  store: brand,
  case_number: number,
  kind: s.kind,
  question: questions[s.kind],
  min: scales[s.kind].min,
  max: scales[s.kind].max,
  min_label: ends[s.kind][0],
  max_label: ends[s.kind][1],
  expires_at: s.expires_at,
  answered: s.answered_at !== null,
  score: s.score,
})

/**
 * The customer's one answer: stored on the survey, written on the case's timeline (csat.answered), audited, and a
 * low score tells the case team's lead (or the workspace's managers when the case has no team or its team no lead).
 */
export async function answerSurvey(
  trx: Trx,
  secret: Buffer,
  token: string,
  input: { score: number; comment?: string | null; requestId: string | null },
  now: Date,
): Promise<PublicSurvey> {
  const found = await surveyOfToken(trx, secret, token, now)
  const survey = (await store.lockSurvey(trx, found.merchant_id, found.id))!
  if (survey.answered_at)
    throw new AppError('csat_survey_answered', 'This survey has been answered already: thank you', {
      answered_at: survey.answered_at.toISOString(),
    })
  const scale = scales[survey.kind]
  if (!Number.isInteger(input.score) || input.score < scale.min || input.score > scale.max)
    throw new AppError('csat_score_out_of_range', `The score is a whole number from ${scale.min} to ${scale.max}`, {
      min: scale.min,
      max: scale.max,
    })
  const ctx = { ...systemContext(survey.merchant_id, 'csat'), requestId: input.requestId }
  const comment = input.comment?.trim() || null
  const answered = await store.updateSurvey(trx, survey.merchant_id, survey.id, {
    score: input.score,
    comment,
    answered_at: now,
  })
  const settings = await getCsatSettings(trx, survey.merchant_id)
  const low = input.score <= settings.low_score_threshold
  const c = await recordCaseActivity(
    trx,
    ctx,
    (await survivingCaseId(trx, survey.merchant_id, survey.case_id)) ?? survey.case_id,
    {
      action: 'csat.answered',
      acts: false,
      timeline: [
        {
          type: 'csat_answered',
          data: { survey_id: survey.id, kind: survey.kind, score: input.score, max: scale.max, comment, low },
          text: `Customer ${survey.kind === 'nps' ? 'NPS' : 'CSAT'} ${input.score}/${scale.max}${comment ? `: ${comment}` : ''}`,
        },
      ],
      events: [
        {
          type: 'csat.answered',
          data: {
            case_id: survey.case_id,
            survey_id: survey.id,
            episode: survey.episode,
            kind: survey.kind,
            score: input.score,
            low,
            commented: comment !== null,
          },
        },
      ],
    },
    now,
  )
  // The comment is the customer's words: the case keeps them, the audit trail the score.
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'csat_survey.answered',
      entityType: 'csat_survey',
      entityId: survey.id,
      after: { case_id: survey.case_id, score: input.score, commented: comment !== null },
    },
    now,
  )
  if (low) {
    const to = await lowScoreRecipients(trx, survey.merchant_id, c.team_id)
    await notifyUsers(
      trx,
      survey.merchant_id,
      to,
      {
        caseId: c.id,
        cause: 'csat_low',
        title: `${c.number}: the customer rated us ${input.score}/${scale.max}`,
        body: comment ?? '',
        dedupKey: `${c.id}:csat_low:${survey.id}`,
      },
      now,
    )
  }
  const merchant = await getMerchant(trx, survey.merchant_id)
  return publicSurvey(answered, merchant.brand_name, c.number)
}

/** The case team's lead; without one, the people who staff teams (managers and admins). */
async function lowScoreRecipients(db: Db, merchantId: string, teamId: string | null): Promise<string[]> {
  const team = teamId ? await getTeam(db, merchantId, teamId).catch(() => null) : null
  if (team?.lead_user_id) return [team.lead_user_id]
  const managers = await listUsers(db, merchantId, { status: 'active', permission: 'teams.manage', limit: 50 })
  return managers.map((u) => u.id)
}
