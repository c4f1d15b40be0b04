import { systemContext } from '../../auth/actor.js'
import {
  listCaseIdsOfCustomer,
  listTimelineEntriesOfType,
  redactNotifications,
  redactTimelineEntries,
} from '../../cases/service.js'
import { recordAuditFor } from '../../changes.js'
import type { AppContext } from '../../context.js'
import { findErasedAt } from '../../customers/service.js'
import { consumer } from '../../modules.js'
import * as store from '../store.js'

export const redactedComment = '[redacted]'

/**
 * A customer's erasure reaching their survey answers (GDPR; Shopify's customers/redact): the free-text comments
 * they wrote on their cases before the erasure become the marker, on the survey, on the csat_answered timeline
 * entry (which may sit on the case theirs was merged into) and in the low-score notification quoting them, in one
 * transaction. Scores stay (they are not personal and feed the stats). Idempotent: a redacted comment is not
 * reached again; an answer given after the erasure is new data and stays.
 */
export async function redactSurveyComments(
  app: AppContext,
  merchantId: string,
  customerId: string,
  now: Date,
): Promise<number> {
  const erasedAt = await findErasedAt(app.db, merchantId, customerId)
  if (!erasedAt) return 0
  const { own, merged } = await listCaseIdsOfCustomer(app.db, merchantId, customerId)
  const ctx = systemContext(merchantId, 'erasure')
  return app.db.transaction().execute(async (trx) => {
    const surveys = await store.lockCommentedSurveys(trx, merchantId, own, erasedAt, redactedComment)
    if (!surveys.length) return 0
    for (const s of surveys) {
      await store.updateSurvey(trx, merchantId, s.id, { comment: redactedComment })
      const change = { action: 'csat_survey.redacted', entityType: 'csat_survey', entityId: s.id }
      await recordAuditFor(trx, ctx, { ...change, after: { case_id: s.case_id, comment: 'redacted' } }, now)
    }
    const ids = new Set(surveys.map((s) => s.id))
    const entries = (await listTimelineEntriesOfType(trx, merchantId, [...own, ...merged], 'csat_answered')).filter(
      (e) => ids.has(e.data.survey_id as string),
    )
    // As answerSurvey wrote the entry, with the marker for the comment.
    const rewrites = entries.map((e) => ({
      caseId: e.case_id,
      entryId: e.id,
      text: `Customer ${e.data.kind === 'nps' ? 'NPS' : 'CSAT'} ${e.data.score}/${e.data.max}: ${redactedComment}`,
      data: { comment: redactedComment },
    }))
    await redactTimelineEntries(trx, merchantId, 'csat_answered', rewrites)
    const keys = entries.map((e) => `${e.case_id}:csat_low:${e.data.survey_id as string}`)
    await redactNotifications(trx, merchantId, keys, redactedComment)
    return surveys.length
  })
}

export const redactCommentsOfErasedCustomers = consumer({
  name: 'csat:customer-erasure',
  types: ['customer.redacted'],
  handle: async (event, ctx) => {
    if (event.subject_id) await redactSurveyComments(ctx, event.merchant_id, event.subject_id, new Date())
  },
})
