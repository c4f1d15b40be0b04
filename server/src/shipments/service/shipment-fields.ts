import type { Order } from '../../orders/service.js'
import { resolveCarrier } from '../carriers.js'
import type * as store from '../store.js'
import type { ShipmentInput, ShipmentRecord } from '../types.js'

// What upsertShipment and importShipments share: the columns an input decides, and whether a write changes anything.

export const summary = (s: store.ShipmentFields) => ({
  order_id: s.order_id,
  carrier_code: s.carrier_code,
  carrier_name: s.carrier_name,
  tracking_number: s.tracking_number,
  status: s.status,
  shipped_at: s.shipped_at,
  destination_country: s.destination_country,
  promised_delivery_on: s.promised_delivery_on,
})

const comparable = (v: unknown) => (v instanceof Date ? v.getTime() : (v ?? null))
const comparedColumns = [
  'order_id',
  'carrier_code',
  'carrier_name',
  'service',
  'tracking_number',
  'tracking_url',
  'fulfilment_centre',
  'status',
  'shipped_at',
  'declared_value_amount_minor',
  'declared_value_currency',
  'destination_country',
  'promised_delivery_on',
  'estimated_delivery_on',
  'delivered_at',
] as const
type ShipmentLineRef = { order_line_id: string; quantity: number }

/**
 * Whether writing `after` would change nothing: a repeat (an import re-run, a re-sent webhook) is
 * not written, audited or announced. `wanted` undefined: the lines are left as they are.
 */
export function sameShipment(
  before: store.ShipmentRow,
  after: Pick<store.ShipmentRow, (typeof comparedColumns)[number]>,
  held: ShipmentLineRef[],
  wanted?: ShipmentLineRef[],
): boolean {
  if (comparedColumns.some((c) => comparable(before[c]) !== comparable(after[c]))) return false
  const key = (l: ShipmentLineRef) => `${l.order_line_id}:${l.quantity}`
  return !wanted || JSON.stringify(held.map(key).sort()) === JSON.stringify(wanted.map(key).sort())
}

/** The columns a shipment's input decides, alike for `upsertShipment` and `importShipments`. */
export function shipmentFields(input: ShipmentInput | ShipmentRecord, order: Pick<Order, 'id' | 'shipping_country'>) {
  const carrier = resolveCarrier(input.carrier)
  return {
    order_id: order.id,
    carrier_code: carrier.code,
    carrier_name: carrier.name,
    service: input.service ?? null,
    tracking_number: input.trackingNumber?.trim() || null,
    tracking_url: input.trackingUrl ?? null,
    fulfilment_centre: input.fulfilmentCentre ?? null,
    status: input.status ?? (input.shippedAt ? 'shipped' : 'pending'),
    shipped_at: input.shippedAt ?? null,
    declared_value_amount_minor: input.declaredValue?.amountMinor ?? null,
    declared_value_currency: input.declaredValue?.currency ?? null,
    destination_country: (input.destinationCountry ?? order.shipping_country)?.toUpperCase() ?? null,
    promised_delivery_on: input.promisedDeliveryOn ?? null,
    estimated_delivery_on: input.estimatedDeliveryOn ?? null,
    delivered_at: input.deliveredAt ?? null,
  } as const
}
