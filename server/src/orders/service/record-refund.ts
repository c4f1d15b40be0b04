import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import { recordChange } from '../../changes.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import { newId } from '../../ids.js'
import * as store from '../store.js'
import { toPayment, type Payment } from '../types.js'

type Trx = Transaction<Database>

export type RefundInput = {
  orderId: string
  paymentId: string
  amountMinor: number
  /** The refund's id at its source (e.g. Shopify's refund transaction): the same one is applied once. */
  source?: string
  externalId?: string
}

/** Adds a refund to a payment, once per source refund id; never more than the payment still holds. */
export async function paymentToRefund(trx: Trx, merchantId: string, input: RefundInput) {
  const payment = await store.lockPayment(trx, merchantId, input.orderId, input.paymentId)
  if (!payment)
    throw new AppError('payment_not_found', 'No such payment on this order', {
      order_id: input.orderId,
      payment_id: input.paymentId,
    })
  return payment
}

/** Records a refund with no approval of its own: one a verified provider webhook reports (Shopify refunds/create). */
export async function recordRefund(trx: Trx, ctx: ServiceContext, input: RefundInput, now: Date): Promise<Payment> {
  const { merchantId } = ctx
  const payment = await paymentToRefund(trx, merchantId, input)
  const id = newId()
  const fresh = await store.insertRefund(trx, {
    merchant_id: merchantId,
    id,
    payment_id: payment.id,
    source: input.source ?? 'api',
    external_id: input.externalId ?? id,
    amount_minor: input.amountMinor,
    created_at: now,
  })
  if (!fresh) return toPayment(payment)
  const refundable = payment.captured_amount_minor - payment.refunded_amount_minor
  if (input.amountMinor > refundable) {
    throw new AppError(
      'refund_exceeds_captured',
      `Only ${refundable} (minor units) of this payment can still be refunded`,
      {
        payment_id: payment.id,
        refundable_amount_minor: refundable,
        currency: payment.currency,
      },
    )
  }
  const updated = await store.addRefunded(trx, merchantId, payment.id, input.amountMinor, now)
  await recordChange(
    trx,
    ctx,
    {
      action: 'payment.refunded',
      entityType: 'payment',
      entityId: payment.id,
      before: { refunded_amount_minor: payment.refunded_amount_minor },
      after: { refunded_amount_minor: updated.refunded_amount_minor },
    },
    { order_id: input.orderId, amount_minor: input.amountMinor, currency: payment.currency },
    now,
  )
  return toPayment(updated)
}
