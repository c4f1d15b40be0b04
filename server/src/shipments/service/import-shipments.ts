import type { Transaction } from 'kysely'
import { recordAudits, type AuditInput } from '../../audit/service.js'
import { lockHeld, type Outcome, type Writer } from '../../import-batch.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import { newId } from '../../ids.js'
import { findOrdersByExternalId } from '../../orders/service.js'
import * as store from '../store.js'
import type { ShipmentRecord } from '../types.js'
import { sameShipment, shipmentFields, summary } from './shipment-fields.js'

type Trx = Transaction<Database>

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
  const existing = await lockHeld(w, records, (merchantId, source, externalIds) =>
    store.lockShipmentsByExternalId(trx, merchantId, source, externalIds),
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
