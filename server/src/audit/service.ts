import { createHmac } from 'node:crypto'
import type { Transaction } from 'kysely'
import type { Database } from '../db/schema.js'
import { newId } from '../ids.js'
import * as store from './store.js'
import type { AuditChanges } from './tables.js'

export type AuditActor = { type: 'user' | 'api_key' | 'system' | 'rule' | 'customer'; id: string | null }

export type AuditInput = {
  merchantId: string
  actor: AuditActor
  action: string // '<entity>.<past-tense verb>', e.g. 'team.created'
  entityType: string
  entityId: string
  before?: Record<string, unknown> | null
  after?: Record<string, unknown> | null
  /** Fields holding personal data: recorded as a keyed hash, so erasure never has to edit the trail. */
  personal?: readonly string[]
  /** Fields never recorded, not even hashed (password hashes, tokens): only that they changed. */
  secret?: readonly string[]
  requestId?: string | null
}

const peppers = new Map<string, Buffer>()

async function pepperFor(trx: Transaction<Database>, merchantId: string): Promise<Buffer> {
  let pepper = peppers.get(merchantId)
  if (!pepper) {
    pepper = await store.findPepper(trx, merchantId)
    if (!pepper) throw new Error(`audit: merchant ${merchantId} does not exist`)
    peppers.set(merchantId, pepper)
  }
  return pepper
}

export function hashPersonal(pepper: Buffer, value: unknown): string | null {
  if (value === null || value === undefined) return null
  return createHmac('sha256', pepper).update(JSON.stringify(value)).digest('hex')
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

export function diffChanges(
  pepper: Buffer,
  before: Record<string, unknown> | null | undefined,
  after: Record<string, unknown> | null | undefined,
  personal: readonly string[] = [],
  secret: readonly string[] = [],
): AuditChanges {
  const changes: AuditChanges = {}
  const fields = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])
  for (const field of [...fields].sort()) {
    const from = before?.[field] ?? null
    const to = after?.[field] ?? null
    if (same(from, to)) continue
    const json = (v: unknown) => (v instanceof Date ? v.toISOString() : v)
    if (secret.includes(field)) changes[field] = {}
    else if (personal.includes(field))
      changes[field] = { from_hash: hashPersonal(pepper, json(from)), to_hash: hashPersonal(pepper, json(to)) }
    else changes[field] = { from: json(from), to: json(to) }
  }
  return changes
}

/** Appends an audit entry in the caller's transaction; the sequencer chains it after commit. */
export async function recordAudit(trx: Transaction<Database>, input: AuditInput, now: Date): Promise<string> {
  return (await recordAudits(trx, [input], now))[0]!
}

/** Many entries in one statement (bulk writers); the same rows recordAudit writes one at a time. */
export async function recordAudits(trx: Transaction<Database>, inputs: AuditInput[], now: Date): Promise<string[]> {
  const rows = []
  for (const input of inputs) {
    const pepper = await pepperFor(trx, input.merchantId)
    rows.push({
      merchant_id: input.merchantId,
      id: newId(),
      occurred_at: now,
      actor_type: input.actor.type,
      actor_id: input.actor.id,
      action: input.action,
      entity_type: input.entityType,
      entity_id: input.entityId,
      changes: JSON.stringify(diffChanges(pepper, input.before, input.after, input.personal, input.secret)),
      request_id: input.requestId ?? null,
    })
  }
  await store.insertEntries(trx, rows)
  return rows.map((r) => r.id)
}
