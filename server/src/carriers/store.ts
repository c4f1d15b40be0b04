import { sql, type Insertable, type Selectable, type Updateable } from 'kysely'
import { type Db, type Trx, findKeyed, ownedRows, selectOwned, updateKeyed } from '../db/owned.js'
import type { Database } from '../db/schema.js'
import { names, unnest, type Columns } from '../db/multi-row.js'
import { allColumns, executePrepared } from '../db/database.js'
import { statusRank, trackingStatuses } from './model.js'

export type TrackerRow = Selectable<Database['trackers']>
export type TrackingEventRow = Selectable<Database['tracking_events']>

// The inbox drain's statements below are prepared (run per delivery), so their results name their columns.
const trackerColumns = allColumns<Database['trackers']>()([
  'merchant_id',
  'id',
  'carrier_key',
  'carrier_code',
  'carrier_name',
  'tracking_number',
  'carrier_ref',
  'provider',
  'provider_tracker_id',
  'status',
  'sub_status',
  'provider_status',
  'provider_sub_status',
  'status_at',
  'confidence',
  'review_reasons',
  'estimated_delivery_at',
  'signed_by',
  'last_event_at',
  'last_received_at',
  'created_at',
  'updated_at',
])

const one = <T>(rows: T[]): T => {
  if (!rows[0]) throw new Error('carriers: the statement returned no row')
  return rows[0]
}

/** Creates the tracker or touches it, and locks it: one writer at a time per parcel. */
export async function upsertTracker(trx: Trx, row: Insertable<Database['trackers']>): Promise<TrackerRow> {
  return one(
    await executePrepared(
      trx,
      trx
        .insertInto('trackers')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['merchant_id', 'carrier_key', 'tracking_number', 'carrier_ref']).doUpdateSet((eb) => ({
            last_received_at: sql`greatest(trackers.last_received_at, ${eb.ref('excluded.last_received_at')})`,
            provider_tracker_id: sql`coalesce(${eb.ref('excluded.provider_tracker_id')}, trackers.provider_tracker_id)`,
          })),
        )
        .returning(trackerColumns),
    ),
  )
}

export async function updateTracker(
  trx: Trx,
  merchantId: string,
  id: string,
  patch: Updateable<Database['trackers']>,
): Promise<TrackerRow> {
  return one(
    await executePrepared(trx, updateKeyed(trx, 'trackers', merchantId, id).set(patch).returning(trackerColumns)),
  )
}

type NewEvent = Insertable<Database['tracking_events']> & { location: string | null }
const eventColumns = [
  ['merchant_id', 'uuid'],
  ['id', 'uuid'],
  ['tracker_id', 'uuid'],
  ['event_key', 'text'],
  ['status', 'text'],
  ['sub_status', 'text'],
  ['provider_status', 'text'],
  ['provider_sub_status', 'text'],
  ['code', 'text'],
  ['message', 'text'],
  ['occurred_at', 'timestamptz'],
  ['utc_offset_minutes', 'int'],
  ['location', 'jsonb'],
  ['facility', 'text'],
  ['device', 'text'],
  ['driver', 'text'],
  ['signed_by', 'text'],
  ['delivery_id', 'uuid'],
  ['recorded_at', 'timestamptz'],
] as const satisfies Columns<NewEvent>
// insertEvents returns whole rows by these names: like trackerColumns, they must stay every column (a compile-time check).
allColumns<Database['tracking_events']>()(eventColumns.map(([c]) => c))

/** Inserts the events not seen before; returns those that went in. */
export async function insertEvents(trx: Trx, rows: NewEvent[]): Promise<TrackingEventRow[]> {
  if (!rows.length) return []
  return executePrepared(
    trx,
    sql<TrackingEventRow>`insert into tracking_events (${names(eventColumns)}) select ${names(eventColumns)} from ${unnest(rows, eventColumns)}
    on conflict (merchant_id, tracker_id, event_key) do nothing returning ${names(eventColumns)}`,
  )
}

// Newest by event time; at the same instant the status further along (model.ts statusRank), then the
// key: any arrival order of the same events gives the same answer.
const statusOrder = sql`case status ${sql.join(
  trackingStatuses.map((s) => sql`when ${s} then ${statusRank(s)}`),
  sql` `,
)} end`

export async function findNewestEvent(
  trx: Trx,
  merchantId: string,
  trackerId: string,
): Promise<TrackingEventRow | undefined> {
  return ownedRows(trx, 'tracking_events', merchantId)
    .where('tracker_id', '=', trackerId)
    .orderBy('occurred_at', 'desc')
    .orderBy(statusOrder, 'desc')
    .orderBy('event_key', 'desc')
    .limit(1)
    .executeTakeFirst()
}

export async function findTracker(db: Db, merchantId: string, id: string): Promise<TrackerRow | undefined> {
  return findKeyed(db, 'trackers', merchantId, id)
}

export async function listEvents(
  db: Db,
  merchantId: string,
  trackerIds: string[],
  limit = 500,
): Promise<TrackingEventRow[]> {
  if (!trackerIds.length) return []
  return ownedRows(db, 'tracking_events', merchantId)
    .where('tracker_id', 'in', trackerIds)
    .orderBy('occurred_at', 'desc')
    .orderBy(statusOrder, 'desc')
    .orderBy('event_key', 'desc')
    .limit(limit)
    .execute()
}

/** Trackers (of any carrier) for these tracking numbers: a shipment finds the parcels it is. */
export async function lockTrackersByNumber(
  trx: Trx,
  merchantId: string,
  trackingNumber: string,
): Promise<TrackerRow[]> {
  return ownedRows(trx, 'trackers', merchantId)
    .where('tracking_number', '=', trackingNumber)
    .orderBy('id')
    .forUpdate()
    .execute()
}

export async function linkShipments(
  trx: Trx,
  merchantId: string,
  trackerId: string,
  shipmentIds: string[],
  now: Date,
): Promise<string[]> {
  if (!shipmentIds.length) return []
  const rows = await trx
    .insertInto('tracker_shipments')
    .values(
      shipmentIds.map((shipment_id) => ({
        merchant_id: merchantId,
        tracker_id: trackerId,
        shipment_id,
        linked_at: now,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .returning('shipment_id')
    .execute()
  return rows.map((r) => r.shipment_id)
}

export async function listLinkedShipmentIds(db: Db, merchantId: string, trackerId: string): Promise<string[]> {
  return (
    await selectOwned(db, 'tracker_shipments', merchantId)
      .select('shipment_id')
      .where('tracker_id', '=', trackerId)
      .execute()
  ).map((r) => r.shipment_id)
}

export async function listTrackersForShipment(db: Db, merchantId: string, shipmentId: string): Promise<TrackerRow[]> {
  return db
    .selectFrom('trackers')
    .innerJoin('tracker_shipments as l', (j) =>
      j.onRef('l.merchant_id', '=', 'trackers.merchant_id').onRef('l.tracker_id', '=', 'trackers.id'),
    )
    .selectAll('trackers')
    .where('l.merchant_id', '=', merchantId)
    .where('l.shipment_id', '=', shipmentId)
    .orderBy('trackers.id')
    .execute()
}

export async function insertMedia(trx: Trx, row: Insertable<Database['tracking_media']>): Promise<boolean> {
  const r = await trx
    .insertInto('tracking_media')
    .values(row)
    .onConflict((oc) => oc.columns(['merchant_id', 'tracker_id', 'sha256']).doNothing())
    .executeTakeFirst()
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0
}

export async function hasMedia(db: Db, merchantId: string, trackerId: string, sha256: string): Promise<boolean> {
  return (
    (await selectOwned(db, 'tracking_media', merchantId)
      .select('id')
      .where('tracker_id', '=', trackerId)
      .where('sha256', '=', sha256)
      .executeTakeFirst()) !== undefined
  )
}

export async function listMedia(db: Db, merchantId: string, trackerIds: string[]) {
  if (!trackerIds.length) return []
  return ownedRows(db, 'tracking_media', merchantId)
    .where('tracker_id', 'in', trackerIds)
    .orderBy('created_at')
    .execute()
}

export async function findMedia(db: Db, merchantId: string, trackerId: string, id: string) {
  return ownedRows(db, 'tracking_media', merchantId)
    .where('tracker_id', '=', trackerId)
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function findSettings(db: Db, merchantId: string) {
  return ownedRows(db, 'tracking_settings', merchantId).executeTakeFirst()
}

export async function saveSettings(trx: Trx, row: Insertable<Database['tracking_settings']>) {
  return trx
    .insertInto('tracking_settings')
    .values(row)
    .onConflict((oc) =>
      oc.column('merchant_id').doUpdateSet((eb) => ({
        stale_after_hours: eb.ref('excluded.stale_after_hours'),
        stale_rules: eb.ref('excluded.stale_rules'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .returningAll()
    .executeTakeFirstOrThrow()
}
