import type { ServiceContext } from '../../auth/actor.js'
import type { Trx } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import { recordTemplatedEmail, type SendApp, seedDefaultTemplates } from '../../messaging/templates/service.js'
import * as store from '../store.js'
import { surveyToken, surveyUrl } from './links.js'

/** Who sends, and what sending needs of the process (PUBLIC_URL, the links key, the mail settings). */
export type SurveyContext = ServiceContext & { app: SendApp }

/**
 * Sends the survey to the case's customer: today by email, through the 'csat_survey' template with the survey's
 * own signed link (links.survey). Returns the message's id, or null when nothing could go out (no email address,
 * the workspace archived the template or has no live version of it).
 */
export async function sendSurvey(
  trx: Trx,
  ctx: SurveyContext,
  caseId: string,
  surveyId: string,
  now: Date,
): Promise<string | null> {
  const survey = await store.findSurvey(trx, ctx.merchantId, surveyId)
  if (!survey || survey.case_id !== caseId)
    throw new AppError('csat_survey_not_found', 'No such survey on this case', { case_id: caseId, survey_id: surveyId })
  const url = surveyUrl(ctx.app.config.publicUrl, surveyToken(ctx.app.keys.links, survey, now))
  const send = () =>
    recordTemplatedEmail(
      trx,
      ctx,
      caseId,
      { purpose: 'csat_survey', automatic: true, requireEmail: false, links: { survey: url }, app: ctx.app },
      now,
    )
  const sent = await send()
    .catch(async (err: unknown) => {
      // A workspace made before the survey template existed gets it now (idempotent per purpose and locale).
      if (!(err instanceof AppError && err.code === 'template_not_found')) throw err
      await seedDefaultTemplates(trx, ctx.merchantId, now)
      return send()
    })
    .catch((err: unknown) => {
      // Archived, or no version live: the workspace sends no survey.
      if (err instanceof AppError && (err.code === 'template_not_found' || err.code === 'template_not_live'))
        return null
      throw err
    })
  if (!sent) return null
  await markSurveySent(trx, ctx.merchantId, survey.id, sent.message.id, now)
  return sent.message.id
}

/** The survey went out (by the message given, if one was recorded): it counts as sent in the stats from now. */
export async function markSurveySent(
  trx: Trx,
  merchantId: string,
  surveyId: string,
  messageId: string | null,
  at: Date,
) {
  await store.updateSurvey(trx, merchantId, surveyId, { message_id: messageId, sent_at: at })
}
