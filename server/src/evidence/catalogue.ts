import type { EvidenceKind } from './tables.js'

export type EvidenceType = {
  key: string
  label: string
  /** Seen only by holders of evidence.sensitive.read */
  sensitive: boolean
  max_bytes: number
  /** Content types accepted, as decided from the bytes */
  formats: string[]
  kind: EvidenceKind
  builtin: boolean
}

const MiB = 1024 * 1024
export const photoFormats = ['image/jpeg', 'image/png', 'image/webp']
export const documentFormats = ['application/pdf', ...photoFormats]
// Photos are decoded in memory: their cap bounds what one upload can buffer.
export const maxPhotoBytes = 25 * MiB
export const maxDocumentBytes = 200 * MiB

const photo = (key: string, label: string): EvidenceType => ({
  key,
  label,
  sensitive: false,
  max_bytes: 20 * MiB,
  formats: photoFormats,
  kind: 'photo',
  builtin: true,
})
const document = (key: string, label: string, sensitive = false): EvidenceType => ({
  key,
  label,
  sensitive,
  max_bytes: 100 * MiB,
  formats: documentFormats,
  kind: 'document',
  builtin: true,
})

export const builtinEvidenceTypes: readonly EvidenceType[] = [
  photo('damage_photo', 'Damage photo'),
  photo('packaging_photo', 'Packaging photo'),
  photo('contents_photo', 'Photo of contents'),
  photo('serial_number', 'Serial number'),
  photo('pod_image', 'Proof-of-delivery image'),
  photo('pod_signature', 'Proof-of-delivery signature'),
  document('proof_of_postage', 'Proof of postage'),
  document('invoice', 'Invoice', true),
  document('commercial_invoice', 'Commercial invoice', true),
  document('customs_declaration', 'Customs declaration'),
  document('shipment_manifest', 'Shipment manifest'),
  document('police_report', 'Police report', true),
  document('identity_document', 'Identity document', true),
  document('other', 'Other'),
]

// The keys the default case types were written with, before evidence types existed (cases/defaults.ts).
const aliases: Record<string, string> = {
  photo_of_damage: 'damage_photo',
  photo_of_packaging: 'packaging_photo',
  photo_of_contents: 'contents_photo',
  photo_of_item: 'contents_photo',
  photo_of_fault: 'damage_photo',
  proof_of_purchase: 'invoice',
}

/**
 * A case type's `required_evidence` keys as evidence types: each key is a type's key or a known alias of one; the
 * others stay valid on the case type but are reported, so the checklist can say nothing satisfies them.
 */
export function resolveRequiredEvidence(
  keys: readonly string[],
  catalogue: readonly EvidenceType[],
): { types: string[]; unknown: string[] } {
  const known = new Set(catalogue.map((t) => t.key))
  const types: string[] = []
  const unknown: string[] = []
  for (const key of keys) {
    const typeKey = known.has(key) ? key : aliases[key]
    if (typeKey && known.has(typeKey)) {
      if (!types.includes(typeKey)) types.push(typeKey)
    } else unknown.push(key)
  }
  return { types, unknown }
}
