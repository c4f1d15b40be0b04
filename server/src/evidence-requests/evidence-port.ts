import type { Readable } from 'node:stream'
import type { ServiceContext } from '../auth/actor.js'

// Stand-in for server/src/evidence/index.ts (issue 24's evidence core, written alongside): the contract's
// signatures, filled by whoever runs this module (the tests register a small real implementation). At merge this
// file becomes `export { addEvidence, … } from '../evidence/index.js'` and setEvidencePort goes.

export type EvidenceSource = 'upload' | 'portal' | 'carrier_pod' | 'message_attachment' | 'generated'
export type UploaderKind = 'agent' | 'customer' | 'carrier' | 'system'

export type EvidenceItem = {
  id: string
  case_id: string
  type_key: string
  source: EvidenceSource
  uploader_kind: UploaderKind
  uploaded_by: string | null
  captured_at: Date | null
  created_at: Date
  sha256: string
  size_bytes: number
  content_type: string
  original_name: string
  request_id: string | null
  /** 'candidate': not classified yet (a message attachment), so it counts for nothing */
  status?: 'active' | 'candidate'
}

export type EvidenceType = {
  key: string
  label: string
  sensitive: boolean
  max_bytes: number
  formats: string[]
  kind: 'photo' | 'document'
}

export type AddEvidenceInput = {
  caseId: string
  typeKey: string
  source: EvidenceSource
  uploader: { kind: UploaderKind; actorId?: string }
  file: { stream: Readable; filename: string }
  capturedAt?: Date
  fields?: Record<string, unknown>
  notes?: string
  requestId?: string
}

export interface EvidencePort {
  addEvidence(ctx: ServiceContext, input: AddEvidenceInput): Promise<EvidenceItem>
  listCaseEvidence(ctx: ServiceContext, caseId: string, opts: { includeSensitive: boolean }): Promise<EvidenceItem[]>
  openEvidenceFile(
    ctx: ServiceContext,
    evidenceId: string,
    variant: 'original' | 'thumbnail',
  ): Promise<{ item: EvidenceItem; stream: Readable }>
  evidenceTypeCatalogue(ctx: ServiceContext): Promise<EvidenceType[]>
  /** Whether the caller may see sensitive types (the merchant's choice of roles): ev-core's rule at merge. */
  maySeeSensitive(ctx: ServiceContext): boolean
}

let port: EvidencePort | undefined

export function setEvidencePort(p: EvidencePort): void {
  port = p
}

function current(): EvidencePort {
  if (!port) throw new Error('No evidence module registered (setEvidencePort)')
  return port
}

export const addEvidence: EvidencePort['addEvidence'] = (ctx, input) => current().addEvidence(ctx, input)
export const listCaseEvidence: EvidencePort['listCaseEvidence'] = (ctx, caseId, opts) =>
  current().listCaseEvidence(ctx, caseId, opts)
export const openEvidenceFile: EvidencePort['openEvidenceFile'] = (ctx, id, variant) =>
  current().openEvidenceFile(ctx, id, variant)
export const evidenceTypeCatalogue: EvidencePort['evidenceTypeCatalogue'] = (ctx) =>
  current().evidenceTypeCatalogue(ctx)
export const maySeeSensitive: EvidencePort['maySeeSensitive'] = (ctx) => current().maySeeSensitive(ctx)
