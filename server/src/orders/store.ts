import type { Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely'
import type { Database } from '../db/schema.js'

type Db = Kysely<Database> | Transaction<Database>
type Trx = Transaction<Database>

export type OrderRow = Selectable<Database['orders']>
export type LineRow = Selectable<Database['order_lines']>
export type PaymentRow = Selectable<Database['payments']>

export async function findOrder(db: Db, merchantId: string, id: string) {
  return db.selectFrom('orders').selectAll().where('merchant_id', '=', merchantId).where('id', '=', id).executeTakeFirst()
}

export async function lockOrderByExternalId(trx: Trx, merchantId: string, source: string, externalId: string) {
  return trx.selectFrom('orders').selectAll().where('merchant_id', '=', merchantId).where('source', '=', source).where('external_id', '=', externalId)
    .forUpdate().executeTakeFirst()
}

export async function lockOrder(trx: Trx, merchantId: string, id: string) {
  return trx.selectFrom('orders').selectAll().where('merchant_id', '=', merchantId).where('id', '=', id).forUpdate().executeTakeFirst()
}

/** Inserts, or does nothing when a concurrent writer inserted the same source order first. */
export async function insertOrder(trx: Trx, row: Insertable<Database['orders']>) {
  return trx.insertInto('orders').values(row).onConflict((oc) => oc.columns(['merchant_id', 'source', 'external_id']).doNothing()).returningAll().executeTakeFirst()
}

export async function updateOrder(trx: Trx, merchantId: string, id: string, patch: Updateable<Database['orders']>) {
  return trx.updateTable('orders').set(patch).where('merchant_id', '=', merchantId).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}

export async function deleteOrder(trx: Trx, merchantId: string, id: string) {
  await trx.deleteFrom('orders').where('merchant_id', '=', merchantId).where('id', '=', id).execute()
}

/** Lines are kept by position, so shipments that point at a line keep pointing at it across updates. */
export async function upsertLines(trx: Trx, merchantId: string, orderId: string, lines: Insertable<Database['order_lines']>[]) {
  if (lines.length) {
    await trx.insertInto('order_lines').values(lines).onConflict((oc) => oc.columns(['merchant_id', 'order_id', 'position']).doUpdateSet((eb) => ({
      external_id: eb.ref('excluded.external_id'), sku: eb.ref('excluded.sku'), name: eb.ref('excluded.name'), category: eb.ref('excluded.category'),
      quantity: eb.ref('excluded.quantity'), unit_price_amount_minor: eb.ref('excluded.unit_price_amount_minor'),
      tax_amount_minor: eb.ref('excluded.tax_amount_minor'), fulfilment_centre: eb.ref('excluded.fulfilment_centre'),
    }))).execute()
  }
  await trx.deleteFrom('order_lines').where('merchant_id', '=', merchantId).where('order_id', '=', orderId).where('position', '>=', lines.length).execute()
}

export async function listLines(db: Db, merchantId: string, orderIds: string[]) {
  if (!orderIds.length) return []
  return db.selectFrom('order_lines').selectAll().where('merchant_id', '=', merchantId).where('order_id', 'in', orderIds).orderBy('order_id').orderBy('position').execute()
}

export async function upsertPayment(trx: Trx, row: Insertable<Database['payments']>) {
  return trx.insertInto('payments').values(row).onConflict((oc) => oc.columns(['merchant_id', 'order_id', 'provider', 'reference']).doUpdateSet((eb) => ({
    captured_amount_minor: eb.ref('excluded.captured_amount_minor'), currency: eb.ref('excluded.currency'), captured_at: eb.ref('excluded.captured_at'), updated_at: eb.ref('excluded.updated_at'),
  }))).returningAll().executeTakeFirstOrThrow()
}

export async function listPayments(db: Db, merchantId: string, orderIds: string[]) {
  if (!orderIds.length) return []
  return db.selectFrom('payments').selectAll().where('merchant_id', '=', merchantId).where('order_id', 'in', orderIds).orderBy('id').execute()
}

export async function lockPayment(trx: Trx, merchantId: string, orderId: string, id: string) {
  return trx.selectFrom('payments').selectAll().where('merchant_id', '=', merchantId).where('order_id', '=', orderId).where('id', '=', id).forUpdate().executeTakeFirst()
}

export async function addRefunded(trx: Trx, merchantId: string, id: string, amountMinor: number, now: Date) {
  return trx.updateTable('payments').set((eb) => ({ refunded_amount_minor: eb('refunded_amount_minor', '+', amountMinor), updated_at: now }))
    .where('merchant_id', '=', merchantId).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}

export async function setRefunded(trx: Trx, merchantId: string, id: string, amountMinor: number) {
  await trx.updateTable('payments').set({ refunded_amount_minor: amountMinor }).where('merchant_id', '=', merchantId).where('id', '=', id).execute()
}

/** False when this source refund was recorded before: the caller must not apply it again. */
export async function insertRefund(trx: Trx, row: Insertable<Database['payment_refunds']>): Promise<boolean> {
  const inserted = await trx.insertInto('payment_refunds').values(row)
    .onConflict((oc) => oc.columns(['merchant_id', 'payment_id', 'source', 'external_id']).doNothing()).returning('id').executeTakeFirst()
  return inserted !== undefined
}

export type OrderFilter = { customerIds?: string[]; source?: string; after?: string; limit: number }

export async function listOrders(db: Db, merchantId: string, f: OrderFilter) {
  let q = db.selectFrom('orders').selectAll().where('merchant_id', '=', merchantId).orderBy('id').limit(f.limit)
  if (f.customerIds) q = q.where('customer_id', 'in', f.customerIds.length ? f.customerIds : ['00000000-0000-0000-0000-000000000000'])
  if (f.source) q = q.where('source', '=', f.source)
  if (f.after) q = q.where('id', '>', f.after)
  return q.execute()
}
