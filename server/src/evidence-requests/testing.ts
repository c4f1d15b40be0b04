import { can, type ServiceContext } from '../auth/actor.js'
import { findCaseOrThrow } from '../cases/service.js'
import type { AppContext } from '../context.js'
import { AppError } from '../errors.js'
import { newId } from '../ids.js'
import { type EvidenceItem, type EvidencePort, type EvidenceType, setEvidencePort } from './evidence-port.js'

// A small real evidence module for this module's tests (and the RBAC matrix), until the evidence core is merged:
// files go to the blob store (type decided by the bytes), items stay in this process's memory.

const testEvidenceTypes: EvidenceType[] = [
  {
    key: 'photo_of_damage',
    label: 'Damage photo',
    sensitive: false,
    max_bytes: 5_000_000,
    formats: ['image/jpeg', 'image/png'],
    kind: 'photo',
  },
  {
    key: 'photo_of_packaging',
    label: 'Packaging photo',
    sensitive: false,
    max_bytes: 5_000_000,
    formats: ['image/jpeg', 'image/png'],
    kind: 'photo',
  },
  {
    key: 'invoice',
    label: 'Invoice',
    sensitive: true,
    max_bytes: 5_000_000,
    formats: ['application/pdf'],
    kind: 'document',
  },
  {
    key: 'commercial_invoice',
    label: 'Commercial invoice',
    sensitive: false,
    max_bytes: 5_000_000,
    formats: ['application/pdf'],
    kind: 'document',
  },
  {
    key: 'proof_of_postage',
    label: 'Proof of postage',
    sensitive: false,
    max_bytes: 5_000_000,
    formats: ['application/pdf', 'image/jpeg', 'image/png'],
    kind: 'document',
  },
]

export type TestEvidence = EvidencePort & { items: (EvidenceItem & { merchant_id: string; blob_key: string })[] }

function testEvidencePort(app: AppContext): TestEvidence {
  const items: TestEvidence['items'] = []
  const typeOf = (key: string) => testEvidenceTypes.find((t) => t.key === key)
  const port: TestEvidence = {
    items,
    async addEvidence(ctx, input) {
      const type = typeOf(input.typeKey)
      if (!type) throw new AppError('validation_failed', 'Unknown evidence type', { type_key: input.typeKey })
      await findCaseOrThrow(app.db, ctx.merchantId, input.caseId)
      const blob = await app.blobs.put(input.file.stream, {
        merchantId: ctx.merchantId,
        maxBytes: type.max_bytes,
        allowedTypes: type.formats,
      })
      const item = {
        merchant_id: ctx.merchantId,
        id: newId(),
        case_id: input.caseId,
        type_key: input.typeKey,
        source: input.source,
        uploader_kind: input.uploader.kind,
        uploaded_by: input.uploader.actorId ?? null,
        captured_at: input.capturedAt ?? null,
        created_at: new Date(),
        sha256: blob.sha256,
        size_bytes: blob.sizeBytes,
        content_type: blob.contentType,
        original_name: input.file.filename.replace(/[^\w.\- ]/g, '_').slice(0, 200) || 'file',
        request_id: input.requestId ?? null,
        blob_key: blob.key,
      }
      items.push(item)
      return item
    },
    async listCaseEvidence(ctx, caseId, opts) {
      return items.filter(
        (i) =>
          i.merchant_id === ctx.merchantId &&
          i.case_id === caseId &&
          (opts.includeSensitive || !typeOf(i.type_key)?.sensitive),
      )
    },
    async openEvidenceFile(ctx, evidenceId, _variant) {
      const item = items.find((i) => i.merchant_id === ctx.merchantId && i.id === evidenceId)
      if (!item) throw new AppError('file_not_found', 'No such evidence', { evidence_id: evidenceId })
      return { item, stream: await app.blobs.get(item.blob_key) }
    },
    async evidenceTypeCatalogue(_ctx) {
      return testEvidenceTypes
    },
    maySeeSensitive: (ctx: ServiceContext) => can(ctx.actor, 'cases.configure'),
  }
  return port
}

/** Registers a fresh stand-in for this process: what a test file does once, at its top. */
export function registerTestEvidence(app: AppContext): TestEvidence {
  const port = testEvidencePort(app)
  setEvidencePort(port)
  return port
}
