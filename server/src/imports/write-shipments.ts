import type { Transaction } from 'kysely'
import type { Database } from '../db/schema.js'
import { upsertShipment } from '../shipments/service.js'
import type { ValidShipment } from './types.js'
import type { Outcome, Writer } from './write-records.js'

type Trx = Transaction<Database>

/** Shipments go through the shipments service one by one (few per order; it owns line matching and change detection). */
export async function writeShipment(trx: Trx, w: Writer, s: ValidShipment, now: Date): Promise<Outcome> {
  const { outcome } = await upsertShipment(trx, w.merchantId, w.actor, {
    source: w.source, externalId: s.externalId, orderExternalId: s.orderExternalId, carrier: s.carrier, service: s.service,
    trackingNumber: s.trackingNumber, trackingUrl: s.trackingUrl, fulfilmentCentre: s.fulfilmentCentre, status: s.status ?? undefined,
    shippedAt: s.shippedAt, deliveredAt: s.deliveredAt, declaredValue: s.declaredValue, destinationCountry: s.destinationCountry,
    promisedDeliveryOn: s.promisedDeliveryOn, estimatedDeliveryOn: s.estimatedDeliveryOn,
    lines: s.lines?.map((l) => ({ position: l.position, quantity: l.quantity })), requestId: w.requestId,
  }, now)
  return outcome === 'stale' ? 'unchanged' : outcome
}
