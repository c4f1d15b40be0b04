import type { Kysely, Transaction } from 'kysely'
import { recordAudit, recordAudits, type AuditActor, type AuditInput } from '../audit/service.js'
import type { Outcome, Writer } from '../import-batch.js'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import { newId } from '../ids.js'
import { enqueueEvent } from '../jobs/outbox.js'
import * as store from './store.js'
import type { CustomerRow } from './store.js'

type Trx = Transaction<Database>
type Db = Kysely<Database> | Trx

export const builtinSegments = ['vip', 'business', 'retail', 'reseller'] as const
const personal = ['name', 'email', 'phone'] as const

export type Consent = { email: boolean; sms: boolean; whatsapp: boolean }
export type Customer = {
  id: string
  name: string | null
  email: string | null
  phone: string | null
  locale: string | null
  time_zone: string | null
  segment: string
  consent: Consent
  external_ids: { source: string; external_id: string }[]
  merged_into_id: string | null
  redacted_at: Date | null
  created_at: Date
  updated_at: Date
}

export function toCustomer(row: CustomerRow, externalIds: { source: string; external_id: string }[] = []): Customer {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    phone: row.phone,
    locale: row.locale,
    time_zone: row.time_zone,
    segment: row.segment,
    consent: { email: row.consent_email, sms: row.consent_sms, whatsapp: row.consent_whatsapp },
    external_ids: externalIds.map((e) => ({ source: e.source, external_id: e.external_id })),
    merged_into_id: row.merged_into_id,
    redacted_at: row.redacted_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}

/** Phone numbers are kept in E.164; common separators are stripped, anything else is refused. */
export function normalisePhone(phone: string | null | undefined): string | null {
  if (!phone) return null
  const compact = phone.replace(/[\s().-]/g, '').replace(/^00/, '+')
  if (!/^\+[1-9]\d{6,14}$/.test(compact))
    throw new AppError('phone_invalid', 'Phone numbers must be international (E.164), e.g. +447700900123', {
      phone,
    })
  return compact
}

export type CustomerInput = {
  source: string
  externalId?: string | null
  name?: string | null
  email?: string | null
  phone?: string | null
  locale?: string | null
  timeZone?: string | null
  segment?: string
  consent?: Partial<Consent>
  /** The source's own modification time: an older update never overwrites a newer one. */
  sourceUpdatedAt?: Date | null
  requestId?: string | null
}

// A customer created in bulk has not been asked for consent yet: the columns' defaults (false) hold.
const snapshot = (c: store.NewCustomer & Partial<CustomerRow>) => ({
  name: c.name,
  email: c.email,
  phone: c.phone,
  locale: c.locale,
  time_zone: c.time_zone,
  segment: c.segment,
  consent_email: c.consent_email ?? false,
  consent_sms: c.consent_sms ?? false,
  consent_whatsapp: c.consent_whatsapp ?? false,
})

export type UpsertResult = { customer: Customer; outcome: 'created' | 'updated' | 'unchanged' | 'stale' }

/**
 * Finds the customer by its id at the source, then by email, then by phone, and creates one
 * only when none matches; so a shopper who ordered as a guest and later with an account is one customer.
 */
export async function upsertCustomer(
  trx: Trx,
  merchantId: string,
  actor: AuditActor,
  input: CustomerInput,
  now: Date,
): Promise<UpsertResult> {
  const phone = input.phone === undefined ? undefined : normalisePhone(input.phone)
  const email = input.email === undefined ? undefined : input.email?.trim() || null
  let id = input.externalId
    ? (await store.findByExternalId(trx, merchantId, input.source, input.externalId))?.customer_id
    : undefined
  id ??= (await store.findByContact(trx, merchantId, { email, phone }))?.id
  if (id) {
    let row = await store.lockCustomer(trx, merchantId, id)
    while (row?.merged_into_id) row = await store.lockCustomer(trx, merchantId, row.merged_into_id)
    if (row) return applyUpdate(trx, merchantId, actor, row, { ...input, email, phone }, now)
  }
  const created = await store.insertCustomer(trx, {
    merchant_id: merchantId,
    id: newId(),
    name: input.name?.trim() || null,
    email: email ?? null,
    phone: phone ?? null,
    locale: input.locale ?? null,
    time_zone: input.timeZone ?? null,
    segment: input.segment ?? 'retail',
    consent_email: input.consent?.email ?? false,
    consent_sms: input.consent?.sms ?? false,
    consent_whatsapp: input.consent?.whatsapp ?? false,
    merged_into_id: null,
    redacted_at: null,
    source_updated_at: input.sourceUpdatedAt ?? null,
    created_at: now,
    updated_at: now,
  })
  if (input.externalId) await store.addExternalId(trx, merchantId, created.id, input.source, input.externalId)
  await recordAudit(
    trx,
    {
      merchantId,
      actor,
      action: 'customer.created',
      entityType: 'customer',
      entityId: created.id,
      after: snapshot(created),
      personal,
      requestId: input.requestId,
    },
    now,
  )
  await enqueueEvent(trx, {
    merchant_id: merchantId,
    type: 'customer.created',
    subject_id: created.id,
    occurred_at: now,
    data: { source: input.source, segment: created.segment },
  })
  return {
    customer: toCustomer(created, input.externalId ? [{ source: input.source, external_id: input.externalId }] : []),
    outcome: 'created',
  }
}

async function applyUpdate(
  trx: Trx,
  merchantId: string,
  actor: AuditActor,
  row: CustomerRow,
  input: CustomerInput,
  now: Date,
): Promise<UpsertResult> {
  if (input.externalId) await store.addExternalId(trx, merchantId, row.id, input.source, input.externalId)
  const externalIds = await store.listExternalIds(trx, merchantId, [row.id])
  if (input.sourceUpdatedAt && row.source_updated_at && input.sourceUpdatedAt < row.source_updated_at) {
    return { customer: toCustomer(row, externalIds), outcome: 'stale' }
  }
  // Fields the input leaves out keep their values; an empty value never erases a known one.
  const patch = {
    ...(input.name ? { name: input.name.trim() } : {}),
    ...(input.email ? { email: input.email } : {}),
    ...(input.phone ? { phone: input.phone } : {}),
    ...(input.locale ? { locale: input.locale } : {}),
    ...(input.timeZone ? { time_zone: input.timeZone } : {}),
    ...(input.segment ? { segment: input.segment } : {}),
    ...(input.consent?.email !== undefined ? { consent_email: input.consent.email } : {}),
    ...(input.consent?.sms !== undefined ? { consent_sms: input.consent.sms } : {}),
    ...(input.consent?.whatsapp !== undefined ? { consent_whatsapp: input.consent.whatsapp } : {}),
  }
  const before = snapshot(row)
  const changed = Object.entries(patch).some(([k, v]) => before[k as keyof typeof before] !== v)
  if (!changed) {
    if (input.sourceUpdatedAt)
      await store.updateCustomer(trx, merchantId, row.id, { source_updated_at: input.sourceUpdatedAt })
    return { customer: toCustomer(row, externalIds), outcome: 'unchanged' }
  }
  const updated = await store.updateCustomer(trx, merchantId, row.id, {
    ...patch,
    source_updated_at: input.sourceUpdatedAt ?? row.source_updated_at,
    updated_at: now,
  })
  await recordAudit(
    trx,
    {
      merchantId,
      actor,
      action: 'customer.updated',
      entityType: 'customer',
      entityId: row.id,
      before,
      after: snapshot(updated),
      personal,
      requestId: input.requestId,
    },
    now,
  )
  await enqueueEvent(trx, {
    merchant_id: merchantId,
    type: 'customer.updated',
    subject_id: row.id,
    occurred_at: now,
    data: { fields: Object.keys(patch) },
  })
  return { customer: toCustomer(updated, externalIds), outcome: 'updated' }
}

export async function getCustomer(db: Db, merchantId: string, id: string): Promise<Customer> {
  const row = await store.findCustomer(db, merchantId, id)
  if (!row) throw new AppError('customer_not_found', 'No such customer', { customer_id: id })
  return toCustomer(row, await store.listExternalIds(db, merchantId, [id]))
}

/** The customer a record stands for: itself, or the customer it was merged into (through any earlier merges). */
export async function findSurvivor(db: Db, merchantId: string, id: string): Promise<Customer | undefined> {
  let row = await store.findCustomer(db, merchantId, id)
  while (row?.merged_into_id) row = await store.findCustomer(db, merchantId, row.merged_into_id)
  return row ? toCustomer(row, await store.listExternalIds(db, merchantId, [row.id])) : undefined
}

/** The live customer holding this source id: a merged record resolves to the customer it became. */
export async function findCustomerByExternalId(
  db: Db,
  merchantId: string,
  source: string,
  externalId: string,
): Promise<Customer | undefined> {
  const hit = await store.findByExternalId(db, merchantId, source, externalId)
  return hit ? findSurvivor(db, merchantId, hit.customer_id) : undefined
}

export async function listCustomers(db: Db, merchantId: string, filter: store.CustomerFilter): Promise<Customer[]> {
  const rows = await store.listCustomers(db, merchantId, {
    ...filter,
    phone: filter.phone ? (normalisePhone(filter.phone) ?? undefined) : undefined,
  })
  const ids = await store.listExternalIds(
    db,
    merchantId,
    rows.map((r) => r.id),
  )
  return rows.map((r) =>
    toCustomer(
      r,
      ids.filter((e) => e.customer_id === r.id),
    ),
  )
}

/** This customer's id and the ids of every record merged into it: their orders are its orders. */
export async function customerIdentity(db: Db, merchantId: string, id: string): Promise<string[]> {
  const ids = await store.findMergedIds(db, merchantId, id)
  if (!ids.includes(id)) throw new AppError('customer_not_found', 'No such customer', { customer_id: id })
  return ids
}

export type CustomerPatch = Omit<CustomerInput, 'source' | 'externalId' | 'sourceUpdatedAt'>

export async function updateCustomer(
  trx: Trx,
  merchantId: string,
  actor: AuditActor,
  id: string,
  input: CustomerPatch,
  now: Date,
): Promise<Customer> {
  const row = await store.lockCustomer(trx, merchantId, id)
  if (!row) throw new AppError('customer_not_found', 'No such customer', { customer_id: id })
  if (row.merged_into_id)
    throw new AppError('customer_merged', 'This customer was merged into another; change that one', {
      merged_into_id: row.merged_into_id,
    })
  const phone = input.phone === undefined ? undefined : normalisePhone(input.phone)
  return (await applyUpdate(trx, merchantId, actor, row, { ...input, phone, source: 'api' }, now)).customer
}

/**
 * Merges a duplicate into the survivor: the duplicate's source ids move over, its empty fields
 * fill the survivor's gaps, and the duplicate stays as a pointer so nothing that referred to it breaks.
 */
export async function mergeCustomers(
  trx: Trx,
  merchantId: string,
  actor: AuditActor,
  survivorId: string,
  duplicateId: string,
  now: Date,
  requestId?: string | null,
): Promise<Customer> {
  if (survivorId === duplicateId) throw new AppError('customer_merge_self', 'A customer cannot be merged into itself')
  const [first, second] = [survivorId, duplicateId].sort() // lock in one order: two opposite merges cannot deadlock
  const locked = [await store.lockCustomer(trx, merchantId, first!), await store.lockCustomer(trx, merchantId, second!)]
  const survivor = locked.find((r) => r?.id === survivorId)
  const duplicate = locked.find((r) => r?.id === duplicateId)
  if (!survivor) throw new AppError('customer_not_found', 'No such customer', { customer_id: survivorId })
  if (!duplicate) throw new AppError('customer_not_found', 'No such customer', { customer_id: duplicateId })
  if (survivor.merged_into_id || duplicate.merged_into_id)
    throw new AppError('customer_merged', 'One of these customers was already merged', {
      customer_ids: [survivorId, duplicateId],
    })
  const fill = {
    ...(!survivor.name && duplicate.name ? { name: duplicate.name } : {}),
    ...(!survivor.email && duplicate.email ? { email: duplicate.email } : {}),
    ...(!survivor.phone && duplicate.phone ? { phone: duplicate.phone } : {}),
    ...(!survivor.locale && duplicate.locale ? { locale: duplicate.locale } : {}),
    ...(!survivor.time_zone && duplicate.time_zone ? { time_zone: duplicate.time_zone } : {}),
  }
  await store.moveExternalIds(trx, merchantId, duplicateId, survivorId)
  await store.repointMerged(trx, merchantId, duplicateId, survivorId)
  await store.updateCustomer(trx, merchantId, duplicateId, { merged_into_id: survivorId, updated_at: now })
  const updated = await store.updateCustomer(trx, merchantId, survivorId, { ...fill, updated_at: now })
  await recordAudit(
    trx,
    {
      merchantId,
      actor,
      action: 'customer.merged',
      entityType: 'customer',
      entityId: survivorId,
      before: { ...snapshot(survivor), merged_from: null },
      after: { ...snapshot(updated), merged_from: duplicateId },
      personal,
      requestId,
    },
    now,
  )
  await recordAudit(
    trx,
    {
      merchantId,
      actor,
      action: 'customer.merged_into',
      entityType: 'customer',
      entityId: duplicateId,
      before: { merged_into_id: null },
      after: { merged_into_id: survivorId },
      requestId,
    },
    now,
  )
  await enqueueEvent(trx, {
    merchant_id: merchantId,
    type: 'customer.merged',
    subject_id: survivorId,
    occurred_at: now,
    data: { duplicate_id: duplicateId },
  })
  return toCustomer(updated, await store.listExternalIds(trx, merchantId, [survivorId]))
}

export async function findDuplicateCustomers(db: Db, merchantId: string, limit = 100) {
  return store.findDuplicateGroups(db, merchantId, limit)
}

/** Erasure (GDPR, Shopify's customers/redact): personal fields go; ids, orders and the audit trail stay. */
export async function redactCustomer(
  trx: Trx,
  merchantId: string,
  actor: AuditActor,
  id: string,
  now: Date,
  requestId?: string | null,
): Promise<Customer> {
  const row = await store.lockCustomer(trx, merchantId, id)
  if (!row) throw new AppError('customer_not_found', 'No such customer', { customer_id: id })
  if (row.redacted_at) return toCustomer(row)
  const updated = await store.updateCustomer(trx, merchantId, id, {
    name: null,
    email: null,
    phone: null,
    locale: null,
    time_zone: null,
    consent_email: false,
    consent_sms: false,
    consent_whatsapp: false,
    redacted_at: now,
    updated_at: now,
  })
  await recordAudit(
    trx,
    {
      merchantId,
      actor,
      action: 'customer.redacted',
      entityType: 'customer',
      entityId: id,
      before: snapshot(row),
      after: snapshot(updated),
      personal,
      requestId,
    },
    now,
  )
  await enqueueEvent(trx, {
    merchant_id: merchantId,
    type: 'customer.redacted',
    subject_id: id,
    occurred_at: now,
    data: {},
  })
  return toCustomer(updated, await store.listExternalIds(trx, merchantId, [id]))
}

export type CustomerRecord = {
  externalId: string
  name: string | null
  email: string | null
  phone: string | null
  locale: string | null
  timeZone: string | null
  segment: string | null
}

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
  const rows = new Map<string, CustomerRow>(found.map((r) => [r.id, r]))
  const linked = new Map(found.map((r) => [r.external_id, r.id]))
  for (let pending: CustomerRow[] = found.filter((r) => r.merged_into_id); pending.length; ) {
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
  const changed = new Map<string, { before: CustomerRow; after: CustomerRow; externalIds: string[] }>()
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
