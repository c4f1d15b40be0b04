import type { ColumnType } from 'kysely'

type Instant = ColumnType<Date, Date, Date>

// Tables of migration 0032_links_requests.sql.
export interface LinkTables {
  signed_links: {
    merchant_id: string
    id: string
    purpose: string
    subject_type: string
    subject_id: string
    expires_at: Instant
    created_by: string | null
    created_at: Instant
    revoked_at: Instant | null
    revoked_by: string | null
    completed_at: Instant | null
    last_used_at: Instant | null
  }
}
