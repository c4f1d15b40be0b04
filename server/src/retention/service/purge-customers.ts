import { systemContext } from '../../auth/actor.js'
import { customersWithCaseActivity } from '../../cases/service.js'
import { listCustomersUnchangedSince, redactCustomer } from '../../customers/service.js'
import type { Purger } from '../../modules.js'
import { findHolds } from './find-holds.js'

/**
 * The customer_data policy: customers unchanged for `keep_days`, with no open case and no case touched since, are
 * erased through the customers module's erasure (which every module holding their data follows through the
 * customer.redacted event). A customer a legal hold keeps (theirs, or one on a case of theirs) stays.
 */
export const customerDataPurger: Purger = {
  kind: 'customer_data',
  purge: async (ctx, batch) => {
    const { merchantId, cutoff, limit, cursor, dryRun, now } = batch
    const ids = await listCustomersUnchangedSince(ctx.db, merchantId, { before: cutoff, after: cursor, limit })
    const active = await customersWithCaseActivity(ctx.db, merchantId, ids, cutoff)
    const removed: string[] = []
    let held = 0
    await ctx.db.transaction().execute(async (trx) => {
      for (const id of ids.filter((c) => !active.has(c))) {
        if ((await findHolds(trx, merchantId, { customerId: id })).length) {
          held++
          continue
        }
        if (!dryRun) await redactCustomer(trx, systemContext(merchantId, 'retention'), id, now)
        removed.push(id)
      }
    })
    return { removed, held, cursor: ids.length < limit ? null : ids[ids.length - 1]! }
  },
}
