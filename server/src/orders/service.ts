import type { Kysely, Transaction } from 'kysely'
import { recordAudit, recordAudits, type AuditActor, type AuditInput } from '../audit/service.js'
import { auditActor, type Actor } from '../auth/actor.js'
import { assertWithinLimit, rateDay } from '../merchants/limits.js'
import { ConcurrentInsert, type Outcome, type Writer } from '../import-batch.js'
import {
  customerIdentity,
  getCustomer,
  importCustomers,
  upsertCustomer,
  type CustomerInput,
  type CustomerRecord,
} from '../customers/service.js'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import { newId } from '../ids.js'
import { enqueueEvent } from '../jobs/outbox.js'
import { assertCurrencies } from '../merchants/service.js'
import * as store from './store.js'

type Trx = Transaction<Database>
type Db = Kysely<Database> | Trx

export type OrderLine = {
  id: string
  position: number
  external_id: string | null
  sku: string | null
  name: string
  category: string | null
  quantity: number
  unit_price_amount_minor: number
  tax_amount_minor: number
  fulfilment_centre: string | null
}
export type Payment = {
  id: string
  provider: string
  reference: string
  currency: string
  captured_amount_minor: number
  refunded_amount_minor: number
  refundable_amount_minor: number
  captured_at: Date | null
  created_at: Date
  updated_at: Date
}
export type Order = {
  id: string
  source: string
  external_id: string
  order_number: string | null
  customer_id: string | null
  currency: string
  placed_at: Date
  status: 'open' | 'cancelled' | 'closed'
  financial_status: string | null
  subtotal_amount_minor: number
  discount_amount_minor: number
  shipping_amount_minor: number
  tax_amount_minor: number
  total_amount_minor: number
  shipping_country: string | null
  lines: OrderLine[]
  payments: Payment[]
  created_at: Date
  updated_at: Date
}

const toLine = (l: store.LineRow): OrderLine => ({
  id: l.id,
  position: l.position,
  external_id: l.external_id,
  sku: l.sku,
  name: l.name,
  category: l.category,
  quantity: l.quantity,
  unit_price_amount_minor: l.unit_price_amount_minor,
  tax_amount_minor: l.tax_amount_minor,
  fulfilment_centre: l.fulfilment_centre,
})
const toPayment = (p: store.PaymentRow): Payment => ({
  id: p.id,
  provider: p.provider,
  reference: p.reference,
  currency: p.currency,
  captured_amount_minor: p.captured_amount_minor,
  refunded_amount_minor: p.refunded_amount_minor,
  refundable_amount_minor: p.captured_amount_minor - p.refunded_amount_minor,
  captured_at: p.captured_at,
  created_at: p.created_at,
  updated_at: p.updated_at,
})

async function toOrders(db: Db, merchantId: string, rows: store.OrderRow[]): Promise<Order[]> {
  const ids = rows.map((r) => r.id)
  const [lines, payments] = await Promise.all([
    store.listLines(db, merchantId, ids),
    store.listPayments(db, merchantId, ids),
  ])
  return rows.map((r) => ({
    id: r.id,
    source: r.source,
    external_id: r.external_id,
    order_number: r.order_number,
    customer_id: r.customer_id,
    currency: r.currency,
    placed_at: r.placed_at,
    status: r.status,
    financial_status: r.financial_status,
    subtotal_amount_minor: r.subtotal_amount_minor,
    discount_amount_minor: r.discount_amount_minor,
    shipping_amount_minor: r.shipping_amount_minor,
    tax_amount_minor: r.tax_amount_minor,
    total_amount_minor: r.total_amount_minor,
    shipping_country: r.shipping_country,
    lines: lines.filter((l) => l.order_id === r.id).map(toLine),
    payments: payments.filter((p) => p.order_id === r.id).map(toPayment),
    created_at: r.created_at,
    updated_at: r.updated_at,
  }))
}

export type LineInput = {
  externalId?: string | null
  sku?: string | null
  name: string
  category?: string | null
  quantity: number
  unitPriceMinor: number
  taxMinor?: number
  fulfilmentCentre?: string | null
}
export type PaymentInput = {
  provider: string
  reference: string
  capturedMinor: number
  refundedMinor?: number
  capturedAt?: Date | null
}
export type OrderInput = {
  source: string
  externalId: string
  orderNumber?: string | null
  /** The buyer, matched or created as a customer; or an existing customer's id. */
  customer?: Omit<CustomerInput, 'source' | 'requestId'> | null
  customerId?: string | null
  currency: string
  placedAt: Date
  status?: 'open' | 'cancelled' | 'closed'
  financialStatus?: string | null
  subtotalMinor?: number
  discountMinor?: number
  shippingMinor?: number
  taxMinor?: number
  totalMinor: number
  shippingCountry?: string | null
  lines: LineInput[]
  payments?: PaymentInput[]
  sourceUpdatedAt?: Date | null
  requestId?: string | null
}

const summary = (o: store.OrderFields, lines: number) => ({
  order_number: o.order_number,
  customer_id: o.customer_id,
  currency: o.currency,
  status: o.status,
  financial_status: o.financial_status,
  total_amount_minor: o.total_amount_minor,
  shipping_country: o.shipping_country,
  line_count: lines,
})

export type OrderUpsert = { order: Order; outcome: 'created' | 'updated' | 'unchanged' | 'stale' }

/** Creates or updates an order by its id at the source; an update older than the stored one is ignored. */
export async function upsertOrder(
  trx: Trx,
  merchantId: string,
  actor: AuditActor,
  input: OrderInput,
  now: Date,
): Promise<OrderUpsert> {
  await assertCurrencies(trx, [input.currency])
  const existing = await store.lockOrderByExternalId(trx, merchantId, input.source, input.externalId)
  if (
    existing &&
    input.sourceUpdatedAt &&
    existing.source_updated_at &&
    input.sourceUpdatedAt < existing.source_updated_at
  ) {
    return { order: (await toOrders(trx, merchantId, [existing]))[0]!, outcome: 'stale' }
  }
  let customerId = input.customerId ?? existing?.customer_id ?? null
  if (input.customerId) await getCustomer(trx, merchantId, input.customerId)
  else if (input.customer) {
    customerId = (
      await upsertCustomer(
        trx,
        merchantId,
        actor,
        { ...input.customer, source: input.source, requestId: input.requestId },
        now,
      )
    ).customer.id
  }
  const fields = {
    ...orderFields(input, customerId),
    source_updated_at: input.sourceUpdatedAt ?? existing?.source_updated_at ?? null,
    updated_at: now,
  }
  const lines = input.lines.map(lineFields)
  if (existing) {
    // A repeat of what we hold (sources re-send whole orders for any small event) writes, audits and announces nothing.
    const current = (await toOrders(trx, merchantId, [existing]))[0]!
    const payments = (input.payments ?? []).map((p) => paymentFields(p, input, current.payments))
    if (
      sameOrder(
        { order: existing, lines: current.lines, payments: current.payments },
        { order: fields, lines, payments },
      )
    ) {
      // Still advance the source's clock, or an older, different update could slip in after it.
      if (
        input.sourceUpdatedAt &&
        (!existing.source_updated_at || input.sourceUpdatedAt > existing.source_updated_at)
      ) {
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
    const inserted = await store.insertOrder(trx, {
      merchant_id: merchantId,
      id: newId(),
      source: input.source,
      external_id: input.externalId,
      created_at: now,
      ...fields,
    })
    // A concurrent writer inserted it first: this write becomes an update of theirs.
    if (!inserted) return upsertOrder(trx, merchantId, actor, input, now)
    row = inserted
    outcome = 'created'
  }
  await store.upsertLines(
    trx,
    lines.map((l) => ({ merchant_id: merchantId, order_id: row.id, id: newId(), ...l })),
  )
  await store.deleteSurplusLines(trx, merchantId, [{ order_id: row.id, count: lines.length }])
  // A payment's capture time defaults to when the order was placed, not to when we heard of it.
  for (const p of input.payments ?? [])
    await recordPayment(
      trx,
      merchantId,
      row.id,
      input.currency,
      { ...p, capturedAt: p.capturedAt ?? input.placedAt },
      now,
    )
  const audit = { merchantId, actor, entityType: 'order', entityId: row.id, requestId: input.requestId }
  if (outcome === 'created') {
    await recordAudit(
      trx,
      {
        ...audit,
        action: 'order.created',
        after: { source: input.source, external_id: input.externalId, ...summary(row, input.lines.length) },
      },
      now,
    )
    await enqueueEvent(trx, {
      merchant_id: merchantId,
      type: 'order.created',
      subject_id: row.id,
      occurred_at: now,
      data: {
        source: input.source,
        external_id: input.externalId,
        customer_id: customerId,
        total_amount_minor: row.total_amount_minor,
        currency: row.currency,
      },
    })
  } else {
    await recordAudit(
      trx,
      { ...audit, action: 'order.updated', before: summary(existing!, -1), after: summary(row, -1) },
      now,
    )
    await enqueueEvent(trx, {
      merchant_id: merchantId,
      type: 'order.updated',
      subject_id: row.id,
      occurred_at: now,
      data: { source: input.source, status: row.status },
    })
  }
  return { order: (await toOrders(trx, merchantId, [row]))[0]!, outcome }
}

const orderColumns = [
  'order_number',
  'customer_id',
  'currency',
  'placed_at',
  'status',
  'financial_status',
  'subtotal_amount_minor',
  'discount_amount_minor',
  'shipping_amount_minor',
  'tax_amount_minor',
  'total_amount_minor',
  'shipping_country',
] as const
const lineColumns = [
  'position',
  'external_id',
  'sku',
  'name',
  'category',
  'quantity',
  'unit_price_amount_minor',
  'tax_amount_minor',
  'fulfilment_centre',
] as const
const paymentColumns = [
  'provider',
  'reference',
  'currency',
  'captured_amount_minor',
  'refunded_amount_minor',
  'captured_at',
] as const
type OrderState = {
  order: Pick<store.OrderRow, (typeof orderColumns)[number]>
  lines: Pick<store.LineRow, (typeof lineColumns)[number]>[]
  payments: Pick<store.PaymentRow, (typeof paymentColumns)[number]>[]
}

const comparable = (v: unknown) => (v instanceof Date ? v.getTime() : v)
const same = <T>(a: T, b: T, columns: readonly (keyof T)[]) =>
  columns.every((c) => comparable(a[c]) === comparable(b[c]))

/**
 * Whether writing `after` would change nothing: a repeat (an import re-run, a re-sent webhook) is not written,
 * audited or announced. Payments the source leaves out are kept, so only the ones it sends are compared.
 */
function sameOrder(before: OrderState, after: OrderState): boolean {
  return (
    same(before.order, after.order, orderColumns) &&
    before.lines.length === after.lines.length &&
    before.lines.every((l, i) => same(l, after.lines[i]!, lineColumns)) &&
    after.payments.every((p) => before.payments.some((h) => same(h, p, paymentColumns)))
  )
}

/** The columns an order's input decides, alike for `upsertOrder` and `importOrders`. */
const orderFields = (input: OrderInput | OrderRecord, customerId: string | null) => ({
  order_number: input.orderNumber ?? null,
  customer_id: customerId,
  currency: input.currency,
  placed_at: input.placedAt,
  status: input.status ?? 'open',
  financial_status: input.financialStatus ?? null,
  subtotal_amount_minor: input.subtotalMinor ?? input.lines.reduce((sum, l) => sum + l.unitPriceMinor * l.quantity, 0),
  discount_amount_minor: input.discountMinor ?? 0,
  shipping_amount_minor: input.shippingMinor ?? 0,
  tax_amount_minor: input.taxMinor ?? 0,
  total_amount_minor: input.totalMinor,
  shipping_country: input.shippingCountry?.toUpperCase() ?? null,
})

const lineFields = (l: LineInput, position: number) => ({
  position,
  external_id: l.externalId ?? null,
  sku: l.sku ?? null,
  name: l.name,
  category: l.category ?? null,
  quantity: l.quantity,
  unit_price_amount_minor: l.unitPriceMinor,
  tax_amount_minor: l.taxMinor ?? 0,
  fulfilment_centre: l.fulfilmentCentre ?? null,
})

/** A payment as it will be held: captured when the order was placed unless the source says otherwise; a refunded total it leaves out stays. */
function paymentFields(
  p: PaymentInput | PaymentRecord,
  order: { currency: string; placedAt: Date },
  held: Pick<store.PaymentRow, 'provider' | 'reference' | 'refunded_amount_minor'>[],
) {
  return {
    provider: p.provider,
    reference: p.reference,
    currency: order.currency,
    captured_amount_minor: p.capturedMinor,
    refunded_amount_minor:
      p.refundedMinor ??
      held.find((h) => h.provider === p.provider && h.reference === p.reference)?.refunded_amount_minor ??
      0,
    captured_at: p.capturedAt ?? order.placedAt,
  }
}

async function recordPayment(
  trx: Trx,
  merchantId: string,
  orderId: string,
  currency: string,
  p: PaymentInput,
  now: Date,
) {
  if (p.refundedMinor !== undefined && p.refundedMinor > p.capturedMinor) {
    throw new AppError('refund_exceeds_captured', 'A payment cannot have more refunded than it captured', {
      reference: p.reference,
      captured_amount_minor: p.capturedMinor,
      refunded_amount_minor: p.refundedMinor,
    })
  }
  const row = await store.upsertPayment(trx, {
    merchant_id: merchantId,
    id: newId(),
    order_id: orderId,
    provider: p.provider,
    reference: p.reference,
    currency,
    captured_amount_minor: p.capturedMinor,
    captured_at: p.capturedAt ?? null,
    created_at: now,
    updated_at: now,
  })
  // The source's refunded total, when it sends one, is the truth; the table's check still guards it.
  if (p.refundedMinor !== undefined && p.refundedMinor !== row.refunded_amount_minor)
    await store.setRefunded(trx, merchantId, row.id, p.refundedMinor)
}

export async function getOrder(db: Db, merchantId: string, id: string): Promise<Order> {
  const row = await store.findOrder(db, merchantId, id)
  if (!row) throw new AppError('order_not_found', 'No such order', { order_id: id })
  return (await toOrders(db, merchantId, [row]))[0]!
}

export async function findOrderByExternalId(
  trx: Trx,
  merchantId: string,
  source: string,
  externalId: string,
): Promise<Order | undefined> {
  const row = await store.lockOrderByExternalId(trx, merchantId, source, externalId)
  return row ? (await toOrders(trx, merchantId, [row]))[0] : undefined
}

/** Locked until commit, as `findOrderByExternalId` locks one: a bulk import writes against them. */
export async function findOrdersByExternalId(
  trx: Trx,
  merchantId: string,
  source: string,
  externalIds: string[],
): Promise<Order[]> {
  return toOrders(trx, merchantId, await store.lockOrdersByExternalId(trx, merchantId, source, externalIds))
}

export async function listOrders(
  db: Db,
  merchantId: string,
  filter: { customerId?: string; source?: string; number?: string; after?: string; limit: number },
): Promise<Order[]> {
  const customerIds = filter.customerId ? await customerIdentity(db, merchantId, filter.customerId) : undefined
  return toOrders(db, merchantId, await store.listOrders(db, merchantId, { ...filter, customerIds }))
}

export async function deleteOrder(
  trx: Trx,
  merchantId: string,
  actor: AuditActor,
  id: string,
  now: Date,
  requestId?: string | null,
): Promise<void> {
  const row = await store.lockOrder(trx, merchantId, id)
  if (!row) throw new AppError('order_not_found', 'No such order', { order_id: id })
  await store.deleteOrder(trx, merchantId, id)
  await recordAudit(
    trx,
    {
      merchantId,
      actor,
      action: 'order.deleted',
      entityType: 'order',
      entityId: id,
      before: { source: row.source, external_id: row.external_id, ...summary(row, -1) },
      requestId,
    },
    now,
  )
  await enqueueEvent(trx, {
    merchant_id: merchantId,
    type: 'order.deleted',
    subject_id: id,
    occurred_at: now,
    data: { source: row.source, external_id: row.external_id },
  })
}

export type RefundInput = {
  orderId: string
  paymentId: string
  amountMinor: number
  /** The refund's id at its source (e.g. Shopify's refund transaction): the same one is applied once. */
  source?: string
  externalId?: string
  requestId?: string | null
}

/** Adds a refund to a payment, once per source refund id; never more than the payment still holds. */
async function paymentToRefund(trx: Trx, merchantId: string, input: RefundInput) {
  const payment = await store.lockPayment(trx, merchantId, input.orderId, input.paymentId)
  if (!payment)
    throw new AppError('payment_not_found', 'No such payment on this order', {
      order_id: input.orderId,
      payment_id: input.paymentId,
    })
  return payment
}

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

/** Records a refund with no approval of its own: one a verified provider webhook reports (Shopify refunds/create). */
export async function recordRefund(
  trx: Trx,
  merchantId: string,
  actor: AuditActor,
  input: RefundInput,
  now: Date,
): Promise<Payment> {
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
  await recordAudit(
    trx,
    {
      merchantId,
      actor,
      action: 'payment.refunded',
      entityType: 'payment',
      entityId: payment.id,
      before: { refunded_amount_minor: payment.refunded_amount_minor },
      after: { refunded_amount_minor: updated.refunded_amount_minor },
      requestId: input.requestId,
    },
    now,
  )
  await enqueueEvent(trx, {
    merchant_id: merchantId,
    type: 'payment.refunded',
    subject_id: payment.id,
    occurred_at: now,
    data: { order_id: input.orderId, amount_minor: input.amountMinor, currency: payment.currency },
  })
  return toPayment(updated)
}

/** An order as a bulk import holds it: every field given (null where the source has none). */
export type OrderRecord = {
  externalId: string
  orderNumber: string | null
  customer: CustomerRecord | null
  currency: string
  placedAt: Date
  status: 'open' | 'cancelled' | 'closed'
  financialStatus: string | null
  subtotalMinor: number
  discountMinor: number
  shippingMinor: number
  taxMinor: number
  totalMinor: number
  shippingCountry: string | null
  lines: LineRecord[]
  payments: PaymentRecord[]
}
export type LineRecord = Required<LineInput>
export type PaymentRecord = {
  provider: string
  reference: string
  capturedMinor: number
  refundedMinor: number | null
  capturedAt: Date | null
}

function groupByOrder<T extends { order_id: string }>(rows: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const r of rows) groups.set(r.order_id, [...(groups.get(r.order_id) ?? []), r])
  return groups
}

/**
 * Orders (with their customers, lines and payments) by their id at the writer's source, a batch at a time, with the
 * rules of `upsertOrder`; audited, not announced (the import announces itself). A batch's external ids are distinct.
 */
export async function importOrders(trx: Trx, w: Writer, records: OrderRecord[], now: Date): Promise<Outcome[]> {
  const customers = await importCustomers(
    trx,
    w,
    records.flatMap((r) => (r.customer ? [r.customer] : [])),
    now,
  )
  const existing = new Map(
    (
      await store.lockOrdersByExternalId(
        trx,
        w.merchantId,
        w.source,
        records.map((r) => r.externalId),
      )
    ).map((o) => [o.external_id, o]),
  )
  const existingIds = [...existing.values()].map((o) => o.id)
  const oldLines = groupByOrder(await store.listLines(trx, w.merchantId, existingIds))
  const oldPayments = groupByOrder(await store.listPayments(trx, w.merchantId, existingIds))
  const inserts: (store.OrderFields & { created_at: Date })[] = []
  const updates: (store.OrderFields & { created_at: Date })[] = []
  const lines: store.LineRow[] = []
  const payments: store.PaymentRow[] = []
  const lineCounts: { order_id: string; count: number }[] = []
  const audit: AuditInput[] = []
  const outcomes = records.map((r): Outcome => {
    const before = existing.get(r.externalId)
    const id = before?.id ?? newId()
    const customer = r.customer && customers.get(r.customer.externalId)!
    const row = {
      merchant_id: w.merchantId,
      id,
      source: w.source,
      external_id: r.externalId,
      ...orderFields(r, customer ? customer.id : (before?.customer_id ?? null)),
      created_at: now,
      updated_at: now,
    }
    const previousPayments = oldPayments.get(id) ?? []
    const newLines = r.lines.map(
      (l, position): store.LineRow => ({
        merchant_id: w.merchantId,
        order_id: id,
        id: newId(),
        ...lineFields(l, position),
      }),
    )
    const newPayments = r.payments.map(
      (p): store.PaymentRow => ({
        merchant_id: w.merchantId,
        id: newId(),
        order_id: id,
        ...paymentFields(p, r, previousPayments),
        created_at: now,
        updated_at: now,
      }),
    )
    const entity = {
      merchantId: w.merchantId,
      actor: w.actor,
      entityType: 'order',
      entityId: id,
      requestId: w.requestId,
    }
    if (before) {
      if (
        sameOrder(
          { order: before, lines: oldLines.get(id) ?? [], payments: previousPayments },
          { order: row, lines: newLines, payments: newPayments },
        )
      ) {
        return customer && customer.outcome !== 'unchanged' ? 'updated' : 'unchanged'
      }
      updates.push(row)
      lineCounts.push({ order_id: id, count: newLines.length })
      audit.push({ ...entity, action: 'order.updated', before: summary(before, -1), after: summary(row, -1) })
    } else {
      inserts.push(row)
      audit.push({
        ...entity,
        action: 'order.created',
        after: { source: w.source, external_id: r.externalId, ...summary(row, newLines.length) },
      })
    }
    lines.push(...newLines)
    payments.push(...newPayments)
    return before ? 'updated' : 'created'
  })
  if ((await store.insertOrders(trx, inserts)) !== inserts.length)
    throw new ConcurrentInsert('an order of this batch was inserted concurrently')
  await store.updateOrders(trx, updates)
  await store.upsertLines(trx, lines)
  await store.deleteSurplusLines(trx, w.merchantId, lineCounts)
  await store.upsertPayments(trx, payments)
  await recordAudits(trx, audit, now)
  return outcomes
}

/** Who bought and for how much, in one lookup: the context other modules put on their events. */
export async function getOrderSummary(
  db: Db,
  merchantId: string,
  id: string,
): Promise<{ id: string; customer_id: string | null; currency: string; total_amount_minor: number }> {
  const row = await store.findOrder(db, merchantId, id)
  if (!row) throw new AppError('order_not_found', 'No such order', { order_id: id })
  return {
    id: row.id,
    customer_id: row.customer_id,
    currency: row.currency,
    total_amount_minor: row.total_amount_minor,
  }
}
