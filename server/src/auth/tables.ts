import type { ColumnType } from 'kysely'

type Instant = ColumnType<Date, Date, Date>

export interface AuthTables {
  sessions: {
    merchant_id: string
    id: string
    user_id: string
    token_hash: Buffer
    csrf_token: string
    ip: string | null
    user_agent: string | null
    created_at: Instant
    last_seen_at: Instant
    expires_at: Instant
    revoked_at: Instant | null
  }
  api_keys: {
    merchant_id: string
    id: string
    name: string
    prefix: string
    secret_hash: Buffer
    role_id: string
    created_by: string | null
    created_at: Instant
    last_used_at: Instant | null
    expires_at: Instant | null
    revoked_at: Instant | null
  }
  login_attempts: { id: string; email_key: string; ip: string; succeeded: boolean; at: Instant }
}
