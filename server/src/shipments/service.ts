import type { Kysely, Transaction } from 'kysely'
import { recordAudit, recordAudits, type AuditActor, type AuditInput } from '../audit/service.js'
import type { Outcome, Writer } from '../bulk.js'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import { newId } from '../ids.js'
import { enqueueEvent } from '../jobs/outbox.js'
import { assertCurrencies } from '../merchants/service.js'
import { findOrderByExternalId, findOrdersByExternalId, getOrder, type Order } from '../orders/service.js'
import { carrierName, resolveCarrier } from './carriers.js'
import * as store from './store.js'
import type { ShipmentStatus } from './tables.js'

export { shipmentStatuses } from './tables.js'

type Trx = Transaction<Database>
type Db = Kysely<Database> | Trx

export type Shipment = {
  id: string
  order_id: string
  source: string
  external_id: string
  carrier: { code: string | null; name: string | null; known: boolean }
  service: string | null
  tracking_number: string | null
  tracking_url: string | null
  fulfilment_centre: string | null
  status: ShipmentStatus
  shipped_at: Date | null
  declared_value: { amount_minor: number; currency: string } | null
  destination_country: string | null
  promised_delivery_on: string | null
  estimated_delivery_on: string | null
  delivered_at: Date | null
  lines: { order_line_id: string; quantity: number }[]
  created_at: Date
  updated_at: Date
  /** What the carriers say, kept by the carriers module: canonical status, when, and the last scan */
  tracking: { status: string | null; sub_status: string | null; status_at: Date | null; last_event_at: Date | null }
}

async function toShipments(db: Db, merchantId: string, rows: store.ShipmentRow[]): Promise<Shipment[]> {
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
    declared_value:
      r.declared_value_amount_minor !== null && r.declared_value_currency
        ? { amount_minor: r.declared_value_amount_minor, currency: r.declared_value_currency }
        : null,
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

export type ShipmentLineInput = { orderLineId?: string; position?: number; externalId?: string; quantity: number }
export type ShipmentInput = {
  source: string
  externalId: string
  /** The order by our id, or by its id at the same source. */
  orderId?: string
  orderExternalId?: string
  carrier?: string | null
  service?: string | null
  trackingNumber?: string | null
  trackingUrl?: string | null
  fulfilmentCentre?: string | null
  status?: ShipmentStatus
  shippedAt?: Date | null
  declaredValue?: { amountMinor: number; currency: string } | null
  destinationCountry?: string | null
  promisedDeliveryOn?: string | null
  estimatedDeliveryOn?: string | null
  deliveredAt?: Date | null
  lines?: ShipmentLineInput[]
  sourceUpdatedAt?: Date | null
  requestId?: string | null
}

const summary = (s: store.ShipmentFields) => ({
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
function sameShipment(
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
function shipmentFields(input: ShipmentInput | ShipmentRecord, order: Pick<Order, 'id' | 'shipping_country'>) {
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

/** Creates or updates a shipment by its id at the source; an update older than the stored one is ignored. */
export async function upsertShipment(
  trx: Trx,
  merchantId: string,
  actor: AuditActor,
  input: ShipmentInput,
  now: Date,
): Promise<{ shipment: Shipment; outcome: 'created' | 'updated' | 'unchanged' | 'stale' }> {
  const order = input.orderId
    ? await getOrder(trx, merchantId, input.orderId)
    : input.orderExternalId
      ? await findOrderByExternalId(trx, merchantId, input.source, input.orderExternalId)
      : undefined
  if (!order)
    throw new AppError('order_not_found', 'No such order', {
      order_id: input.orderId ?? null,
      order_external_id: input.orderExternalId ?? null,
    })
  if (input.declaredValue) await assertCurrencies(trx, [input.declaredValue.currency])
  const existing = await store.lockByExternalId(trx, merchantId, input.source, input.externalId)
  if (
    existing &&
    input.sourceUpdatedAt &&
    existing.source_updated_at &&
    input.sourceUpdatedAt < existing.source_updated_at
  ) {
    return { shipment: (await toShipments(trx, merchantId, [existing]))[0]!, outcome: 'stale' }
  }
  const lines = (input.lines ?? []).map((l) => {
    const line = order.lines.find(
      (ol) =>
        (l.orderLineId && ol.id === l.orderLineId) ||
        (l.position !== undefined && ol.position === l.position) ||
        (l.externalId && ol.external_id === l.externalId),
    )
    if (!line)
      throw new AppError('order_line_unknown', 'A shipment line names no line of its order', {
        order_id: order.id,
        line: l,
      })
    return { order_line_id: line.id, quantity: l.quantity }
  })
  const fields = {
    ...shipmentFields(input, order),
    source_updated_at: input.sourceUpdatedAt ?? existing?.source_updated_at ?? null,
    updated_at: now,
  }
  const held = existing && input.lines ? await store.listLines(trx, merchantId, [existing.id]) : []
  if (existing && sameShipment(existing, fields, held, input.lines ? lines : undefined)) {
    // Still advance the source's clock, or an older, different update could slip in after it.
    if (input.sourceUpdatedAt && (!existing.source_updated_at || input.sourceUpdatedAt > existing.source_updated_at)) {
      await store.updateShipment(trx, merchantId, existing.id, { source_updated_at: input.sourceUpdatedAt })
    }
    return { shipment: (await toShipments(trx, merchantId, [existing]))[0]!, outcome: 'unchanged' }
  }
  let row: store.ShipmentRow
  let outcome: 'created' | 'updated'
  if (existing) {
    row = await store.updateShipment(trx, merchantId, existing.id, fields)
    outcome = 'updated'
  } else {
    const inserted = await store.insertShipment(trx, {
      merchant_id: merchantId,
      id: newId(),
      source: input.source,
      external_id: input.externalId,
      created_at: now,
      ...fields,
    })
    if (!inserted) return upsertShipment(trx, merchantId, actor, input, now)
    row = inserted
    outcome = 'created'
  }
  if (input.lines)
    await store.replaceLines(
      trx,
      merchantId,
      [row.id],
      lines.map((l) => ({ merchant_id: merchantId, shipment_id: row.id, ...l })),
    )
  const audit = { merchantId, actor, entityType: 'shipment', entityId: row.id, requestId: input.requestId }
  const data = {
    order_id: order.id,
    carrier_code: row.carrier_code,
    carrier_known: row.carrier_code !== null,
    tracking_number: row.tracking_number,
    status: row.status,
  }
  if (outcome === 'created') {
    await recordAudit(
      trx,
      {
        ...audit,
        action: 'shipment.created',
        after: { source: input.source, external_id: input.externalId, ...summary(row) },
      },
      now,
    )
    await enqueueEvent(trx, {
      merchant_id: merchantId,
      type: 'shipment.created',
      subject_id: row.id,
      occurred_at: now,
      data,
    })
  } else {
    await recordAudit(
      trx,
      { ...audit, action: 'shipment.updated', before: summary(existing!), after: summary(row) },
      now,
    )
    await enqueueEvent(trx, {
      merchant_id: merchantId,
      type: 'shipment.updated',
      subject_id: row.id,
      occurred_at: now,
      data,
    })
  }
  return { shipment: (await toShipments(trx, merchantId, [row]))[0]!, outcome }
}

export async function getShipment(db: Db, merchantId: string, id: string): Promise<Shipment> {
  const row = await store.findShipment(db, merchantId, id)
  if (!row) throw new AppError('shipment_not_found', 'No such shipment', { shipment_id: id })
  return (await toShipments(db, merchantId, [row]))[0]!
}

export async function listShipments(db: Db, merchantId: string, filter: store.ShipmentFilter): Promise<Shipment[]> {
  return toShipments(db, merchantId, await store.listShipments(db, merchantId, filter))
}

export async function deleteShipment(
  trx: Trx,
  merchantId: string,
  actor: AuditActor,
  id: string,
  now: Date,
  requestId?: string | null,
): Promise<void> {
  const row = await store.lockShipment(trx, merchantId, id)
  if (!row) throw new AppError('shipment_not_found', 'No such shipment', { shipment_id: id })
  await store.deleteShipment(trx, merchantId, id)
  await recordAudit(
    trx,
    {
      merchantId,
      actor,
      action: 'shipment.deleted',
      entityType: 'shipment',
      entityId: id,
      before: summary(row),
      requestId,
    },
    now,
  )
  await enqueueEvent(trx, {
    merchant_id: merchantId,
    type: 'shipment.deleted',
    subject_id: id,
    occurred_at: now,
    data: { order_id: row.order_id },
  })
}

/** A shipment as a bulk import holds it: every field given (null where the source has none); lines by their order line's position. */
export type ShipmentRecord = {
  externalId: string
  orderExternalId: string
  carrier: string | null
  service: string | null
  trackingNumber: string | null
  trackingUrl: string | null
  fulfilmentCentre: string | null
  status: ShipmentStatus | null
  shippedAt: Date | null
  deliveredAt: Date | null
  declaredValue: { amountMinor: number; currency: string } | null
  destinationCountry: string | null
  promisedDeliveryOn: string | null
  estimatedDeliveryOn: string | null
  lines: { position: number; quantity: number }[] | null
}

/**
 * Shipments by their id at the writer's source, a batch at a time, with the rules of `upsertShipment`: the order by
 * its id at the same source, lines by the order's line positions, nothing written for a repeat. Audited, not announced.
 */
export async function importShipments(trx: Trx, w: Writer, records: ShipmentRecord[], now: Date): Promise<Outcome[]> {
  const orders = new Map(
    (
      await findOrdersByExternalId(trx, w.merchantId, w.source, [...new Set(records.map((r) => r.orderExternalId))])
    ).map((o) => [o.external_id, o]),
  )
  const existing = new Map(
    (
      await store.lockShipmentsByExternalId(
        trx,
        w.merchantId,
        w.source,
        records.map((r) => r.externalId),
      )
    ).map((s) => [s.external_id, s]),
  )
  const heldLines = await store.listLines(
    trx,
    w.merchantId,
    [...existing.values()].map((s) => s.id),
  )
  const rows: store.ShipmentFields[] = []
  const lines: { merchant_id: string; shipment_id: string; order_line_id: string; quantity: number }[] = []
  const relined: string[] = []
  const audit: AuditInput[] = []
  const outcomes = records.map((r): Outcome => {
    const order = orders.get(r.orderExternalId)
    if (!order) throw new AppError('order_not_found', 'No such order', { order_external_id: r.orderExternalId })
    const before = existing.get(r.externalId)
    const id = before?.id ?? newId()
    const row: store.ShipmentFields = {
      merchant_id: w.merchantId,
      id,
      source: w.source,
      external_id: r.externalId,
      ...shipmentFields(r, order),
      source_updated_at: before?.source_updated_at ?? null,
      created_at: before?.created_at ?? now,
      updated_at: now,
    }
    const wanted = (r.lines ?? []).map((l) => {
      const line = order.lines.find((ol) => ol.position === l.position)
      if (!line)
        throw new AppError('order_line_unknown', 'A shipment line names no line of its order', {
          order_external_id: r.orderExternalId,
          position: l.position,
        })
      return { merchant_id: w.merchantId, shipment_id: id, order_line_id: line.id, quantity: l.quantity }
    })
    if (
      before &&
      sameShipment(
        before,
        row,
        heldLines.filter((h) => h.shipment_id === id),
        r.lines ? wanted : undefined,
      )
    )
      return 'unchanged'
    rows.push(row)
    if (r.lines) {
      relined.push(id)
      lines.push(...wanted)
    }
    const entity = {
      merchantId: w.merchantId,
      actor: w.actor,
      entityType: 'shipment',
      entityId: id,
      requestId: w.requestId,
    }
    audit.push(
      before
        ? { ...entity, action: 'shipment.updated', before: summary(before), after: summary(row) }
        : {
            ...entity,
            action: 'shipment.created',
            after: { source: w.source, external_id: r.externalId, ...summary(row) },
          },
    )
    return before ? 'updated' : 'created'
  })
  await store.upsertShipments(trx, rows)
  await store.replaceLines(trx, w.merchantId, relined, lines)
  await recordAudits(trx, audit, now)
  return outcomes
}
