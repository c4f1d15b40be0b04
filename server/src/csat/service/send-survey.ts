import type { ServiceContext } from '../../auth/actor.js'
import type { Trx } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import { type AutomaticApp, sendAutomatic } from '../../messaging/service.js'
import * as store from '../store.js'
import { surveyToken, surveyUrl } from './links.js'

/** Who sends, and what sending needs of the process (PUBLIC_URL, the links key, the mail and Twilio settings). */
export type SurveyContext = ServiceContext & { app: AutomaticApp }

/**
 * Sends the survey to the case's customer by their channel: the first of the workspace's channel order (WhatsApp,
 * SMS, email by default) they consented to and can be reached on, through the 'csat_survey' template with the
 * survey's own signed link (links.survey). Returns the message's id, or null when nothing could go out (no way to
 * reach the customer, or the workspace archived the template or has no live version of it). Sent once per survey:
 * a repeat finds the message recorded.
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
  const results = await sendAutomatic(trx, ctx, caseId, 'csat_survey', now, {
    app: ctx.app,
    links: { survey: url },
    messageKey: `csat.${survey.id}`,
  }).catch((err: unknown) => {
    // Archived, or no version live: the workspace sends no survey.
    if (err instanceof AppError && (err.code === 'template_not_found' || err.code === 'template_not_live')) return []
    throw err
  })
  const sent = results.find((r) => 'message' in r)
  if (!sent || !('message' in sent)) return null
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
