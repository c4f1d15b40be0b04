import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import { recordChange } from '../../changes.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import { assertCurrencies } from '../../merchants/service.js'
import { findOrderByExternalId, getOrder } from '../../orders/service.js'
import { advancesClock, isStale, newSourceRecord, writeSourceRecord } from '../../source-records.js'
import * as store from '../store.js'
import type { Shipment, ShipmentInput } from '../types.js'
import { toShipments } from './find-shipments.js'
import { sameShipment, shipmentFields, summary } from './shipment-fields.js'

type Trx = Transaction<Database>

/** Creates or updates a shipment by its id at the source; an update older than the stored one is ignored. */
export async function upsertShipment(
  trx: Trx,
  ctx: ServiceContext,
  input: ShipmentInput,
  now: Date,
): Promise<{ shipment: Shipment; outcome: 'created' | 'updated' | 'unchanged' | 'stale' }> {
  const { merchantId } = ctx
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
  if (existing && isStale(input.sourceUpdatedAt, existing)) {
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
    if (advancesClock(input.sourceUpdatedAt, existing)) {
      await store.updateShipment(trx, merchantId, existing.id, { source_updated_at: input.sourceUpdatedAt })
    }
    return { shipment: (await toShipments(trx, merchantId, [existing]))[0]!, outcome: 'unchanged' }
  }
  const written = await writeSourceRecord(existing, {
    update: (held) => store.updateShipment(trx, merchantId, held.id, fields),
    insert: () => store.insertShipment(trx, { ...newSourceRecord(merchantId, input, now), ...fields }),
  })
  if (!written) return upsertShipment(trx, ctx, input, now)
  const { row, outcome } = written
  if (input.lines)
    await store.replaceLines(
      trx,
      merchantId,
      [row.id],
      lines.map((l) => ({ merchant_id: merchantId, shipment_id: row.id, ...l })),
    )
  const data = {
    order_id: order.id,
    carrier_code: row.carrier_code,
    carrier_known: row.carrier_code !== null,
    tracking_number: row.tracking_number,
    status: row.status,
  }
  const entity = { entityType: 'shipment', entityId: row.id }
  if (outcome === 'created') {
    const after = { source: input.source, external_id: input.externalId, ...summary(row) }
    await recordChange(trx, ctx, { ...entity, action: 'shipment.created', after }, data, now)
  } else {
    const change = { ...entity, action: 'shipment.updated' as const, before: summary(existing!), after: summary(row) }
    await recordChange(trx, ctx, change, data, now)
  }
  return { shipment: (await toShipments(trx, merchantId, [row]))[0]!, outcome }
}
