import type { Selectable } from 'kysely'
import type { Database } from '../db/schema.js'
import type { EvidenceSource, EvidenceStatus, UploaderKind } from './tables.js'

export type EvidenceRow = Selectable<Database['evidence_items']>

/** An evidence item as the API shows it (the blob keys stay inside). */
export type EvidenceItem = {
  id: string
  case_id: string
  shipment_id: string | null
  type_key: string
  source: EvidenceSource
  uploader_kind: UploaderKind
  uploaded_by: string | null
  status: EvidenceStatus
  captured_at: Date | null
  created_at: Date
  sha256: string
  size_bytes: number
  content_type: string
  original_name: string
  has_thumbnail: boolean
  fields: Record<string, unknown>
  notes: string | null
  request_id: string | null
}

export const toEvidenceItem = (r: EvidenceRow): EvidenceItem => ({
  id: r.id,
  case_id: r.case_id,
  shipment_id: r.shipment_id,
  type_key: r.type_key,
  source: r.source,
  uploader_kind: r.uploader_kind,
  uploaded_by: r.uploaded_by,
  status: r.status,
  captured_at: r.captured_at,
  created_at: r.created_at,
  sha256: r.sha256,
  size_bytes: Number(r.size_bytes),
  content_type: r.content_type,
  original_name: r.original_name,
  has_thumbnail: r.thumbnail_key !== null,
  fields: r.fields,
  notes: r.notes,
  request_id: r.request_id,
})
