import type { Transaction } from 'kysely'
import { recordAudits, type AuditInput } from '../audit/service.js'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import { newId } from '../ids.js'
import { resolveCarrier } from '../shipments/carriers.js'
import { sameShipment } from '../shipments/service.js'
import * as store from './store.js'
import type { ValidShipment } from './types.js'
import type { Outcome, Writer } from './write-records.js'

type Trx = Transaction<Database>

const summary = (s: store.ShipmentRow) => ({
  order_id: s.order_id, carrier_code: s.carrier_code, carrier_name: s.carrier_name, tracking_number: s.tracking_number, status: s.status,
  shipped_at: s.shipped_at, destination_country: s.destination_country, promised_delivery_on: s.promised_delivery_on,
})

/**
 * Shipments by their id at the source, a batch at a time, with the rules of `upsertShipment`: the
 * order by its id at the same source, lines by the order's line positions, nothing written for a repeat.
 */
export async function writeShipments(trx: Trx, w: Writer, records: ValidShipment[], now: Date): Promise<Outcome[]> {
  const orders = await store.lockOrdersByExternalId(trx, w.merchantId, w.source, [...new Set(records.map((r) => r.orderExternalId))])
  const orderBy = new Map(orders.map((o) => [o.external_id, o]))
  const lineIds = new Map((await store.listLines(trx, w.merchantId, orders.map((o) => o.id))).map((l) => [`${l.order_id}:${l.position}`, l.id]))
  const existing = new Map((await store.lockShipmentsByExternalId(trx, w.merchantId, w.source, records.map((r) => r.externalId))).map((s) => [s.external_id, s]))
  const heldLines = await store.listShipmentLines(trx, w.merchantId, [...existing.values()].map((s) => s.id))
  const rows: store.ShipmentRow[] = []
  const lines: { merchant_id: string; shipment_id: string; order_line_id: string; quantity: number }[] = []
  const relined: string[] = []
  const audit: AuditInput[] = []
  const outcomes = records.map((r): Outcome => {
    const order = orderBy.get(r.orderExternalId)
    if (!order) throw new AppError('order_not_found', 404, 'No such order', { order_external_id: r.orderExternalId })
    const before = existing.get(r.externalId)
    const id = before?.id ?? newId()
    const carrier = resolveCarrier(r.carrier)
    const row: store.ShipmentRow = {
      merchant_id: w.merchantId, id, order_id: order.id, source: w.source, external_id: r.externalId, carrier_code: carrier.code, carrier_name: carrier.name,
      service: r.service, tracking_number: r.trackingNumber?.trim() || null, tracking_url: r.trackingUrl, fulfilment_centre: r.fulfilmentCentre,
      status: r.status ?? (r.shippedAt ? 'shipped' : 'pending'), shipped_at: r.shippedAt, declared_value_amount_minor: r.declaredValue?.amountMinor ?? null,
      declared_value_currency: r.declaredValue?.currency ?? null, destination_country: (r.destinationCountry ?? order.shipping_country)?.toUpperCase() ?? null,
      promised_delivery_on: r.promisedDeliveryOn, estimated_delivery_on: r.estimatedDeliveryOn, delivered_at: r.deliveredAt,
      source_updated_at: before?.source_updated_at ?? null, created_at: before?.created_at ?? now, updated_at: now,
    }
    const wanted = (r.lines ?? []).map((l) => {
      const lineId = lineIds.get(`${order.id}:${l.position}`)
      if (!lineId) throw new AppError('order_line_unknown', 422, 'A shipment line names no line of its order', { order_external_id: r.orderExternalId, position: l.position })
      return { merchant_id: w.merchantId, shipment_id: id, order_line_id: lineId, quantity: l.quantity }
    })
    if (before && sameShipment(before, row, heldLines.filter((h) => h.shipment_id === id), r.lines ? wanted : undefined)) return 'unchanged'
    rows.push(row)
    if (r.lines) {
      relined.push(id)
      lines.push(...wanted)
    }
    const entity = { merchantId: w.merchantId, actor: w.actor, entityType: 'shipment', entityId: id, requestId: w.requestId }
    audit.push(before
      ? { ...entity, action: 'shipment.updated', before: summary(before), after: summary(row) }
      : { ...entity, action: 'shipment.created', after: { source: w.source, external_id: r.externalId, ...summary(row) } })
    return before ? 'updated' : 'created'
  })
  await store.upsertShipments(trx, rows)
  await store.replaceShipmentLines(trx, w.merchantId, relined, lines)
  await recordAudits(trx, audit, now)
  return outcomes
}
