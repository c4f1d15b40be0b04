import type { ColumnType, Generated } from 'kysely'

type Instant = ColumnType<Date, Date, Date>
type Json<T> = ColumnType<T, string, string>

export const holdSubjects = ['case', 'customer'] as const
export type HoldSubject = (typeof holdSubjects)[number]

export const retentionKinds = ['evidence', 'message_bodies', 'customer_data'] as const
export type RetentionKind = (typeof retentionKinds)[number]

export const retentionStarts = ['created', 'case_closed'] as const
export type RetentionStart = (typeof retentionStarts)[number]

// Tables of migration 0031_retention.sql.
export interface RetentionTables {
  legal_holds: {
    merchant_id: string
    id: string
    subject_type: HoldSubject
    subject_id: string
    reason: string
    placed_by: string
    placed_at: Instant
    released_by: string | null
    released_at: Instant | null
    release_reason: string | null
  }
  retention_policies: {
    merchant_id: string
    kind: RetentionKind
    /** The evidence type key; '' for the kind as a whole */
    scope: Generated<string>
    keep_days: number
    after: RetentionStart
    enabled: Generated<boolean>
    updated_at: Instant
  }
  retention_runs: {
    id: string
    /** null: a run over the platform's tables */
    merchant_id: string | null
    kind: string
    dry_run: boolean
    started_at: Instant
    finished_at: Instant | null
    removed: Generated<number>
    held: Generated<number>
    sample_ids: Json<string[]>
    error: string | null
  }
  erasure_deferrals: {
    merchant_id: string
    customer_id: string
    source: string
    requested_at: Instant
    done_at: Instant | null
  }
}
