import { systemContext } from '../../auth/actor.js'
import { findCaseOrThrow } from '../../cases/service.js'
import type { Trx } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import { newId } from '../../ids.js'
import { findAction, scheduleAction } from '../../jobs/clock.js'
import type { ScheduledAction } from '../../modules.js'
import { getCsatSettings } from '../settings.js'
import * as store from '../store.js'
import type { SurveyRow } from '../store.js'
import { surveyToken, tokenHash } from './links.js'
import { type SurveyContext, sendSurvey } from './send-survey.js'

export const surveyTask = 'csat:survey'
/** One key per case and resolution episode: a reopened case resolved again asks again, a redelivery does not. */
export const surveyKey = (caseId: string, episode: number) => `csat:${caseId}:${episode}`

type CaseRow = Awaited<ReturnType<typeof findCaseOrThrow>>

/** A survey that could not go out within a day of its time is not sent (events caught up after an outage, imports). */
export const maxLatenessMs = 86_400_000

/** Whether the case, as it is now, is one to ask about: resolved or closed, not a duplicate, with a customer. */
const asksAbout = (c: CaseRow) =>
  (c.status === 'resolved' || c.status === 'closed') &&
  c.resolution_code !== 'duplicate' &&
  !c.merged_into_id &&
  !!c.customer_id

const caseOrNone = (trx: Trx, merchantId: string, caseId: string) =>
  findCaseOrThrow(trx, merchantId, caseId).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'case_not_found') return null
    throw err
  })

/**
 * On case.resolved: arms the survey's clock action at the resolution plus the workspace's delay. An event that no
 * longer describes the case (reopened or resolved again since: its resolved_at moved) arms nothing; the later
 * resolution's own event does. Nor does one read more than a day after the survey was due (maxLatenessMs).
 */
export async function armSurvey(trx: Trx, merchantId: string, caseId: string, resolvedAt: Date, now: Date) {
  const c = await caseOrNone(trx, merchantId, caseId)
  if (!c || !asksAbout(c) || c.resolved_at?.getTime() !== resolvedAt.getTime()) return
  const settings = await getCsatSettings(trx, merchantId)
  if (!settings.enabled) return
  const runAt = new Date(resolvedAt.getTime() + settings.delay_minutes * 60_000)
  if (now.getTime() - runAt.getTime() > maxLatenessMs) return
  const key = surveyKey(c.id, c.reopen_count)
  // Armed once per episode: a redelivered event after the action fired does not arm it again.
  if (await findAction(trx, merchantId, key)) return
  await scheduleAction(
    trx,
    {
      merchantId,
      key,
      task: surveyTask,
      runAt,
      payload: { case_id: c.id, episode: c.reopen_count },
    },
    now,
  )
}

/**
 * The case's one survey for this resolution episode, if the case is still resolved in it and CSAT is on: null when
 * not, or when the episode has its survey already (the unique (case, episode) key decides, however often this runs).
 */
export async function openSurvey(
  trx: Trx,
  app: SurveyContext['app'],
  merchantId: string,
  caseId: string,
  episode: number,
  now: Date,
): Promise<SurveyRow | null> {
  const c = await caseOrNone(trx, merchantId, caseId)
  if (!c || !asksAbout(c) || c.reopen_count !== episode) return null
  const settings = await getCsatSettings(trx, merchantId)
  if (!settings.enabled) return null
  const id = newId()
  const expiresAt = new Date(now.getTime() + settings.expiry_days * 86_400_000)
  const token = surveyToken(app.keys.links, { merchant_id: merchantId, id, expires_at: expiresAt }, now)
  const survey = await store.insertSurveyOnce(trx, {
    merchant_id: merchantId,
    id,
    case_id: c.id,
    episode,
    kind: settings.kind,
    token_hash: tokenHash(token),
    expires_at: expiresAt,
    case_type: c.type_key,
    carrier_code: c.carrier_code,
    team_id: c.team_id,
    agent_id: c.assignee_id,
    message_id: null,
    sent_at: null,
    score: null,
    comment: null,
    answered_at: null,
    created_at: now,
  })
  return survey ?? null
}

/** The clock action: opens the resolution's survey and sends it; the survey's id, or null when none was opened. */
export async function fireSurvey(
  trx: Trx,
  action: ScheduledAction,
  app: SurveyContext['app'],
  now: Date,
): Promise<string | null> {
  const { case_id: caseId, episode } = action.payload as { case_id: string; episode: number }
  const survey = await openSurvey(trx, app, action.merchantId, caseId, episode, now)
  if (!survey) return null
  await sendSurvey(trx, { ...systemContext(action.merchantId, 'csat'), app }, survey.case_id, survey.id, now)
  return survey.id
}
