import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import { assertWithinLimit, rateDay } from '../../merchants/limits.js'
import type { Database } from '../../db/schema.js'
import type { Payment } from '../types.js'
import { paymentToRefund, recordRefund, type RefundInput } from './record-refund.js'

type Trx = Transaction<Database>

/** A refund a person or key records: within their refunds.approve bound, in the payment's currency converted at today's rate. */
export async function approveRefund(trx: Trx, ctx: ServiceContext, input: RefundInput, now: Date): Promise<Payment> {
  const payment = await paymentToRefund(trx, ctx.merchantId, input)
  await assertWithinLimit(
    trx,
    ctx.actor,
    'refunds.approve',
    { amountMinor: input.amountMinor, currency: payment.currency },
    rateDay(now),
  )
  return recordRefund(trx, ctx, input, now)
}
