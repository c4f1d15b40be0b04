import type { Kysely, Transaction } from 'kysely'
import { recordAudit, type AuditActor } from '../audit/service.js'
import { customerIdentity, getCustomer, upsertCustomer, type CustomerInput } from '../customers/service.js'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import { newId } from '../ids.js'
import { enqueueEvent } from '../jobs/outbox.js'
import { assertCurrencies } from '../merchants/service.js'
import * as store from './store.js'

type Trx = Transaction<Database>
type Db = Kysely<Database> | Trx

export type OrderLine = {
  id: string; position: number; external_id: string | null; sku: string | null; name: string; category: string | null
  quantity: number; unit_price_amount_minor: number; tax_amount_minor: number; fulfilment_centre: string | null
}
export type Payment = {
  id: string; provider: string; reference: string; currency: string; captured_amount_minor: number; refunded_amount_minor: number
  refundable_amount_minor: number; captured_at: Date | null; created_at: Date; updated_at: Date
}
export type Order = {
  id: string; source: string; external_id: string; order_number: string | null; customer_id: string | null; currency: string
  placed_at: Date; status: 'open' | 'cancelled' | 'closed'; financial_status: string | null
  subtotal_amount_minor: number; discount_amount_minor: number; shipping_amount_minor: number; tax_amount_minor: number; total_amount_minor: number
  shipping_country: string | null; lines: OrderLine[]; payments: Payment[]; created_at: Date; updated_at: Date
}

const toLine = (l: store.LineRow): OrderLine => ({
  id: l.id, position: l.position, external_id: l.external_id, sku: l.sku, name: l.name, category: l.category, quantity: l.quantity,
  unit_price_amount_minor: l.unit_price_amount_minor, tax_amount_minor: l.tax_amount_minor, fulfilment_centre: l.fulfilment_centre,
})
const toPayment = (p: store.PaymentRow): Payment => ({
  id: p.id, provider: p.provider, reference: p.reference, currency: p.currency, captured_amount_minor: p.captured_amount_minor,
  refunded_amount_minor: p.refunded_amount_minor, refundable_amount_minor: p.captured_amount_minor - p.refunded_amount_minor,
  captured_at: p.captured_at, created_at: p.created_at, updated_at: p.updated_at,
})

async function toOrders(db: Db, merchantId: string, rows: store.OrderRow[]): Promise<Order[]> {
  const ids = rows.map((r) => r.id)
  const [lines, payments] = await Promise.all([store.listLines(db, merchantId, ids), store.listPayments(db, merchantId, ids)])
  return rows.map((r) => ({
    id: r.id, source: r.source, external_id: r.external_id, order_number: r.order_number, customer_id: r.customer_id, currency: r.currency,
    placed_at: r.placed_at, status: r.status, financial_status: r.financial_status, subtotal_amount_minor: r.subtotal_amount_minor,
    discount_amount_minor: r.discount_amount_minor, shipping_amount_minor: r.shipping_amount_minor, tax_amount_minor: r.tax_amount_minor,
    total_amount_minor: r.total_amount_minor, shipping_country: r.shipping_country,
    lines: lines.filter((l) => l.order_id === r.id).map(toLine), payments: payments.filter((p) => p.order_id === r.id).map(toPayment),
    created_at: r.created_at, updated_at: r.updated_at,
  }))
}

export type LineInput = {
  externalId?: string | null; sku?: string | null; name: string; category?: string | null; quantity: number
  unitPriceMinor: number; taxMinor?: number; fulfilmentCentre?: string | null
}
export type PaymentInput = { provider: string; reference: string; capturedMinor: number; refundedMinor?: number; capturedAt?: Date | null }
export type OrderInput = {
  source: string; externalId: string; orderNumber?: string | null
  /** The buyer, matched or created as a customer; or an existing customer's id. */
  customer?: Omit<CustomerInput, 'source' | 'requestId'> | null; customerId?: string | null
  currency: string; placedAt: Date; status?: 'open' | 'cancelled' | 'closed'; financialStatus?: string | null
  subtotalMinor?: number; discountMinor?: number; shippingMinor?: number; taxMinor?: number; totalMinor: number
  shippingCountry?: string | null; lines: LineInput[]; payments?: PaymentInput[]
  sourceUpdatedAt?: Date | null; requestId?: string | null
}

const summary = (o: store.OrderRow, lines: number) => ({
  order_number: o.order_number, customer_id: o.customer_id, currency: o.currency, status: o.status, financial_status: o.financial_status,
  total_amount_minor: o.total_amount_minor, shipping_country: o.shipping_country, line_count: lines,
})

export type OrderUpsert = { order: Order; outcome: 'created' | 'updated' | 'unchanged' | 'stale' }

/** Creates or updates an order by its id at the source; an update older than the stored one is ignored. */
export async function upsertOrder(trx: Trx, merchantId: string, actor: AuditActor, input: OrderInput, now: Date): Promise<OrderUpsert> {
  await assertCurrencies(trx, [input.currency])
  const existing = await store.lockOrderByExternalId(trx, merchantId, input.source, input.externalId)
  if (existing && input.sourceUpdatedAt && existing.source_updated_at && input.sourceUpdatedAt < existing.source_updated_at) {
    return { order: (await toOrders(trx, merchantId, [existing]))[0]!, outcome: 'stale' }
  }
  let customerId = input.customerId ?? existing?.customer_id ?? null
  if (input.customerId) await getCustomer(trx, merchantId, input.customerId)
  else if (input.customer) {
    customerId = (await upsertCustomer(trx, merchantId, actor, { ...input.customer, source: input.source, requestId: input.requestId }, now)).customer.id
  }
  const fields = {
    order_number: input.orderNumber ?? null, customer_id: customerId, currency: input.currency, placed_at: input.placedAt,
    status: input.status ?? 'open', financial_status: input.financialStatus ?? null,
    subtotal_amount_minor: input.subtotalMinor ?? input.lines.reduce((sum, l) => sum + l.unitPriceMinor * l.quantity, 0),
    discount_amount_minor: input.discountMinor ?? 0, shipping_amount_minor: input.shippingMinor ?? 0, tax_amount_minor: input.taxMinor ?? 0,
    total_amount_minor: input.totalMinor, shipping_country: input.shippingCountry?.toUpperCase() ?? null,
    source_updated_at: input.sourceUpdatedAt ?? existing?.source_updated_at ?? null, updated_at: now,
  } as const
  if (existing) {
    // A repeat of what we hold (sources re-send whole orders for any small event) writes, audits and announces nothing.
    const current = (await toOrders(trx, merchantId, [existing]))[0]!
    if (sameOrder(current, fields, input)) {
      // Still advance the source's clock, or an older, different update could slip in after it.
      if (input.sourceUpdatedAt && (!existing.source_updated_at || input.sourceUpdatedAt > existing.source_updated_at)) {
        await store.updateOrder(trx, merchantId, existing.id, { source_updated_at: input.sourceUpdatedAt })
      }
      return { order: current, outcome: 'unchanged' }
    }
  }
  let row: store.OrderRow
  let outcome: 'created' | 'updated'
  if (existing) {
    row = await store.updateOrder(trx, merchantId, existing.id, fields)
    outcome = 'updated'
  } else {
    const inserted = await store.insertOrder(trx, { merchant_id: merchantId, id: newId(), source: input.source, external_id: input.externalId, created_at: now, ...fields })
    // A concurrent writer inserted it first: this write becomes an update of theirs.
    if (!inserted) return upsertOrder(trx, merchantId, actor, input, now)
    row = inserted
    outcome = 'created'
  }
  await store.upsertLines(trx, merchantId, row.id, input.lines.map((l, position) => ({
    merchant_id: merchantId, order_id: row.id, id: newId(), position, external_id: l.externalId ?? null, sku: l.sku ?? null, name: l.name,
    category: l.category ?? null, quantity: l.quantity, unit_price_amount_minor: l.unitPriceMinor, tax_amount_minor: l.taxMinor ?? 0,
    fulfilment_centre: l.fulfilmentCentre ?? null,
  })))
  // A payment's capture time defaults to when the order was placed, not to when we heard of it.
  for (const p of input.payments ?? []) await recordPayment(trx, merchantId, row.id, input.currency, { ...p, capturedAt: p.capturedAt ?? input.placedAt }, now)
  const audit = { merchantId, actor, entityType: 'order', entityId: row.id, requestId: input.requestId }
  if (outcome === 'created') {
    await recordAudit(trx, { ...audit, action: 'order.created', after: { source: input.source, external_id: input.externalId, ...summary(row, input.lines.length) } }, now)
    await enqueueEvent(trx, { merchant_id: merchantId, type: 'order.created', subject_id: row.id, occurred_at: now,
      data: { source: input.source, external_id: input.externalId, customer_id: customerId, total_amount_minor: row.total_amount_minor, currency: row.currency } })
  } else {
    await recordAudit(trx, { ...audit, action: 'order.updated', before: summary(existing!, -1), after: summary(row, -1) }, now)
    await enqueueEvent(trx, { merchant_id: merchantId, type: 'order.updated', subject_id: row.id, occurred_at: now, data: { source: input.source, status: row.status } })
  }
  return { order: (await toOrders(trx, merchantId, [row]))[0]!, outcome }
}

function sameOrder(current: Order, fields: Omit<Order, 'id' | 'source' | 'external_id' | 'lines' | 'payments' | 'created_at' | 'updated_at'> & Record<string, unknown>, input: OrderInput): boolean {
  const scalar = ['order_number', 'customer_id', 'currency', 'status', 'financial_status', 'subtotal_amount_minor', 'discount_amount_minor',
    'shipping_amount_minor', 'tax_amount_minor', 'total_amount_minor', 'shipping_country'] as const
  if (scalar.some((k) => current[k] !== fields[k]) || current.placed_at.getTime() !== fields.placed_at.getTime()) return false
  const lines = input.lines.map((l, position) => [position, l.externalId ?? null, l.sku ?? null, l.name, l.category ?? null, l.quantity, l.unitPriceMinor, l.taxMinor ?? 0, l.fulfilmentCentre ?? null])
  if (JSON.stringify(lines) !== JSON.stringify(current.lines.map((l) => [l.position, l.external_id, l.sku, l.name, l.category, l.quantity, l.unit_price_amount_minor, l.tax_amount_minor, l.fulfilment_centre]))) return false
  return (input.payments ?? []).every((p) => current.payments.some((c) => c.provider === p.provider && c.reference === p.reference
    && c.captured_amount_minor === p.capturedMinor && (p.refundedMinor === undefined || c.refunded_amount_minor === p.refundedMinor)))
}

async function recordPayment(trx: Trx, merchantId: string, orderId: string, currency: string, p: PaymentInput, now: Date) {
  if (p.refundedMinor !== undefined && p.refundedMinor > p.capturedMinor) {
    throw new AppError('refund_exceeds_captured', 422, 'A payment cannot have more refunded than it captured', { reference: p.reference, captured_amount_minor: p.capturedMinor, refunded_amount_minor: p.refundedMinor })
  }
  const row = await store.upsertPayment(trx, {
    merchant_id: merchantId, id: newId(), order_id: orderId, provider: p.provider, reference: p.reference, currency,
    captured_amount_minor: p.capturedMinor, captured_at: p.capturedAt ?? null, created_at: now, updated_at: now,
  })
  // The source's refunded total, when it sends one, is the truth; the table's check still guards it.
  if (p.refundedMinor !== undefined && p.refundedMinor !== row.refunded_amount_minor) await store.setRefunded(trx, merchantId, row.id, p.refundedMinor)
}

export async function getOrder(db: Db, merchantId: string, id: string): Promise<Order> {
  const row = await store.findOrder(db, merchantId, id)
  if (!row) throw new AppError('order_not_found', 404, 'No such order', { order_id: id })
  return (await toOrders(db, merchantId, [row]))[0]!
}

export async function findOrderByExternalId(trx: Trx, merchantId: string, source: string, externalId: string): Promise<Order | undefined> {
  const row = await store.lockOrderByExternalId(trx, merchantId, source, externalId)
  return row ? (await toOrders(trx, merchantId, [row]))[0] : undefined
}

export async function listOrders(db: Db, merchantId: string, filter: { customerId?: string; source?: string; after?: string; limit: number }): Promise<Order[]> {
  const customerIds = filter.customerId ? await customerIdentity(db, merchantId, filter.customerId) : undefined
  return toOrders(db, merchantId, await store.listOrders(db, merchantId, { ...filter, customerIds }))
}

export async function deleteOrder(trx: Trx, merchantId: string, actor: AuditActor, id: string, now: Date, requestId?: string | null): Promise<void> {
  const row = await store.lockOrder(trx, merchantId, id)
  if (!row) throw new AppError('order_not_found', 404, 'No such order', { order_id: id })
  await store.deleteOrder(trx, merchantId, id)
  await recordAudit(trx, { merchantId, actor, action: 'order.deleted', entityType: 'order', entityId: id, before: { source: row.source, external_id: row.external_id, ...summary(row, -1) }, requestId }, now)
  await enqueueEvent(trx, { merchant_id: merchantId, type: 'order.deleted', subject_id: id, occurred_at: now, data: { source: row.source, external_id: row.external_id } })
}

export type RefundInput = {
  orderId: string; paymentId: string; amountMinor: number
  /** The refund's id at its source (e.g. Shopify's refund transaction): the same one is applied once. */
  source?: string; externalId?: string; requestId?: string | null
}

/** Adds a refund to a payment, once per source refund id; never more than the payment still holds. */
export async function recordRefund(trx: Trx, merchantId: string, actor: AuditActor, input: RefundInput, now: Date): Promise<Payment> {
  const payment = await store.lockPayment(trx, merchantId, input.orderId, input.paymentId)
  if (!payment) throw new AppError('payment_not_found', 404, 'No such payment on this order', { order_id: input.orderId, payment_id: input.paymentId })
  const id = newId()
  const fresh = await store.insertRefund(trx, {
    merchant_id: merchantId, id, payment_id: payment.id, source: input.source ?? 'api', external_id: input.externalId ?? id, amount_minor: input.amountMinor, created_at: now,
  })
  if (!fresh) return toPayment(payment)
  const refundable = payment.captured_amount_minor - payment.refunded_amount_minor
  if (input.amountMinor > refundable) {
    throw new AppError('refund_exceeds_captured', 422, `Only ${refundable} (minor units) of this payment can still be refunded`, {
      payment_id: payment.id, refundable_amount_minor: refundable, currency: payment.currency,
    })
  }
  const updated = await store.addRefunded(trx, merchantId, payment.id, input.amountMinor, now)
  await recordAudit(trx, { merchantId, actor, action: 'payment.refunded', entityType: 'payment', entityId: payment.id,
    before: { refunded_amount_minor: payment.refunded_amount_minor }, after: { refunded_amount_minor: updated.refunded_amount_minor }, requestId: input.requestId }, now)
  await enqueueEvent(trx, { merchant_id: merchantId, type: 'payment.refunded', subject_id: payment.id, occurred_at: now,
    data: { order_id: input.orderId, amount_minor: input.amountMinor, currency: payment.currency } })
  return toPayment(updated)
}
