import type { ColumnType, Generated } from 'kysely'

type Instant = ColumnType<Date, Date, Date>

export interface UserTables {
  users: {
    merchant_id: string
    id: string
    email: string
    name: string
    password_hash: string
    role_id: string
    status: Generated<'active' | 'disabled'>
    created_at: Instant
    updated_at: Instant
    password_changed_at: Instant
    last_login_at: Instant | null
  }
}
