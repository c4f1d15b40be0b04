import type { Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely'
import type { Database } from '../db/schema.js'

type Db = Kysely<Database> | Transaction<Database>
type Trx = Transaction<Database>

export type ShipmentRow = Selectable<Database['shipments']>

export async function findShipment(db: Db, merchantId: string, id: string) {
  return db.selectFrom('shipments').selectAll().where('merchant_id', '=', merchantId).where('id', '=', id).executeTakeFirst()
}

export async function lockShipment(trx: Trx, merchantId: string, id: string) {
  return trx.selectFrom('shipments').selectAll().where('merchant_id', '=', merchantId).where('id', '=', id).forUpdate().executeTakeFirst()
}

export async function lockByExternalId(trx: Trx, merchantId: string, source: string, externalId: string) {
  return trx.selectFrom('shipments').selectAll().where('merchant_id', '=', merchantId).where('source', '=', source).where('external_id', '=', externalId)
    .forUpdate().executeTakeFirst()
}

export async function insertShipment(trx: Trx, row: Insertable<Database['shipments']>) {
  return trx.insertInto('shipments').values(row).onConflict((oc) => oc.columns(['merchant_id', 'source', 'external_id']).doNothing()).returningAll().executeTakeFirst()
}

export async function updateShipment(trx: Trx, merchantId: string, id: string, patch: Updateable<Database['shipments']>) {
  return trx.updateTable('shipments').set(patch).where('merchant_id', '=', merchantId).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}

export async function deleteShipment(trx: Trx, merchantId: string, id: string) {
  await trx.deleteFrom('shipments').where('merchant_id', '=', merchantId).where('id', '=', id).execute()
}

export async function replaceLines(trx: Trx, merchantId: string, shipmentId: string, lines: { order_line_id: string; quantity: number }[]) {
  await trx.deleteFrom('shipment_lines').where('merchant_id', '=', merchantId).where('shipment_id', '=', shipmentId).execute()
  if (lines.length) await trx.insertInto('shipment_lines').values(lines.map((l) => ({ merchant_id: merchantId, shipment_id: shipmentId, ...l }))).execute()
}

export async function listLines(db: Db, merchantId: string, shipmentIds: string[]) {
  if (!shipmentIds.length) return []
  return db.selectFrom('shipment_lines').selectAll().where('merchant_id', '=', merchantId).where('shipment_id', 'in', shipmentIds).orderBy('order_line_id').execute()
}

export type ShipmentFilter = { orderIds?: string[]; trackingNumber?: string; carrierCode?: string; after?: string; limit: number }

export async function listShipments(db: Db, merchantId: string, f: ShipmentFilter) {
  let q = db.selectFrom('shipments').selectAll().where('merchant_id', '=', merchantId).orderBy('id').limit(f.limit)
  if (f.orderIds) q = q.where('order_id', 'in', f.orderIds.length ? f.orderIds : ['00000000-0000-0000-0000-000000000000'])
  if (f.trackingNumber) q = q.where('tracking_number', '=', f.trackingNumber)
  if (f.carrierCode) q = q.where('carrier_code', '=', f.carrierCode)
  if (f.after) q = q.where('id', '>', f.after)
  return q.execute()
}
