import type { CustomerRow } from './store.js'

export type Consent = { email: boolean; sms: boolean; whatsapp: boolean }
export type Customer = {
  id: string
  name: string | null
  email: string | null
  phone: string | null
  locale: string | null
  time_zone: string | null
  segment: string
  consent: Consent
  external_ids: { source: string; external_id: string }[]
  merged_into_id: string | null
  redacted_at: Date | null
  created_at: Date
  updated_at: Date
}

export function toCustomer(row: CustomerRow, externalIds: { source: string; external_id: string }[] = []): Customer {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    phone: row.phone,
    locale: row.locale,
    time_zone: row.time_zone,
    segment: row.segment,
    consent: { email: row.consent_email, sms: row.consent_sms, whatsapp: row.consent_whatsapp },
    external_ids: externalIds.map((e) => ({ source: e.source, external_id: e.external_id })),
    merged_into_id: row.merged_into_id,
    redacted_at: row.redacted_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}

export type CustomerInput = {
  source: string
  externalId?: string | null
  name?: string | null
  email?: string | null
  phone?: string | null
  locale?: string | null
  timeZone?: string | null
  segment?: string
  consent?: Partial<Consent>
  /** The source's own modification time: an older update never overwrites a newer one. */
  sourceUpdatedAt?: Date | null
}

export type CustomerPatch = Omit<CustomerInput, 'source' | 'externalId' | 'sourceUpdatedAt'>

export type CustomerRecord = {
  externalId: string
  name: string | null
  email: string | null
  phone: string | null
  locale: string | null
  timeZone: string | null
  segment: string | null
}
