import type { Transaction } from 'kysely'
import { auditActor, type Actor } from '../../auth/actor.js'
import { assertWithinLimit, rateDay } from '../../auth/limits.js'
import type { Database } from '../../db/schema.js'
import type { Payment } from '../types.js'
import { paymentToRefund, recordRefund, type RefundInput } from './record-refund.js'

type Trx = Transaction<Database>

/** A refund a person or key records: within their refunds.approve bound, in the payment's currency converted at today's rate. */
export async function approveRefund(trx: Trx, actor: Actor, input: RefundInput, now: Date): Promise<Payment> {
  const payment = await paymentToRefund(trx, actor.merchantId, input)
  await assertWithinLimit(
    trx,
    actor,
    'refunds.approve',
    { amountMinor: input.amountMinor, currency: payment.currency },
    rateDay(now),
  )
  return recordRefund(trx, actor.merchantId, auditActor(actor), input, now)
}
