import { systemContext, type ServiceContext } from '../../auth/actor.js'
import { recordAuditFor } from '../../changes.js'
import { type ErasureGuard, redactCustomer } from '../../customers/service.js'
import type { Trx } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import * as store from '../store.js'
import { findHolds } from './find-holds.js'

/**
 * A customer's erasure meets legal holds (theirs, or one on any case of theirs): asked through the API it is refused;
 * asked by a platform that cannot be answered "no" (Shopify's customers/redact) it is recorded and carried out when
 * the last hold is released.
 */
export const holdsGuardErasure: ErasureGuard = async (trx, ctx, customerId, opts, now) => {
  const holds = await findHolds(trx, ctx.merchantId, { customerId })
  if (!holds.length) return 'erase'
  const holdIds = holds.map((h) => h.id)
  if (opts.whenHeld === 'refuse')
    throw new AppError('legal_hold', 'A legal hold keeps this customer: release the hold first', {
      customer_id: customerId,
      hold_ids: holdIds,
    })
  await store.insertDeferral(trx, {
    merchant_id: ctx.merchantId,
    customer_id: customerId,
    source: opts.source,
    requested_at: now,
    done_at: null,
  })
  await recordDeferral(trx, ctx, customerId, opts.source, holdIds, now)
  return 'deferred'
}

const recordDeferral = (
  trx: Trx,
  ctx: ServiceContext,
  customerId: string,
  source: string,
  holdIds: string[],
  now: Date,
) =>
  recordAuditFor(
    trx,
    ctx,
    {
      action: 'customer.erasure_deferred',
      entityType: 'customer',
      entityId: customerId,
      after: { source, hold_ids: holdIds },
    },
    now,
  )

/** Erases the customers whose erasure a hold deferred, of those no hold keeps any more. */
export async function eraseDeferredCustomers(
  trx: Trx,
  merchantId: string,
  customerIds: string[],
  now: Date,
): Promise<string[]> {
  const pending = await store.lockPendingDeferrals(trx, merchantId, [...new Set(customerIds)])
  const erased: string[] = []
  for (const customerId of new Set(pending.map((d) => d.customer_id))) {
    if ((await findHolds(trx, merchantId, { customerId })).length) continue
    await redactCustomer(trx, systemContext(merchantId, 'erasure'), customerId, now)
    await store.markDeferralsDone(trx, merchantId, customerId, now)
    erased.push(customerId)
  }
  return erased
}
