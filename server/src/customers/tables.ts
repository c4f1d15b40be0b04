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
    /** The customer said STOP on this channel (0024): nothing goes to it until they say START. */
    sms_opted_out_at: Instant | null
    whatsapp_opted_out_at: Instant | null
    merged_into_id: string | null
    redacted_at: Instant | null
    source_updated_at: Instant | null
    created_at: Instant
    updated_at: Instant
  }
  customer_external_ids: { merchant_id: string; source: string; external_id: string; customer_id: string }
}
