import { Type } from 'typebox'
import { NullableTimestamp, Timestamp, Uuid } from '../http/schemas.js'
import { documentFormats, maxDocumentBytes } from './catalogue.js'
import { evidenceKinds, evidenceSources, evidenceStatuses, uploaderKinds } from './tables.js'

const TypeKey = Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' })
const Fields = Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), {
  maxProperties: 50,
  description: "Structured facts: the serial number's value, an invoice's amount",
})

export const EvidenceView = Type.Object({
  id: Uuid,
  case_id: Uuid,
  shipment_id: Type.Union([Uuid, Type.Null()]),
  type_key: Type.String(),
  source: Type.Enum(evidenceSources),
  uploader_kind: Type.Enum(uploaderKinds),
  uploaded_by: Type.Union([Type.String(), Type.Null()]),
  status: Type.Enum(evidenceStatuses, { description: 'candidate: an attachment waiting for an agent to type it' }),
  captured_at: NullableTimestamp,
  created_at: Timestamp,
  sha256: Type.String(),
  size_bytes: Type.Integer(),
  content_type: Type.String({ description: 'Decided from the bytes' }),
  original_name: Type.String({ description: 'Sanitised: the last path segment, without control characters' }),
  has_thumbnail: Type.Boolean(),
  fields: Type.Record(Type.String(), Type.Unknown()),
  notes: Type.Union([Type.String(), Type.Null()]),
  request_id: Type.Union([Uuid, Type.Null()]),
})
export const EvidenceList = Type.Object({ data: Type.Array(EvidenceView) })

export const CaseParams = Type.Object({ id: Uuid })
export const EvidenceParams = Type.Object({ id: Uuid })
export const TypeParams = Type.Object({ key: TypeKey })

export const EvidencePatchBody = Type.Object(
  {
    type_key: Type.Optional(TypeKey),
    notes: Type.Optional(Type.Union([Type.String({ maxLength: 5000 }), Type.Null()])),
    fields: Type.Optional(Fields),
    captured_at: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
)

/** The multipart form's fields, which must come before the file part. */
export const UploadFields = Type.Object(
  {
    type: TypeKey,
    captured_at: Type.Optional(Type.String({ format: 'date-time' })),
    notes: Type.Optional(Type.String({ maxLength: 5000 })),
    fields: Type.Optional(Fields),
  },
  { additionalProperties: false },
)

export const EvidenceTypeView = Type.Object({
  key: Type.String(),
  label: Type.String(),
  sensitive: Type.Boolean(),
  max_bytes: Type.Integer(),
  formats: Type.Array(Type.String()),
  kind: Type.Enum(evidenceKinds),
  builtin: Type.Boolean(),
})
export const EvidenceTypeList = Type.Object({ data: Type.Array(EvidenceTypeView) })

const Formats = Type.Array(Type.Enum(documentFormats), { minItems: 1, maxItems: documentFormats.length })
const MaxBytes = Type.Integer({ minimum: 1, maximum: maxDocumentBytes })
export const EvidenceTypeBody = Type.Object(
  {
    key: TypeKey,
    label: Type.String({ minLength: 1, maxLength: 100 }),
    kind: Type.Enum(evidenceKinds),
    sensitive: Type.Optional(Type.Boolean()),
    max_bytes: Type.Optional(MaxBytes),
    formats: Type.Optional(Formats),
  },
  { additionalProperties: false },
)
export const EvidenceTypePatchBody = Type.Object(
  {
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    kind: Type.Optional(Type.Enum(evidenceKinds)),
    sensitive: Type.Optional(Type.Boolean()),
    max_bytes: Type.Optional(MaxBytes),
    formats: Type.Optional(Formats),
  },
  { additionalProperties: false, minProperties: 1 },
)

export const EvidenceSettingsView = Type.Object({
  keep_exif: Type.Boolean({ description: 'Keep photos’ EXIF (GPS location included) when they are re-encoded' }),
})
export const EvidenceSettingsBody = Type.Object(
  { keep_exif: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
)

export const NoContent = Type.Null()
export const EvidenceFile = {
  description: 'The file, as stored (photos re-encoded); the thumbnail is WebP',
  content: {
    'image/*': { schema: Type.String({ format: 'binary' }) },
    'application/pdf': { schema: Type.String({ format: 'binary' }) },
  },
}
