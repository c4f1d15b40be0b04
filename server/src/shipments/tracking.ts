import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../db/schema.js'
import { enqueueEvent } from '../jobs/outbox.js'
import { getOrderSummary } from '../orders/service.js'
import type { ShipmentStatus } from './tables.js'

// The carrier's truth on a shipment: the carriers module hands over each tracker's state, and the
// shipment keeps the newest by event time and announces every change of status.

type Trx = Transaction<Database>
type Db = Kysely<Database> | Trx

export type TrackingState = {
  trackerId: string
  provider: string
  carrierCode: string | null
  carrierName: string | null
  trackingNumber: string
  status: string
  subStatus: string | null
  statusAt: Date | null
  confidence: 'high' | 'low'
  reviewReasons: string[]
  lastEventAt: Date | null
  estimatedDeliveryAt: Date | null
  signedBy: string | null
}

// The shipment's own coarse status, from the canonical tracking status; null leaves it as it is.
const coarse: Record<string, ShipmentStatus | null> = {
  unknown: null, info_received: null, in_transit: 'in_transit', out_for_delivery: 'in_transit', available_for_pickup: 'in_transit',
  delivered: 'delivered', attempt_failed: 'exception', delayed: 'exception', customs_hold: 'exception', exception: 'exception',
  damaged: 'exception', lost: 'exception', returned_to_sender: 'returned', cancelled: 'cancelled',
}

/** Shipments a tracker may be: the same tracking number, and the same carrier where both sides know it. */
export async function findShipmentIdsByTracking(db: Db, merchantId: string, carrierCode: string | null, trackingNumber: string): Promise<string[]> {
  let q = db.selectFrom('shipments').select('id').where('merchant_id', '=', merchantId).where('tracking_number', '=', trackingNumber)
  if (carrierCode) q = q.where((eb) => eb.or([eb('carrier_code', '=', carrierCode), eb('carrier_code', 'is', null)]))
  return (await q.orderBy('id').execute()).map((r) => r.id)
}

/**
 * Applies a tracker's state to a shipment unless the shipment already holds a newer one, and
 * announces `shipment.status_changed` (with order, customer and money context) when the status moves.
 */
export async function applyTracking(trx: Trx, merchantId: string, shipmentId: string, state: TrackingState, now: Date): Promise<'changed' | 'updated' | 'unchanged'> {
  const row = await trx.selectFrom('shipments').selectAll().where('merchant_id', '=', merchantId).where('id', '=', shipmentId).forUpdate().executeTakeFirst()
  if (!row) return 'unchanged'
  const newer = !row.tracking_status_at || (state.statusAt !== null && state.statusAt >= row.tracking_status_at)
  const lastEventAt = max(row.last_tracking_event_at, state.lastEventAt)
  const eventAdvanced = lastEventAt?.getTime() !== row.last_tracking_event_at?.getTime()
  if (!newer && !eventAdvanced) return 'unchanged'
  const status = newer ? state.status : row.tracking_status
  const statusChanged = newer && (row.tracking_status !== state.status || row.tracking_sub_status !== state.subStatus)
  const shipmentStatus = newer ? coarse[state.status] ?? row.status : row.status
  const delivered = newer && state.status === 'delivered'
  await trx.updateTable('shipments').set({
    ...(newer ? {
      tracking_status: state.status, tracking_sub_status: state.subStatus, tracking_status_at: state.statusAt, tracking_confidence: state.confidence,
      status: shipmentStatus, estimated_delivery_at: state.estimatedDeliveryAt ?? row.estimated_delivery_at,
      delivered_at: delivered ? row.delivered_at ?? state.statusAt : row.delivered_at,
    } : {}),
    last_tracking_event_at: lastEventAt,
    // A new scan ends a silence; a delivery ends lateness.
    stale_since: eventAdvanced ? null : row.stale_since,
    late_since: delivered ? null : row.late_since,
    updated_at: now,
  }).where('merchant_id', '=', merchantId).where('id', '=', shipmentId).execute()
  if (!statusChanged) return 'updated'
  const order = await getOrderSummary(trx, merchantId, row.order_id)
  await enqueueEvent(trx, {
    merchant_id: merchantId, type: 'shipment.status_changed', subject_id: shipmentId, occurred_at: state.statusAt ?? now,
    data: {
      shipment_id: shipmentId, order_id: order.id, customer_id: order.customer_id, tracker_id: state.trackerId, provider: state.provider,
      carrier: state.carrierCode, carrier_name: state.carrierName ?? row.carrier_name, tracking_number: state.trackingNumber,
      service: row.service, fulfilment_centre: row.fulfilment_centre, destination_country: row.destination_country,
      previous_status: row.tracking_status, status, sub_status: state.subStatus, shipment_status: shipmentStatus,
      confidence: state.confidence, review_reasons: state.reviewReasons, status_at: state.statusAt?.toISOString() ?? null,
      order_value: { amount_minor: order.total_amount_minor, currency: order.currency },
      declared_value: row.declared_value_amount_minor !== null ? { amount_minor: row.declared_value_amount_minor, currency: row.declared_value_currency } : null,
      estimated_delivery_at: state.estimatedDeliveryAt?.toISOString() ?? null, signed_by: state.signedBy,
    },
  })
  return 'changed'
}

const max = (a: Date | null, b: Date | null) => (!a ? b : !b ? a : a > b ? a : b)

export type Overdue = {
  shipment_id: string; order_id: string; carrier_code: string | null; carrier_name: string | null; service: string | null; tracking_number: string | null
  tracking_status: string | null; last_tracking_event_at: Date | null; shipped_at: Date | null; due_at: Date | null; since: Date | null
}

const openShipment = sql<boolean>`status not in ('delivered', 'returned', 'cancelled') and tracking_status is distinct from 'delivered'
  and tracking_status is distinct from 'returned_to_sender' and tracking_status is distinct from 'cancelled' and tracking_status is distinct from 'lost'`

/**
 * Shipments with no carrier event for longer than their carrier's (and service's) quiet limit: the
 * limits come as `{ carrier, service, hours }` rules, the most specific winning, `defaultHours` else.
 */
export async function listStaleShipments(db: Db, merchantId: string, rules: { carrier: string | null; service: string | null; hours: number }[], defaultHours: number, now: Date, page: { after?: string; limit: number }): Promise<Overdue[]> {
  const limits = rules.length
    ? sql`(select r.hours from jsonb_to_recordset(${JSON.stringify(rules)}::jsonb) as r(carrier text, service text, hours numeric)
        where (r.carrier is null or r.carrier = s.carrier_code) and (r.service is null or lower(r.service) = lower(s.service))
        order by (r.carrier is not null)::int + (r.service is not null)::int desc limit 1)`
    : sql`null`
  const { rows } = await sql<Overdue>`select s.id as shipment_id, s.order_id, s.carrier_code, s.carrier_name, s.service, s.tracking_number, s.tracking_status,
      s.last_tracking_event_at, s.shipped_at, s.stale_since as since,
      coalesce(s.last_tracking_event_at, s.shipped_at) + make_interval(secs => 3600::numeric * coalesce(${limits}, ${defaultHours}::numeric)) as due_at
    from shipments s
    where s.merchant_id = ${merchantId} and s.shipped_at is not null and ${openShipment}
      and coalesce(s.last_tracking_event_at, s.shipped_at) + make_interval(secs => 3600::numeric * coalesce(${limits}, ${defaultHours}::numeric)) < ${now}
      ${page.after ? sql`and s.id > ${page.after}` : sql``}
    order by s.id limit ${page.limit}`.execute(db)
  return rows
}

/** Shipments whose estimated (or else promised) delivery has passed without a delivery. */
export async function listLateShipments(db: Db, merchantId: string, now: Date, page: { after?: string; limit: number }): Promise<Overdue[]> {
  const due = sql`coalesce(s.estimated_delivery_at, (s.estimated_delivery_on + 1)::timestamp at time zone 'UTC', (s.promised_delivery_on + 1)::timestamp at time zone 'UTC')`
  const { rows } = await sql<Overdue>`select s.id as shipment_id, s.order_id, s.carrier_code, s.carrier_name, s.service, s.tracking_number, s.tracking_status,
      s.last_tracking_event_at, s.shipped_at, s.late_since as since, ${due} as due_at
    from shipments s
    where s.merchant_id = ${merchantId} and ${openShipment} and ${due} < ${now}
      ${page.after ? sql`and s.id > ${page.after}` : sql``}
    order by s.id limit ${page.limit}`.execute(db)
  return rows
}

/** Marks the episode announced; returns false when another worker got there first. */
export async function markOverdue(trx: Trx, merchantId: string, shipmentId: string, kind: 'stale' | 'late', now: Date): Promise<boolean> {
  const column = kind === 'stale' ? 'stale_since' : 'late_since'
  const r = await trx.updateTable('shipments').set({ [column]: now }).where('merchant_id', '=', merchantId).where('id', '=', shipmentId)
    .where(column, 'is', null).executeTakeFirst()
  return Number(r.numUpdatedRows) > 0
}
