import { sql, type Insertable, type Selectable } from 'kysely'
import { insertRows, unnest, type Columns } from '../db/multi-row.js'
import {
  type Db,
  type Trx,
  keyedRows,
  keysetPage,
  lockByExternalId,
  lockByExternalIds,
  ownedRows,
  updateKeyed,
  insertUnlessKnown,
} from '../db/owned.js'
import type { Database } from '../db/schema.js'

export type OrderRow = Selectable<Database['orders']>
export type LineRow = Selectable<Database['order_lines']>
export type PaymentRow = Selectable<Database['payments']>

const byKey = keyedRows('orders')

export const findOrder = byKey.find

export async function lockOrderByExternalId(trx: Trx, merchantId: string, source: string, externalId: string) {
  return lockByExternalId(trx, 'orders', merchantId, source, externalId)
}

export const lockOrder = byKey.lock

/** Inserts, or does nothing when a concurrent writer inserted the same source order first. */
export async function insertOrder(trx: Trx, row: Insertable<Database['orders']>) {
  return insertUnlessKnown(trx, 'orders', row)
}

export const updateOrder = byKey.update

export const deleteOrder = byKey.delete

// An array parameter, not a list of them: a bulk import asks for a thousand orders' lines and payments at once.
export async function listLines(db: Db, merchantId: string, orderIds: string[]) {
  if (!orderIds.length) return []
  return ownedRows(db, 'order_lines', merchantId)
    .where('order_id', '=', sql<string>`any(${orderIds}::uuid[])`)
    .orderBy('order_id')
    .orderBy('position')
    .execute()
}

export async function upsertPayment(trx: Trx, row: Insertable<Database['payments']>) {
  return trx
    .insertInto('payments')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['merchant_id', 'order_id', 'provider', 'reference']).doUpdateSet((eb) => ({
        captured_amount_minor: eb.ref('excluded.captured_amount_minor'),
        currency: eb.ref('excluded.currency'),
        captured_at: eb.ref('excluded.captured_at'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function listPayments(db: Db, merchantId: string, orderIds: string[]) {
  if (!orderIds.length) return []
  return ownedRows(db, 'payments', merchantId)
    .where('order_id', '=', sql<string>`any(${orderIds}::uuid[])`)
    .orderBy('id')
    .execute()
}

export async function lockPayment(trx: Trx, merchantId: string, orderId: string, id: string) {
  return ownedRows(trx, 'payments', merchantId)
    .where('order_id', '=', orderId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()
}

export async function addRefunded(trx: Trx, merchantId: string, id: string, amountMinor: number, now: Date) {
  return updateKeyed(trx, 'payments', merchantId, id)
    .set((eb) => ({ refunded_amount_minor: eb('refunded_amount_minor', '+', amountMinor), updated_at: now }))
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function setRefunded(trx: Trx, merchantId: string, id: string, amountMinor: number) {
  await updateKeyed(trx, 'payments', merchantId, id).set({ refunded_amount_minor: amountMinor }).execute()
}

/** False when this source refund was recorded before: the caller must not apply it again. */
export async function insertRefund(trx: Trx, row: Insertable<Database['payment_refunds']>): Promise<boolean> {
  const inserted = await trx
    .insertInto('payment_refunds')
    .values(row)
    .onConflict((oc) => oc.columns(['merchant_id', 'payment_id', 'source', 'external_id']).doNothing())
    .returning('id')
    .executeTakeFirst()
  return inserted !== undefined
}

export type OrderFilter = { customerIds?: string[]; source?: string; number?: string; after?: string; limit: number }

export async function listOrders(db: Db, merchantId: string, f: OrderFilter) {
  let q = ownedRows(db, 'orders', merchantId)
  if (f.customerIds)
    q = q.where('customer_id', 'in', f.customerIds.length ? f.customerIds : ['00000000-0000-0000-0000-000000000000'])
  if (f.source) q = q.where('source', '=', f.source)
  // Shops print `#3966`; people type either (orders_number_idx).
  if (f.number) q = q.where(sql<string>`ltrim(order_number, '#')`, '=', f.number.replace(/^#+/, ''))
  return keysetPage(q, f).execute()
}

// Set-based SQL (db/multi-row.ts), so a 1,000-order import batch is a dozen round trips, not 10,000.

export async function lockOrdersByExternalId(trx: Trx, merchantId: string, source: string, externalIds: string[]) {
  return lockByExternalIds(trx, 'orders', merchantId, source, externalIds)
}

export type OrderFields = Omit<OrderRow, 'created_at' | 'source_updated_at'>
const orderColumns: Columns<OrderFields & { created_at: Date }> = [
  ['merchant_id', 'uuid'],
  ['id', 'uuid'],
  ['source', 'text'],
  ['external_id', 'text'],
  ['order_number', 'text'],
  ['customer_id', 'uuid'],
  ['currency', 'char(3)'],
  ['placed_at', 'timestamptz'],
  ['status', 'text'],
  ['financial_status', 'text'],
  ['subtotal_amount_minor', 'bigint'],
  ['discount_amount_minor', 'bigint'],
  ['shipping_amount_minor', 'bigint'],
  ['tax_amount_minor', 'bigint'],
  ['total_amount_minor', 'bigint'],
  ['shipping_country', 'char(2)'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
]

/** Inserts the new orders; returns how many went in (fewer means a concurrent writer got there first). */
export async function insertOrders(trx: Trx, rows: (OrderFields & { created_at: Date })[]): Promise<number> {
  return insertRows(trx, 'orders', rows, orderColumns, sql`on conflict (merchant_id, source, external_id) do nothing`)
}

export async function updateOrders(trx: Trx, rows: (OrderFields & { created_at: Date })[]): Promise<void> {
  if (!rows.length) return
  await sql`update orders o set order_number = u.order_number, customer_id = u.customer_id, currency = u.currency, placed_at = u.placed_at,
      status = u.status, financial_status = u.financial_status, subtotal_amount_minor = u.subtotal_amount_minor,
      discount_amount_minor = u.discount_amount_minor, shipping_amount_minor = u.shipping_amount_minor, tax_amount_minor = u.tax_amount_minor,
      total_amount_minor = u.total_amount_minor, shipping_country = u.shipping_country, updated_at = u.updated_at
    from ${unnest(rows, orderColumns)} where o.merchant_id = u.merchant_id and o.id = u.id`.execute(trx)
}

const lineColumns: Columns<LineRow> = [
  ['merchant_id', 'uuid'],
  ['order_id', 'uuid'],
  ['id', 'uuid'],
  ['external_id', 'text'],
  ['position', 'int'],
  ['sku', 'text'],
  ['name', 'text'],
  ['category', 'text'],
  ['quantity', 'int'],
  ['unit_price_amount_minor', 'bigint'],
  ['tax_amount_minor', 'bigint'],
  ['fulfilment_centre', 'text'],
]

/** Lines are kept by position, so shipments that point at a line keep pointing at it across updates. */
export async function upsertLines(trx: Trx, rows: LineRow[]): Promise<void> {
  await insertRows(
    trx,
    'order_lines',
    rows,
    lineColumns,
    sql`on conflict (merchant_id, order_id, position) do update set external_id = excluded.external_id, sku = excluded.sku, name = excluded.name,
      category = excluded.category, quantity = excluded.quantity, unit_price_amount_minor = excluded.unit_price_amount_minor,
      tax_amount_minor = excluded.tax_amount_minor, fulfilment_centre = excluded.fulfilment_centre`,
  )
}

/** Removes the lines past each order's new line count. */
export async function deleteSurplusLines(
  trx: Trx,
  merchantId: string,
  counts: { order_id: string; count: number }[],
): Promise<void> {
  if (!counts.length) return
  await sql`delete from order_lines l using ${unnest(counts, [
    ['order_id', 'uuid'],
    ['count', 'int'],
  ])}
    where l.merchant_id = ${merchantId} and l.order_id = u.order_id and l.position >= u.count`.execute(trx)
}

const paymentColumns: Columns<PaymentRow> = [
  ['merchant_id', 'uuid'],
  ['id', 'uuid'],
  ['order_id', 'uuid'],
  ['provider', 'text'],
  ['reference', 'text'],
  ['currency', 'char(3)'],
  ['captured_amount_minor', 'bigint'],
  ['refunded_amount_minor', 'bigint'],
  ['captured_at', 'timestamptz'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
]

/** Unlike `upsertPayment`, sets the refunded total too; the table's check (refunded ≤ captured) still guards every row. */
export async function upsertPayments(trx: Trx, rows: PaymentRow[]): Promise<void> {
  await insertRows(
    trx,
    'payments',
    rows,
    paymentColumns,
    sql`on conflict (merchant_id, order_id, provider, reference) do update set captured_amount_minor = excluded.captured_amount_minor,
      currency = excluded.currency, refunded_amount_minor = excluded.refunded_amount_minor, captured_at = excluded.captured_at,
      updated_at = excluded.updated_at`,
  )
}
