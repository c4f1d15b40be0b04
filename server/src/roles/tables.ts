import type { ColumnType, Generated } from 'kysely'

type Instant = ColumnType<Date, Date, Date>

export interface RoleTables {
  roles: {
    merchant_id: string
    id: string
    builtin_key: string | null
    name: string
    description: Generated<string>
    created_at: Instant
    updated_at: Instant
  }
  role_permissions: {
    merchant_id: string
    role_id: string
    permission: string
    limit_amount_minor: number | null
    limit_currency: string | null
  }
}
