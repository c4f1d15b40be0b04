import { createHash } from 'node:crypto'
import type { Selectable } from 'kysely'
import type { AuditTables } from './tables.js'

/** The prev_hash of seq 1: 32 zero bytes. */
export const zeroHash = Buffer.alloc(32)

/**
 * Deterministic JSON: object keys sorted by UTF-16 code unit, no whitespace, instants as ISO 8601
 * UTC with milliseconds. For the strings, finite numbers, booleans and nulls audit rows hold this
 * is RFC 8785 (JCS), so a third party can rebuild it with any JCS library.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null'
  if (value instanceof Date) return JSON.stringify(value.toISOString())
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value)
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} has no JSON form`)
      return JSON.stringify(value)
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
      const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
      entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
    }
    default:
      throw new TypeError(`canonicalJson: a ${typeof value} has no JSON form`)
  }
}

/** An audit_entries row exactly as stored. */
export type ChainedEntry = Selectable<AuditTables['audit_entries']>

export function canonicalEntry(entry: ChainedEntry, seq: number): string {
  return canonicalJson({
    merchant_id: entry.merchant_id,
    id: entry.id,
    seq,
    occurred_at: entry.occurred_at,
    actor_type: entry.actor_type,
    actor_id: entry.actor_id,
    action: entry.action,
    entity_type: entry.entity_type,
    entity_id: entry.entity_id,
    changes: entry.changes,
    request_id: entry.request_id,
  })
}

/** hash = sha256(prev_hash || canonical(entry, seq)). */
export function chainHash(prevHash: Buffer, entry: ChainedEntry, seq: number): Buffer {
  return createHash('sha256').update(prevHash).update(canonicalEntry(entry, seq), 'utf8').digest()
}
