import type { ColumnType, Generated } from 'kysely'

type Instant = ColumnType<Date, Date, Date>
type Json<T> = ColumnType<T, string, string>

export const evidenceSources = ['upload', 'portal', 'carrier_pod', 'message_attachment', 'generated'] as const
export type EvidenceSource = (typeof evidenceSources)[number]
export const uploaderKinds = ['agent', 'customer', 'carrier', 'system'] as const
export type UploaderKind = (typeof uploaderKinds)[number]
export const evidenceStatuses = ['active', 'candidate'] as const
export type EvidenceStatus = (typeof evidenceStatuses)[number]
export const evidenceKinds = ['photo', 'document'] as const
export type EvidenceKind = (typeof evidenceKinds)[number]

// Tables of migration 0030_evidence.sql.
export interface EvidenceTables {
  evidence_types: {
    merchant_id: string
    key: string
    label: string
    sensitive: boolean
    max_bytes: number
    formats: string[]
    kind: EvidenceKind
    created_at: Instant
    updated_at: Instant
  }
  evidence_settings: {
    merchant_id: string
    keep_exif: Generated<boolean>
    updated_at: Instant
  }
  evidence_items: {
    merchant_id: string
    id: string
    case_id: string
    shipment_id: string | null
    type_key: string
    source: EvidenceSource
    uploader_kind: UploaderKind
    uploaded_by: string | null
    status: Generated<EvidenceStatus>
    captured_at: Instant | null
    created_at: Instant
    blob_key: string
    sha256: string
    size_bytes: number
    content_type: string
    original_name: string
    thumbnail_key: string | null
    fields: Json<Record<string, unknown>>
    notes: string | null
    request_id: string | null
    source_ref: string | null
  }
}
