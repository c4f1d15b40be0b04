import type { Transaction } from 'kysely'
import type { Database } from '../db/schema.js'
import { enqueueEvent } from '../jobs/outbox.js'
import { getOrderSummary } from '../orders/service.js'
import * as store from './store.js'
import type { ShipmentStatus } from './tables.js'

// The carrier's truth on a shipment: the carriers module hands over each tracker's state, and the
// shipment keeps the newest by event time and announces every change of status.

type Trx = Transaction<Database>

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
  unknown: null,
  info_received: null,
  in_transit: 'in_transit',
  out_for_delivery: 'in_transit',
  available_for_pickup: 'in_transit',
  delivered: 'delivered',
  attempt_failed: 'exception',
  delayed: 'exception',
  customs_hold: 'exception',
  exception: 'exception',
  damaged: 'exception',
  lost: 'exception',
  returned_to_sender: 'returned',
  cancelled: 'cancelled',
}

/** Shipments a tracker may be: the same tracking number, and the same carrier where both sides know it. */
export const findShipmentIdsByTracking = store.findIdsByTracking

/**
 * Applies a tracker's state to a shipment unless the shipment already holds a newer one, and
 * announces `shipment.status_changed` (with order, customer and money context) when the status moves.
 */
export async function applyTracking(
  trx: Trx,
  merchantId: string,
  shipmentId: string,
  state: TrackingState,
  now: Date,
): Promise<'changed' | 'updated' | 'unchanged'> {
  const row = await store.lockShipment(trx, merchantId, shipmentId)
  if (!row) return 'unchanged'
  const newer = !row.tracking_status_at || (state.statusAt !== null && state.statusAt >= row.tracking_status_at)
  const lastEventAt = max(row.last_tracking_event_at, state.lastEventAt)
  const eventAdvanced = lastEventAt?.getTime() !== row.last_tracking_event_at?.getTime()
  if (!newer && !eventAdvanced) return 'unchanged'
  const statusChanged = newer && (row.tracking_status !== state.status || row.tracking_sub_status !== state.subStatus)
  const shipmentStatus = newer ? (coarse[state.status] ?? row.status) : row.status
  const delivered = newer && state.status === 'delivered'
  await store.updateShipment(trx, merchantId, shipmentId, {
    ...(newer
      ? {
          tracking_status: state.status,
          tracking_sub_status: state.subStatus,
          tracking_status_at: state.statusAt,
          tracking_confidence: state.confidence,
          status: shipmentStatus,
          estimated_delivery_at: state.estimatedDeliveryAt ?? row.estimated_delivery_at,
          delivered_at: delivered ? (row.delivered_at ?? state.statusAt) : row.delivered_at,
        }
      : {}),
    last_tracking_event_at: lastEventAt,
    // A new scan ends a silence; a delivery ends lateness.
    stale_since: eventAdvanced ? null : row.stale_since,
    late_since: delivered ? null : row.late_since,
    updated_at: now,
  })
  if (!statusChanged) return 'updated'
  const order = await getOrderSummary(trx, merchantId, row.order_id)
  await enqueueEvent(trx, {
    merchant_id: merchantId,
    type: 'shipment.status_changed',
    subject_id: shipmentId,
    occurred_at: state.statusAt ?? now,
    data: {
      shipment_id: shipmentId,
      order_id: order.id,
      customer_id: order.customer_id,
      tracker_id: state.trackerId,
      provider: state.provider,
      carrier: state.carrierCode,
      carrier_name: state.carrierName ?? row.carrier_name,
      tracking_number: state.trackingNumber,
      service: row.service,
      fulfilment_centre: row.fulfilment_centre,
      destination_country: row.destination_country,
      previous_status: row.tracking_status,
      status: state.status, // it changed, so the state is newer
      sub_status: state.subStatus,
      shipment_status: shipmentStatus,
      confidence: state.confidence,
      review_reasons: state.reviewReasons,
      status_at: state.statusAt?.toISOString() ?? null,
      order_value: { amount_minor: order.total_amount_minor, currency: order.currency },
      declared_value:
        row.declared_value_amount_minor !== null
          ? { amount_minor: row.declared_value_amount_minor, currency: row.declared_value_currency }
          : null,
      estimated_delivery_at: state.estimatedDeliveryAt?.toISOString() ?? null,
      signed_by: state.signedBy,
    },
  })
  return 'changed'
}

const max = (a: Date | null, b: Date | null) => (!a ? b : !b ? a : a > b ? a : b)

/** Where a shipment's tracking stands now (for checks that fire later, e.g. watch windows). */
export const getTrackingState = store.findTrackingState

export type { Overdue } from './store.js'

/**
 * Shipments with no carrier event for longer than their carrier's (and service's) quiet limit: the
 * limits come as `{ carrier, service, hours }` rules, the most specific winning, `defaultHours` else.
 */
export const listStaleShipments = store.listStale

/** Shipments whose estimated (or else promised) delivery has passed without a delivery. */
export const listLateShipments = store.listLate

/** Marks the episode announced; returns false when another worker got there first. */
export const markOverdue = store.markOverdue
