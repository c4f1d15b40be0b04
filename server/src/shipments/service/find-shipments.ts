import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import { toWireMoney } from '../../money.js'
import { carrierName } from '../carriers.js'
import * as store from '../store.js'
import type { Shipment } from '../types.js'

type Db = Kysely<Database> | Transaction<Database>

export async function toShipments(db: Db, merchantId: string, rows: store.ShipmentRow[]): Promise<Shipment[]> {
  const lines = await store.listLines(
    db,
    merchantId,
    rows.map((r) => r.id),
  )
  return rows.map((r) => ({
    id: r.id,
    order_id: r.order_id,
    source: r.source,
    external_id: r.external_id,
    carrier: {
      code: r.carrier_code,
      name: r.carrier_name ?? (r.carrier_code ? (carrierName(r.carrier_code) ?? null) : null),
      known: r.carrier_code !== null,
    },
    service: r.service,
    tracking_number: r.tracking_number,
    tracking_url: r.tracking_url,
    fulfilment_centre: r.fulfilment_centre,
    status: r.status,
    shipped_at: r.shipped_at,
    declared_value: toWireMoney(r.declared_value_amount_minor, r.declared_value_currency),
    destination_country: r.destination_country,
    promised_delivery_on: r.promised_delivery_on,
    estimated_delivery_on: r.estimated_delivery_on,
    delivered_at: r.delivered_at,
    lines: lines
      .filter((l) => l.shipment_id === r.id)
      .map((l) => ({ order_line_id: l.order_line_id, quantity: l.quantity })),
    created_at: r.created_at,
    updated_at: r.updated_at,
    tracking: {
      status: r.tracking_status,
      sub_status: r.tracking_sub_status,
      status_at: r.tracking_status_at,
      last_event_at: r.last_tracking_event_at,
    },
  }))
}

export async function getShipment(db: Db, merchantId: string, id: string): Promise<Shipment> {
  const row = await store.findShipment(db, merchantId, id)
  if (!row) throw new AppError('shipment_not_found', 'No such shipment', { shipment_id: id })
  return (await toShipments(db, merchantId, [row]))[0]!
}

export async function listShipments(db: Db, merchantId: string, filter: store.ShipmentFilter): Promise<Shipment[]> {
  return toShipments(db, merchantId, await store.listShipments(db, merchantId, filter))
}
