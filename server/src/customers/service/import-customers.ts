import type { Transaction } from 'kysely'
import { recordAudits, type AuditInput } from '../../audit/service.js'
import type { Outcome, Writer } from '../../import-batch.js'
import type { Database } from '../../db/schema.js'
import { newId } from '../../ids.js'
import * as store from '../store.js'
import type { CustomerRecord } from '../types.js'
import { personal, snapshot } from './customer-fields.js'

type Trx = Transaction<Database>

/**
 * Customers by their id at the writer's source only (not by email or phone, as `upsertCustomer` matches them),
 * a batch at a time; fields a record leaves empty keep their values, and a merged customer stands for its survivor.
 * Audited like `upsertCustomer`, not announced (the import announces itself). Keyed by external id.
 */
export async function importCustomers(
  trx: Trx,
  w: Writer,
  records: CustomerRecord[],
  now: Date,
): Promise<Map<string, { id: string; outcome: Outcome }>> {
  const merged = new Map<string, CustomerRecord>()
  for (const c of records) {
    const prev = merged.get(c.externalId)
    merged.set(
      c.externalId,
      prev ? { ...prev, ...Object.fromEntries(Object.entries(c).filter(([, v]) => v !== null)) } : c,
    )
  }
  const found = await store.lockCustomersByExternalId(trx, w.merchantId, w.source, [...merged.keys()])
  const rows = new Map<string, store.CustomerRow>(found.map((r) => [r.id, r]))
  const linked = new Map(found.map((r) => [r.external_id, r.id]))
  for (let pending: store.CustomerRow[] = found.filter((r) => r.merged_into_id); pending.length; ) {
    for (const r of await store.lockCustomers(
      trx,
      w.merchantId,
      pending.map((p) => p.merged_into_id!),
    ))
      rows.set(r.id, r)
    pending = [...rows.values()].filter((r) => r.merged_into_id && !rows.has(r.merged_into_id))
  }
  const survivor = (id: string) => {
    let row = rows.get(id)!
    while (row.merged_into_id) row = rows.get(row.merged_into_id)!
    return row
  }
  const result = new Map<string, { id: string; outcome: Outcome }>()
  const created: store.NewCustomer[] = []
  const createdLinks: { merchant_id: string; source: string; external_id: string; customer_id: string }[] = []
  const changed = new Map<string, { before: store.CustomerRow; after: store.CustomerRow; externalIds: string[] }>()
  for (const [externalId, c] of merged) {
    const existingId = linked.get(externalId)
    if (!existingId) {
      const row = {
        merchant_id: w.merchantId,
        id: newId(),
        name: c.name,
        email: c.email,
        phone: c.phone,
        locale: c.locale,
        time_zone: c.timeZone,
        segment: c.segment ?? 'retail',
        created_at: now,
        updated_at: now,
      }
      created.push(row)
      createdLinks.push({ merchant_id: w.merchantId, source: w.source, external_id: externalId, customer_id: row.id })
      result.set(externalId, { id: row.id, outcome: 'created' })
      continue
    }
    const before = survivor(existingId)
    const entry = changed.get(before.id) ?? { before, after: { ...before }, externalIds: [] }
    const patch = {
      name: c.name,
      email: c.email,
      phone: c.phone,
      locale: c.locale,
      time_zone: c.timeZone,
      segment: c.segment,
    }
    for (const [k, v] of Object.entries(patch)) if (v) (entry.after as Record<string, unknown>)[k] = v
    entry.externalIds.push(externalId)
    changed.set(before.id, entry)
  }
  const updates: store.NewCustomer[] = []
  const audit: AuditInput[] = []
  const entity = (id: string) => ({
    merchantId: w.merchantId,
    actor: w.actor,
    entityType: 'customer',
    entityId: id,
    personal,
    requestId: w.requestId,
  })
  for (const { before, after, externalIds } of changed.values()) {
    const diff = JSON.stringify(snapshot(before)) !== JSON.stringify(snapshot(after))
    for (const e of externalIds) result.set(e, { id: before.id, outcome: diff ? 'updated' : 'unchanged' })
    if (!diff) continue
    updates.push({ ...after, updated_at: now })
    audit.push({ ...entity(before.id), action: 'customer.updated', before: snapshot(before), after: snapshot(after) })
  }
  await store.insertCustomers(trx, created)
  await store.insertExternalIds(trx, createdLinks)
  await store.updateCustomers(trx, updates)
  for (const row of created) audit.push({ ...entity(row.id), action: 'customer.created', after: snapshot(row) })
  await recordAudits(trx, audit, now)
  return result
}
