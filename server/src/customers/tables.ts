import type { ColumnType, Generated } from 'kysely'

type Instant = ColumnType<Date, Date, Date>

export interface CustomerTables {
  customers: {
    merchant_id: string
    id: string
    name: string | null
    email: string | null
    phone: string | null
    locale: string | null
    time_zone: string | null
    segment: Generated<string>
    consent_email: Generated<boolean>
    consent_sms: Generated<boolean>
    consent_whatsapp: Generated<boolean>
    merged_into_id: string | null
    redacted_at: Instant | null
    source_updated_at: Instant | null
    created_at: Instant
    updated_at: Instant
  }
  customer_external_ids: { merchant_id: string; source: string; external_id: string; customer_id: string }
}
