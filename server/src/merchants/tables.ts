import type { ColumnType } from 'kysely'

type Instant = ColumnType<Date, Date, Date>

// Workspaces, the ISO 4217 currency table and each workspace's manual exchange rates.
export interface MerchantTables {
  currencies: { code: string; exponent: number }
  merchants: {
    id: string
    slug: string
    name: string
    brand_name: string
    time_zone: string
    default_currency: string
    currencies: string[]
    audit_pepper: Buffer
    created_at: Instant
    updated_at: Instant
  }
  exchange_rates: {
    merchant_id: string
    id: string
    base_currency: string
    quote_currency: string
    rate: string // numeric: kept as an exact decimal string
    effective_on: string
    created_at: Instant
  }
}
