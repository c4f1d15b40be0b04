import type { ColumnType } from 'kysely'

type Instant = ColumnType<Date, Date, Date>

export type AuditChanges = Record<
  string,
  { from?: unknown; to?: unknown; from_hash?: string | null; to_hash?: string | null }
>

export interface AuditTables {
  audit_entries: {
    merchant_id: string
    id: string
    occurred_at: Instant
    actor_type: 'user' | 'api_key' | 'system' | 'rule' | 'customer'
    actor_id: string | null
    action: string
    entity_type: string
    entity_id: string
    changes: ColumnType<AuditChanges, string, string>
    request_id: string | null
  }
  audit_pending: { merchant_id: string; entry_id: string }
  audit_chain: {
    merchant_id: string
    seq: number
    entry_id: string
    prev_hash: Buffer
    hash: Buffer
    chained_at: Instant
  }
  audit_checkpoints: {
    merchant_id: string
    seq: number
    head_hash: Buffer
    signed_at: Instant
    key_id: string
    signature: Buffer
  }
}
