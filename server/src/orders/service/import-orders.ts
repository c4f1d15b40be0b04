import type { Transaction } from 'kysely'
import { recordAudits, type AuditInput } from '../../audit/service.js'
import { ConcurrentInsert, lockHeld, type Outcome, type Writer } from '../../import-batch.js'
import { importCustomers } from '../../customers/service.js'
import type { Database } from '../../db/schema.js'
import { newId } from '../../ids.js'
import * as store from '../store.js'
import type { OrderRecord } from '../types.js'
import { lineFields, orderFields, paymentFields, sameOrder, summary } from './order-fields.js'

type Trx = Transaction<Database>

function groupByOrder<T extends { order_id: string }>(rows: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const r of rows) groups.set(r.order_id, [...(groups.get(r.order_id) ?? []), r])
  return groups
}

/**
 * Orders (with their customers, lines and payments) by their id at the writer's source, a batch at a time, with the
 * rules of `upsertOrder`; audited, not announced (the import announces itself). A batch's external ids are distinct.
 */
export async function importOrders(trx: Trx, w: Writer, records: OrderRecord[], now: Date): Promise<Outcome[]> {
  const customers = await importCustomers(
    trx,
    w,
    records.flatMap((r) => (r.customer ? [r.customer] : [])),
    now,
  )
  const existing = await lockHeld(w, records, (merchantId, source, externalIds) =>
    store.lockOrdersByExternalId(trx, merchantId, source, externalIds),
  )
  const existingIds = [...existing.values()].map((o) => o.id)
  const oldLines = groupByOrder(await store.listLines(trx, w.merchantId, existingIds))
  const oldPayments = groupByOrder(await store.listPayments(trx, w.merchantId, existingIds))
  const inserts: (store.OrderFields & { created_at: Date })[] = []
  const updates: (store.OrderFields & { created_at: Date })[] = []
  const lines: store.LineRow[] = []
  const payments: store.PaymentRow[] = []
  const lineCounts: { order_id: string; count: number }[] = []
  const audit: AuditInput[] = []
  const outcomes = records.map((r): Outcome => {
    const before = existing.get(r.externalId)
    const id = before?.id ?? newId()
    const customer = r.customer && customers.get(r.customer.externalId)!
    const row = {
      merchant_id: w.merchantId,
      id,
      source: w.source,
      external_id: r.externalId,
      ...orderFields(r, customer ? customer.id : (before?.customer_id ?? null)),
      created_at: now,
      updated_at: now,
    }
    const previousPayments = oldPayments.get(id) ?? []
    const newLines = r.lines.map(
      (l, position): store.LineRow => ({
        merchant_id: w.merchantId,
        order_id: id,
        id: newId(),
        ...lineFields(l, position),
      }),
    )
    const newPayments = r.payments.map(
      (p): store.PaymentRow => ({
        merchant_id: w.merchantId,
        id: newId(),
        order_id: id,
        ...paymentFields(p, r, previousPayments),
        created_at: now,
        updated_at: now,
      }),
    )
    const entity = {
      merchantId: w.merchantId,
      actor: w.actor,
      entityType: 'order',
      entityId: id,
      requestId: w.requestId,
    }
    if (before) {
      if (
        sameOrder(
          { order: before, lines: oldLines.get(id) ?? [], payments: previousPayments },
          { order: row, lines: newLines, payments: newPayments },
        )
      ) {
        return customer && customer.outcome !== 'unchanged' ? 'updated' : 'unchanged'
      }
      updates.push(row)
      lineCounts.push({ order_id: id, count: newLines.length })
      audit.push({ ...entity, action: 'order.updated', before: summary(before, -1), after: summary(row, -1) })
    } else {
      inserts.push(row)
      audit.push({
        ...entity,
        action: 'order.created',
        after: { source: w.source, external_id: r.externalId, ...summary(row, newLines.length) },
      })
    }
    lines.push(...newLines)
    payments.push(...newPayments)
    return before ? 'updated' : 'created'
  })
  if ((await store.insertOrders(trx, inserts)) !== inserts.length)
    throw new ConcurrentInsert('an order of this batch was inserted concurrently')
  await store.updateOrders(trx, updates)
  await store.upsertLines(trx, lines)
  await store.deleteSurplusLines(trx, w.merchantId, lineCounts)
  await store.upsertPayments(trx, payments)
  await recordAudits(trx, audit, now)
  return outcomes
}
