import { AppError } from '../errors.js'
import { findOrderByExternalId, recordRefund, type Order, type Payment } from '../orders/service.js'
import { decimalToMinor } from './amounts.js'
import { currencyExponent, requireId, source, type ShopifyWrite } from './fields.js'
import { idOf } from './json.js'
import type { ShopifyRefund, ShopifyTransaction } from './payloads.js'

// Idempotent per Shopify refund transaction: recordRefund keeps (payment, source, transaction id)
// unique, so a replayed or re-sent webhook never refunds twice.

/** refunds/create: every successful refund transaction is recorded once against its payment, however often it arrives. */
export async function applyRefund(w: ShopifyWrite, refund: ShopifyRefund): Promise<'processed' | 'ignored'> {
  const orderExternalId = requireId(refund.order_id, 'refund order_id')
  const order = await findOrderByExternalId(w.trx, w.merchantId, source, orderExternalId)
  // Retried with backoff: the refund may have overtaken its order.
  if (!order) throw new AppError('order_not_found', 'No such order', { order_external_id: orderExternalId })
  const exponent = await currencyExponent(w, order.currency)
  let applied = 0
  for (const t of refund.transactions ?? []) {
    if (t.kind !== 'refund' || t.status !== 'success') continue
    // Transactions are in the presentment currency; only amounts in the order's currency can be applied.
    if (t.currency && t.currency !== order.currency)
      throw new Error(`Shopify refund in ${t.currency} on an order in ${order.currency}`)
    const transactionId = requireId(t.id, 'refund transaction id')
    const payment = paymentFor(order, t)
    const amountMinor = decimalToMinor(String(t.amount ?? ''), exponent)
    const after = await recordRefund(
      w.trx,
      w,
      { orderId: order.id, paymentId: payment.id, amountMinor, source, externalId: transactionId },
      w.now,
    )
    if (after.refunded_amount_minor !== payment.refunded_amount_minor) applied++
  }
  return applied ? 'processed' : 'ignored'
}

/** The captured transaction the refund names, else the order's own Shopify payment. */
function paymentFor(order: Order, t: ShopifyTransaction): Payment {
  const shopify = order.payments.filter((p) => p.provider === source)
  const parent = idOf(t.parent_id)
  const payment =
    (parent ? shopify.find((p) => p.reference === parent) : undefined) ??
    shopify.find((p) => p.reference === order.external_id) ??
    (shopify.length === 1 ? shopify[0] : undefined)
  // Retried: an orders/updated that records the payment may still be on its way.
  if (!payment)
    throw new AppError('payment_not_found', 'No such payment on this order', {
      order_id: order.id,
      parent_transaction_id: parent,
    })
  return payment
}
