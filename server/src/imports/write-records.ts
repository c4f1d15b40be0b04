import type { Transaction } from 'kysely'
import { recordAudits, type AuditActor, type AuditInput } from '../audit/service.js'
import type { Database } from '../db/schema.js'
import { newId } from '../ids.js'
import * as store from './store.js'
import type { ValidCustomer, ValidOrder } from './types.js'

// The batch path: a whole batch of validated records in one transaction, with set-based SQL and
// one audit entry per record written (none for records that did not change, so a re-run adds none).

type Trx = Transaction<Database>
export type Outcome = 'created' | 'updated' | 'unchanged'
export type Writer = { merchantId: string; source: string; actor: AuditActor; requestId: string }

/** A concurrent writer inserted one of the batch's records first: the batch is retried record by record. */
export class ConcurrentInsert extends Error {}

const personal = ['name', 'email', 'phone'] as const

// The same snapshots the customer and order services audit, so imported and API-made records read alike.
const customerSnapshot = (c: store.NewCustomer & Partial<store.CustomerRow>) => ({
  name: c.name, email: c.email, phone: c.phone, locale: c.locale, time_zone: c.time_zone, segment: c.segment,
  consent_email: c.consent_email ?? false, consent_sms: c.consent_sms ?? false, consent_whatsapp: c.consent_whatsapp ?? false,
})
const orderSummary = (o: store.OrderFields, lines: number) => ({
  order_number: o.order_number, customer_id: o.customer_id, currency: o.currency, status: o.status, financial_status: o.financial_status,
  total_amount_minor: o.total_amount_minor, shipping_country: o.shipping_country, line_count: lines,
})

function auditEntry(w: Writer, action: string, entityType: string, entityId: string, change: { before?: Record<string, unknown>; after: Record<string, unknown>; personal?: readonly string[] }): AuditInput {
  return { merchantId: w.merchantId, actor: w.actor, action, entityType, entityId, ...change, requestId: w.requestId }
}

type Resolved = { ids: Map<string, string>; outcomes: Map<string, Outcome> }

/**
 * Customers by their id at the import's source, as `upsertCustomer` would treat them: fields the input
 * leaves out (or leaves empty) keep their values, and a merged customer stands for its survivor.
 */
async function upsertCustomers(trx: Trx, w: Writer, inputs: ValidCustomer[], audit: AuditInput[], now: Date): Promise<Resolved> {
  const merged = new Map<string, ValidCustomer>()
  for (const c of inputs) {
    const prev = merged.get(c.externalId)
    merged.set(c.externalId, prev ? { ...prev, ...Object.fromEntries(Object.entries(c).filter(([, v]) => v !== null)) } : c)
  }
  const found = await store.lockCustomersByExternalId(trx, w.merchantId, w.source, [...merged.keys()])
  const rows = new Map<string, store.CustomerRow>(found.map((r) => [r.id, r]))
  const linked = new Map(found.map((r) => [r.external_id, r.id]))
  for (let pending: store.CustomerRow[] = found.filter((r) => r.merged_into_id); pending.length;) {
    for (const r of await store.lockCustomers(trx, w.merchantId, pending.map((p) => p.merged_into_id!))) rows.set(r.id, r)
    pending = [...rows.values()].filter((r) => r.merged_into_id && !rows.has(r.merged_into_id))
  }
  const survivor = (id: string) => {
    let row = rows.get(id)!
    while (row.merged_into_id) row = rows.get(row.merged_into_id)!
    return row
  }
  const ids = new Map<string, string>()
  const outcomes = new Map<string, Outcome>()
  const created: store.NewCustomer[] = []
  const createdLinks: { merchant_id: string; source: string; external_id: string; customer_id: string }[] = []
  const changed = new Map<string, { before: store.CustomerRow; after: store.NewCustomer; externalIds: string[] }>()
  for (const [externalId, c] of merged) {
    const existingId = linked.get(externalId)
    if (!existingId) {
      const row = { merchant_id: w.merchantId, id: newId(), name: c.name, email: c.email, phone: c.phone, locale: c.locale, time_zone: c.timeZone, segment: c.segment ?? 'retail', created_at: now, updated_at: now }
      created.push(row)
      createdLinks.push({ merchant_id: w.merchantId, source: w.source, external_id: externalId, customer_id: row.id })
      ids.set(externalId, row.id)
      outcomes.set(externalId, 'created')
      continue
    }
    const before = survivor(existingId)
    const entry = changed.get(before.id) ?? { before, after: { ...before }, externalIds: [] }
    const patch = { name: c.name, email: c.email, phone: c.phone, locale: c.locale, time_zone: c.timeZone, segment: c.segment }
    for (const [k, v] of Object.entries(patch)) if (v) (entry.after as Record<string, unknown>)[k] = v
    entry.externalIds.push(externalId)
    changed.set(before.id, entry)
    ids.set(externalId, before.id)
  }
  const updates: store.NewCustomer[] = []
  for (const { before, after, externalIds } of changed.values()) {
    const diff = JSON.stringify(customerSnapshot(before)) !== JSON.stringify(customerSnapshot(after as store.CustomerRow))
    for (const e of externalIds) outcomes.set(e, diff ? 'updated' : 'unchanged')
    if (!diff) continue
    updates.push({ ...after, updated_at: now })
    audit.push(auditEntry(w, 'customer.updated', 'customer', before.id, { before: customerSnapshot(before), after: customerSnapshot(after as store.CustomerRow), personal }))
  }
  await store.insertCustomers(trx, created)
  await store.insertCustomerExternalIds(trx, createdLinks)
  await store.updateCustomers(trx, updates)
  for (const row of created) audit.push(auditEntry(w, 'customer.created', 'customer', row.id, { after: customerSnapshot(row), personal }))
  return { ids, outcomes }
}

export async function writeCustomers(trx: Trx, w: Writer, records: ValidCustomer[], now: Date): Promise<Outcome[]> {
  const audit: AuditInput[] = []
  const { outcomes } = await upsertCustomers(trx, w, records, audit, now)
  await recordAudits(trx, audit, now)
  return records.map((r) => outcomes.get(r.externalId)!)
}

function groupByOrder<T extends { order_id: string }>(rows: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const r of rows) groups.set(r.order_id, [...(groups.get(r.order_id) ?? []), r])
  return groups
}

const sameLine = (a: store.LineRow | undefined, b: store.LineRow) => !!a && a.external_id === b.external_id && a.sku === b.sku && a.name === b.name
  && a.category === b.category && a.quantity === b.quantity && a.unit_price_amount_minor === b.unit_price_amount_minor
  && a.tax_amount_minor === b.tax_amount_minor && a.fulfilment_centre === b.fulfilment_centre
const orderFieldsSame = (a: store.OrderRow, b: store.OrderFields) => a.order_number === b.order_number && a.customer_id === b.customer_id
  && a.currency === b.currency && a.placed_at.getTime() === b.placed_at.getTime() && a.status === b.status && a.financial_status === b.financial_status
  && a.subtotal_amount_minor === b.subtotal_amount_minor && a.discount_amount_minor === b.discount_amount_minor
  && a.shipping_amount_minor === b.shipping_amount_minor && a.tax_amount_minor === b.tax_amount_minor
  && a.total_amount_minor === b.total_amount_minor && a.shipping_country === b.shipping_country

/** Orders (with their customers, lines and payments) by their id at the source; a batch's external ids are distinct. */
export async function writeOrders(trx: Trx, w: Writer, records: ValidOrder[], now: Date): Promise<Outcome[]> {
  const audit: AuditInput[] = []
  const customers = await upsertCustomers(trx, w, records.flatMap((r) => (r.customer ? [r.customer] : [])), audit, now)
  const existing = new Map((await store.lockOrdersByExternalId(trx, w.merchantId, w.source, records.map((r) => r.externalId))).map((o) => [o.external_id, o]))
  const existingIds = [...existing.values()].map((o) => o.id)
  const oldLines = groupByOrder(await store.listLines(trx, w.merchantId, existingIds))
  const oldPayments = groupByOrder(await store.listPayments(trx, w.merchantId, existingIds))
  const inserts: (store.OrderFields & { created_at: Date })[] = []
  const updates: (store.OrderFields & { created_at: Date })[] = []
  const lines: store.LineRow[] = []
  const payments: store.PaymentRow[] = []
  const lineCounts: { order_id: string; count: number }[] = []
  const outcomes = records.map((r): Outcome => {
    const before = existing.get(r.externalId)
    const id = before?.id ?? newId()
    const customerId = r.customer ? customers.ids.get(r.customer.externalId)! : before?.customer_id ?? null
    const row = {
      merchant_id: w.merchantId, id, source: w.source, external_id: r.externalId, order_number: r.orderNumber, customer_id: customerId,
      currency: r.currency, placed_at: r.placedAt, status: r.status, financial_status: r.financialStatus, subtotal_amount_minor: r.subtotalMinor,
      discount_amount_minor: r.discountMinor, shipping_amount_minor: r.shippingMinor, tax_amount_minor: r.taxMinor, total_amount_minor: r.totalMinor,
      shipping_country: r.shippingCountry, created_at: now, updated_at: now,
    }
    const previousLines = oldLines.get(id) ?? []
    const newLines = r.lines.map((l, position): store.LineRow => ({
      merchant_id: w.merchantId, order_id: id, id: newId(), position, external_id: l.externalId, sku: l.sku, name: l.name, category: l.category,
      quantity: l.quantity, unit_price_amount_minor: l.unitPriceMinor, tax_amount_minor: l.taxMinor, fulfilment_centre: l.fulfilmentCentre,
    }))
    const previousPayments = oldPayments.get(id) ?? []
    const newPayments = r.payments.map((p): store.PaymentRow => {
      const old = previousPayments.find((o) => o.provider === p.provider && o.reference === p.reference)
      return {
        merchant_id: w.merchantId, id: newId(), order_id: id, provider: p.provider, reference: p.reference, currency: r.currency,
        captured_amount_minor: p.capturedMinor, refunded_amount_minor: p.refundedMinor ?? old?.refunded_amount_minor ?? 0,
        // As the order service does: a capture time defaults to when the order was placed.
        captured_at: p.capturedAt ?? r.placedAt, created_at: now, updated_at: now,
      }
    })
    const customerChanged = !!r.customer && customers.outcomes.get(r.customer.externalId) !== 'unchanged'
    if (before) {
      const same = orderFieldsSame(before, row) && previousLines.length === newLines.length && newLines.every((l, i) => sameLine(previousLines[i], l))
        && newPayments.every((p) => previousPayments.some((o) => o.provider === p.provider && o.reference === p.reference && o.currency === p.currency
          && o.captured_amount_minor === p.captured_amount_minor && o.refunded_amount_minor === p.refunded_amount_minor
          && o.captured_at?.getTime() === p.captured_at?.getTime()))
      if (same) return customerChanged ? 'updated' : 'unchanged'
      updates.push(row)
      lineCounts.push({ order_id: id, count: newLines.length })
      audit.push(auditEntry(w, 'order.updated', 'order', id, { before: orderSummary(before, -1), after: orderSummary(row, -1) }))
    } else {
      inserts.push(row)
      audit.push(auditEntry(w, 'order.created', 'order', id, { after: { source: w.source, external_id: r.externalId, ...orderSummary(row, newLines.length) } }))
    }
    lines.push(...newLines)
    payments.push(...newPayments)
    return before ? 'updated' : 'created'
  })
  if ((await store.insertOrders(trx, inserts)) !== inserts.length) throw new ConcurrentInsert('an order of this batch was inserted concurrently')
  await store.updateOrders(trx, updates)
  await store.upsertLines(trx, lines)
  await store.deleteSurplusLines(trx, w.merchantId, lineCounts)
  await store.upsertPayments(trx, payments)
  await recordAudits(trx, audit, now)
  return outcomes
}
