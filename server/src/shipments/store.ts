import { sql, type Insertable, type Kysely, type Selectable, type Transaction, type Updateable } from 'kysely'
import { names, unnest, type Columns } from '../db/bulk.js'
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

type ShipmentLine = Database['shipment_lines']
const lineColumns: Columns<ShipmentLine> = [['merchant_id', 'uuid'], ['shipment_id', 'uuid'], ['order_line_id', 'uuid'], ['quantity', 'int']]

export async function replaceLines(trx: Trx, merchantId: string, shipmentIds: string[], rows: ShipmentLine[]) {
  if (!shipmentIds.length) return
  await trx.deleteFrom('shipment_lines').where('merchant_id', '=', merchantId).where('shipment_id', 'in', shipmentIds).execute()
  if (rows.length) await sql`insert into shipment_lines (${names(lineColumns)}) select * from ${unnest(rows, lineColumns)}`.execute(trx)
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

// Set-based SQL for bulk imports (db/bulk.ts): a batch of 1,000 shipments is a few round trips.

export async function lockShipmentsByExternalId(trx: Trx, merchantId: string, source: string, externalIds: string[]): Promise<ShipmentRow[]> {
  if (!externalIds.length) return []
  return trx.selectFrom('shipments').selectAll().where('merchant_id', '=', merchantId).where('source', '=', source)
    .where('external_id', 'in', externalIds).orderBy('id').forUpdate().execute()
}

const shipmentColumns = [
  ['merchant_id', 'uuid'], ['id', 'uuid'], ['order_id', 'uuid'], ['source', 'text'], ['external_id', 'text'], ['carrier_code', 'text'],
  ['carrier_name', 'text'], ['service', 'text'], ['tracking_number', 'text'], ['tracking_url', 'text'], ['fulfilment_centre', 'text'],
  ['status', 'text'], ['shipped_at', 'timestamptz'], ['declared_value_amount_minor', 'bigint'], ['declared_value_currency', 'char(3)'],
  ['destination_country', 'char(2)'], ['promised_delivery_on', 'date'], ['estimated_delivery_on', 'date'], ['delivered_at', 'timestamptz'],
  ['source_updated_at', 'timestamptz'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
] as const satisfies Columns<ShipmentRow>
const shipmentUpdates = shipmentColumns.map(([c]) => c).filter((c) => !['merchant_id', 'id', 'source', 'external_id', 'created_at'].includes(c))

/** The columns a bulk import writes; any others keep their values (or defaults). */
export type ShipmentFields = Pick<ShipmentRow, (typeof shipmentColumns)[number][0]>

export async function upsertShipments(trx: Trx, rows: ShipmentFields[]): Promise<void> {
  if (!rows.length) return
  await sql`insert into shipments (${names(shipmentColumns)}) select * from ${unnest(rows, shipmentColumns)}
    on conflict (merchant_id, source, external_id) do update set ${sql.join(shipmentUpdates.map((c) => sql`${sql.id(c)} = excluded.${sql.id(c)}`))}`.execute(trx)
}
