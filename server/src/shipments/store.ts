import { sql, type Insertable, type Kysely, type RawBuilder, type Selectable } from 'kysely'
import { insertRows, type Columns } from '../db/multi-row.js'
import { executePrepared } from '../db/database.js'
import {
  type Db,
  type Trx,
  deleteOwned,
  keyedRows,
  keysetPage,
  lockByExternalId as lockExternalRow,
  lockByExternalIds,
  ownedRows,
  selectKeyed,
  selectOwned,
  updateKeyed,
  insertUnlessKnown,
} from '../db/owned.js'
import type { Database } from '../db/schema.js'

export type ShipmentRow = Selectable<Database['shipments']>

const byKey = keyedRows('shipments')

export const findShipment = byKey.find

export const lockShipment = byKey.lock

export async function findTrackingState(db: Kysely<Database> | Trx, merchantId: string, id: string) {
  return selectKeyed(db, 'shipments', merchantId, id)
    .select([
      'id',
      'status',
      'tracking_status',
      'tracking_sub_status',
      'tracking_status_at',
      'last_tracking_event_at',
      'shipped_at',
      'carrier_code',
    ])
    .executeTakeFirst()
}

export async function lockByExternalId(trx: Trx, merchantId: string, source: string, externalId: string) {
  return lockExternalRow(trx, 'shipments', merchantId, source, externalId)
}

export async function insertShipment(trx: Trx, row: Insertable<Database['shipments']>) {
  return insertUnlessKnown(trx, 'shipments', row)
}

export const updateShipment = byKey.update

export const deleteShipment = byKey.delete

type ShipmentLine = Database['shipment_lines']
const lineColumns: Columns<ShipmentLine> = [
  ['merchant_id', 'uuid'],
  ['shipment_id', 'uuid'],
  ['order_line_id', 'uuid'],
  ['quantity', 'int'],
]

export async function replaceLines(trx: Trx, merchantId: string, shipmentIds: string[], rows: ShipmentLine[]) {
  if (!shipmentIds.length) return
  await deleteOwned(trx, 'shipment_lines', merchantId).where('shipment_id', 'in', shipmentIds).execute()
  await insertRows(trx, 'shipment_lines', rows, lineColumns)
}

export async function listLines(db: Db, merchantId: string, shipmentIds: string[]) {
  if (!shipmentIds.length) return []
  return ownedRows(db, 'shipment_lines', merchantId)
    .where('shipment_id', 'in', shipmentIds)
    .orderBy('order_line_id')
    .execute()
}

export type ShipmentFilter = {
  orderIds?: string[]
  trackingNumber?: string
  carrierCode?: string
  trackingStatus?: string
  after?: string
  limit: number
}

export async function listShipments(db: Db, merchantId: string, f: ShipmentFilter) {
  let q = ownedRows(db, 'shipments', merchantId)
  if (f.orderIds)
    q = q.where('order_id', 'in', f.orderIds.length ? f.orderIds : ['00000000-0000-0000-0000-000000000000'])
  if (f.trackingNumber) q = q.where('tracking_number', '=', f.trackingNumber)
  if (f.carrierCode) q = q.where('carrier_code', '=', f.carrierCode)
  if (f.trackingStatus) q = q.where('tracking_status', '=', f.trackingStatus)
  return keysetPage(q, f).execute()
}

// Set-based SQL for bulk imports (db/multi-row.ts): a batch of 1,000 shipments is a few round trips.

export async function lockShipmentsByExternalId(trx: Trx, merchantId: string, source: string, externalIds: string[]) {
  return lockByExternalIds(trx, 'shipments', merchantId, source, externalIds)
}

const shipmentColumns = [
  ['merchant_id', 'uuid'],
  ['id', 'uuid'],
  ['order_id', 'uuid'],
  ['source', 'text'],
  ['external_id', 'text'],
  ['carrier_code', 'text'],
  ['carrier_name', 'text'],
  ['service', 'text'],
  ['tracking_number', 'text'],
  ['tracking_url', 'text'],
  ['fulfilment_centre', 'text'],
  ['status', 'text'],
  ['shipped_at', 'timestamptz'],
  ['declared_value_amount_minor', 'bigint'],
  ['declared_value_currency', 'char(3)'],
  ['destination_country', 'char(2)'],
  ['promised_delivery_on', 'date'],
  ['estimated_delivery_on', 'date'],
  ['delivered_at', 'timestamptz'],
  ['source_updated_at', 'timestamptz'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
] as const satisfies Columns<ShipmentRow>
const shipmentUpdates = shipmentColumns
  .map(([c]) => c)
  .filter((c) => !['merchant_id', 'id', 'source', 'external_id', 'created_at'].includes(c))

/** The columns a bulk import writes; any others keep their values (or defaults). */
export type ShipmentFields = Pick<ShipmentRow, (typeof shipmentColumns)[number][0]>

export async function upsertShipments(trx: Trx, rows: ShipmentFields[]): Promise<void> {
  const set = sql.join(shipmentUpdates.map((c) => sql`${sql.id(c)} = excluded.${sql.id(c)}`))
  await insertRows(
    trx,
    'shipments',
    rows,
    shipmentColumns,
    sql`on conflict (merchant_id, source, external_id) do update set ${set}`,
  )
}

export async function findIdsByTracking(
  db: Db,
  merchantId: string,
  carrierCode: string | null,
  trackingNumber: string,
): Promise<string[]> {
  let q = selectOwned(db, 'shipments', merchantId).select('id').where('tracking_number', '=', trackingNumber)
  if (carrierCode) q = q.where((eb) => eb.or([eb('carrier_code', '=', carrierCode), eb('carrier_code', 'is', null)]))
  // Prepared: the inbox drain runs it for every delivery.
  return (await executePrepared(db, q.orderBy('id'))).map((r) => r.id)
}

export type Overdue = {
  shipment_id: string
  order_id: string
  carrier_code: string | null
  carrier_name: string | null
  service: string | null
  tracking_number: string | null
  tracking_status: string | null
  last_tracking_event_at: Date | null
  shipped_at: Date | null
  due_at: Date | null
  since: Date | null
}

const openShipment = sql<boolean>`status not in ('delivered', 'returned', 'cancelled') and tracking_status is distinct from 'delivered'
  and tracking_status is distinct from 'returned_to_sender' and tracking_status is distinct from 'cancelled' and tracking_status is distinct from 'lost'`

/** Open shipments whose `due` instant has passed (and that match `where`), a page at a time in id order. */
async function listOverdue(
  db: Db,
  merchantId: string,
  since: 'stale_since' | 'late_since',
  due: RawBuilder<unknown>,
  where: RawBuilder<unknown>,
  now: Date,
  page: { after?: string; limit: number },
): Promise<Overdue[]> {
  const { rows } =
    await sql<Overdue>`select s.id as shipment_id, s.order_id, s.carrier_code, s.carrier_name, s.service, s.tracking_number, s.tracking_status,
      s.last_tracking_event_at, s.shipped_at, ${sql.ref(`s.${since}`)} as since, ${due} as due_at
    from shipments s
    where s.merchant_id = ${merchantId} and ${where} and ${due} < ${now}
      ${page.after ? sql`and s.id > ${page.after}` : sql``}
    order by s.id limit ${page.limit}`.execute(db)
  return rows
}

export async function listStale(
  db: Db,
  merchantId: string,
  rules: { carrier: string | null; service: string | null; hours: number }[],
  defaultHours: number,
  now: Date,
  page: { after?: string; limit: number },
): Promise<Overdue[]> {
  const limits = rules.length
    ? sql`(select r.hours from jsonb_to_recordset(${JSON.stringify(rules)}::jsonb) as r(carrier text, service text, hours numeric)
        where (r.carrier is null or r.carrier = s.carrier_code) and (r.service is null or lower(r.service) = lower(s.service))
        order by (r.carrier is not null)::int + (r.service is not null)::int desc limit 1)`
    : sql`null`
  const due = sql`coalesce(s.last_tracking_event_at, s.shipped_at) + make_interval(secs => 3600::numeric * coalesce(${limits}, ${defaultHours}::numeric))`
  return listOverdue(db, merchantId, 'stale_since', due, sql`s.shipped_at is not null and ${openShipment}`, now, page)
}

export async function listLate(
  db: Db,
  merchantId: string,
  now: Date,
  page: { after?: string; limit: number },
): Promise<Overdue[]> {
  const due = sql`coalesce(s.estimated_delivery_at, (s.estimated_delivery_on + 1)::timestamp at time zone 'UTC', (s.promised_delivery_on + 1)::timestamp at time zone 'UTC')`
  return listOverdue(db, merchantId, 'late_since', due, openShipment, now, page)
}

export async function markOverdue(
  trx: Trx,
  merchantId: string,
  shipmentId: string,
  kind: 'stale' | 'late',
  now: Date,
): Promise<boolean> {
  const column = kind === 'stale' ? 'stale_since' : 'late_since'
  const r = await updateKeyed(trx, 'shipments', merchantId, shipmentId)
    .set({ [column]: now })
    .where(column, 'is', null)
    .executeTakeFirst()
  return Number(r.numUpdatedRows) > 0
}
