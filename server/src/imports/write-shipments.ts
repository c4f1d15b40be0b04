import type { Transaction } from 'kysely'
import type { Database } from '../db/schema.js'
import { upsertShipment } from '../shipments/service.js'
import * as store from './store.js'
import type { ValidShipment } from './types.js'
import type { Outcome, Writer } from './write-records.js'

type Trx = Transaction<Database>

const time = (d: Date | null) => d?.getTime() ?? null

/** Whether writing the shipment would change nothing: `upsertShipment` audits every update, so a re-run must not call it. */
function unchanged(row: NonNullable<Awaited<ReturnType<typeof store.findShipmentByExternalId>>>, s: ValidShipment, source: string): boolean {
  const status = s.status ?? (s.shippedAt ? 'shipped' : 'pending')
  const linesSame = !s.lines || (s.lines.length === row.lines.length
    && [...s.lines].sort((a, b) => a.position - b.position).every((l, i) => row.lines[i]!.position === l.position && row.lines[i]!.quantity === l.quantity))
  return row.order_source === source && row.order_external_id === s.orderExternalId && row.carrier_name === (s.carrier?.trim() || null)
    && row.service === s.service && row.tracking_number === s.trackingNumber && row.tracking_url === s.trackingUrl
    && row.fulfilment_centre === s.fulfilmentCentre && row.status === status && time(row.shipped_at) === time(s.shippedAt)
    && time(row.delivered_at) === time(s.deliveredAt) && row.declared_value_amount_minor === (s.declaredValue?.amountMinor ?? null)
    && row.declared_value_currency === (s.declaredValue?.currency ?? null)
    && (s.destinationCountry === null || row.destination_country === s.destinationCountry)
    && row.promised_delivery_on === s.promisedDeliveryOn && row.estimated_delivery_on === s.estimatedDeliveryOn && linesSame
}

/** Shipments go through the shipments service one by one (few per order, and it owns the line matching). */
export async function writeShipment(trx: Trx, w: Writer, s: ValidShipment, now: Date): Promise<Outcome> {
  const existing = await store.findShipmentByExternalId(trx, w.merchantId, w.source, s.externalId)
  if (existing && unchanged(existing, s, w.source)) return 'unchanged'
  const { outcome } = await upsertShipment(trx, w.merchantId, w.actor, {
    source: w.source, externalId: s.externalId, orderExternalId: s.orderExternalId, carrier: s.carrier, service: s.service,
    trackingNumber: s.trackingNumber, trackingUrl: s.trackingUrl, fulfilmentCentre: s.fulfilmentCentre, status: s.status ?? undefined,
    shippedAt: s.shippedAt, deliveredAt: s.deliveredAt, declaredValue: s.declaredValue, destinationCountry: s.destinationCountry,
    promisedDeliveryOn: s.promisedDeliveryOn, estimatedDeliveryOn: s.estimatedDeliveryOn,
    lines: s.lines?.map((l) => ({ position: l.position, quantity: l.quantity })), requestId: w.requestId,
  }, now)
  return outcome === 'stale' ? 'unchanged' : outcome
}
