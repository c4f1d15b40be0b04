import type { ChainedEntry } from './canonical.js'
import type { CheckpointRow } from './store.js'

export type AuditEntry = Omit<ChainedEntry, 'merchant_id'> & { seq: number | null; hash: string | null }

/** Signed checkpoint as published: hashes in hex, the signature in base64. */
export type SignedCheckpoint = {
  merchant_id: string
  seq: number
  head_hash: string
  signed_at: Date
  key_id: string
  signature: string
}

export function toAuditEntry(row: ChainedEntry & { seq: number | null; hash: Buffer | null }): AuditEntry {
  return {
    id: row.id,
    occurred_at: row.occurred_at,
    actor_type: row.actor_type,
    actor_id: row.actor_id,
    action: row.action,
    entity_type: row.entity_type,
    entity_id: row.entity_id,
    changes: row.changes,
    request_id: row.request_id,
    seq: row.seq,
    hash: row.hash ? row.hash.toString('hex') : null,
  }
}

export function toSignedCheckpoint(row: CheckpointRow): SignedCheckpoint {
  return {
    merchant_id: row.merchant_id,
    seq: row.seq,
    head_hash: row.head_hash.toString('hex'),
    signed_at: row.signed_at,
    key_id: row.key_id,
    signature: row.signature.toString('base64'),
  }
}
