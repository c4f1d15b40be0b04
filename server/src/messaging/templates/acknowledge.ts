import { systemContext } from '../../auth/actor.js'
import type { AppContext } from '../../context.js'
import { AppError } from '../../errors.js'
import { consumer } from '../../modules.js'
import { findMessageByHeader } from '../store.js'
import { recordTemplatedEmail } from './service/templated-message.js'

// Customers who wrote in (email, the portal, a shop's form through the API) hear back at once. Cases Claimdesk
// opened itself (the exception policy, imports, splits and follow-ups) are not requests the customer made.
const askedBy = new Set(['email', 'portal', 'api'])
const notAsked = new Set(['import', 'exception_policy', 'exception_review', 'split', 'follow_up'])

/** The automatic acknowledgement of a new case: its live 'acknowledgement' template, once per case. */
export async function acknowledgeCase(ctx: AppContext, merchantId: string, caseId: string, now: Date): Promise<void> {
  // Its own Message-ID: a redelivered event (or a case the demo acknowledged itself) finds the message recorded.
  const messageIdHeader = `ack.${caseId}@${ctx.config.email.inboundDomain}`
  await ctx.db.transaction().execute(async (trx) => {
    // Checked before rendering, which costs more than the lookup; recordMessage's insert still decides a race.
    if (await findMessageByHeader(trx, merchantId, messageIdHeader)) return
    try {
      await recordTemplatedEmail(
        trx,
        systemContext(merchantId, 'acknowledgement'),
        caseId,
        {
          purpose: 'acknowledgement',
          automatic: true,
          requireEmail: false,
          messageIdHeader,
          app: ctx,
        },
        now,
      )
    } catch (err) {
      // A workspace that archived its acknowledgement, or has none live, sends none.
      if (err instanceof AppError && (err.code === 'template_not_found' || err.code === 'template_not_live')) return
      throw err
    }
  })
}

/** Whether a new case gets the automatic acknowledgement: the customer asked, and there is a customer to tell. */
export const acknowledges = (c: { channel: string; source: string; customer_id: string | null }) =>
  askedBy.has(c.channel) && !notAsked.has(c.source) && !!c.customer_id

export const acknowledgeNewCases = consumer({
  name: 'messaging:acknowledge',
  types: ['case.opened'],
  accepts: (e) => acknowledges(e.data),
  handle: async (event, ctx) => {
    if (event.subject_id) await acknowledgeCase(ctx, event.merchant_id, event.subject_id, new Date())
  },
})
