import type { Readable } from 'node:stream'
import { recordAuditFor } from '../../changes.js'
import { findCaseOrThrow, lockCaseOrThrow, recordCaseActivity } from '../../cases/service.js'
import type { Db, Trx } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import { newId } from '../../ids.js'
import type { EvidenceType } from '../catalogue.js'
import * as store from '../store.js'
import type { EvidenceSource, UploaderKind } from '../tables.js'
import { type EvidenceItem, type EvidenceRow, toEvidenceItem } from '../types.js'
import { findEvidenceType, getEvidenceSettings } from './catalogue.js'
import { evidenceSummary } from './checklist.js'
import { type EvidenceContext, nowOf } from './context.js'
import { sanitiseFileName } from './file-checks.js'
import { type StoredEvidenceFile, storeEvidenceFile } from './store-file.js'

export type AddEvidenceInput = {
  caseId: string
  typeKey: string
  source: EvidenceSource
  uploader: { kind: UploaderKind; actorId?: string }
  file: { stream: Readable | AsyncIterable<Uint8Array>; filename: string }
  capturedAt?: Date
  fields?: Record<string, unknown>
  notes?: string
  requestId?: string
  /** Automatic copies only: what the file came from, so it is copied once per case */
  sourceRef?: string
  status?: 'active' | 'candidate'
  shipmentId?: string | null
}

/**
 * Judges the file by its bytes, stores it, and records it on the case (row, evidence_count, timeline, audit with
 * the SHA-256, evidence.added) in one transaction. A refused file, or a refused row, leaves nothing stored. Undefined
 * only when `sourceRef` is on the case already.
 */
export async function addEvidence(ctx: EvidenceContext, input: AddEvidenceInput): Promise<EvidenceItem>
export async function addEvidence(
  ctx: EvidenceContext,
  input: AddEvidenceInput & { sourceRef: string },
): Promise<EvidenceItem | undefined>
export async function addEvidence(ctx: EvidenceContext, input: AddEvidenceInput): Promise<EvidenceItem | undefined> {
  const { db } = ctx.app
  const file = await storeFile(db, ctx, input)
  return recordOrDiscard(ctx, file, () => db.transaction().execute((trx) => recordFile(trx, ctx, input, file)))
}

/**
 * The same in the caller's transaction, for a file Claimdesk makes in memory (a rule's generated commercial
 * invoice): small, so storing it while the transaction is open holds nothing up. Should that transaction roll back
 * later, the stored file is left without a row.
 */
export async function addEvidenceInTransaction(
  trx: Trx,
  ctx: EvidenceContext,
  input: AddEvidenceInput,
): Promise<EvidenceItem | undefined> {
  const file = await storeFile(trx, ctx, input)
  return recordOrDiscard(ctx, file, () => recordFile(trx, ctx, input, file))
}

/** The stored file's row, on the case's shipment unless the input names one. */
const recordFile = (trx: Trx, ctx: EvidenceContext, input: AddEvidenceInput, file: StoredFile) =>
  recordEvidence(
    trx,
    ctx,
    { ...input, shipmentId: input.shipmentId ?? file.shipmentId },
    file.type,
    file.name,
    file.stored,
  )

type StoredFile = Awaited<ReturnType<typeof storeFile>>

async function storeFile(db: Db, ctx: EvidenceContext, input: AddEvidenceInput) {
  const { blobs, config } = ctx.app
  const type = await findEvidenceType(db, ctx.merchantId, input.typeKey)
  const kase = await findCaseOrThrow(db, ctx.merchantId, input.caseId)
  const name = sanitiseFileName(input.file.filename, `${type.key}-${newId().slice(-12)}`)
  const { keep_exif } = await getEvidenceSettings(db, ctx.merchantId)
  const stored = await storeEvidenceFile(blobs, ctx.merchantId, input.file.stream, {
    maxBytes: Math.min(type.max_bytes, config.filesMaxBytes),
    formats: type.formats,
    kind: type.kind,
    keepExif: keep_exif,
  })
  return { type, name, stored, shipmentId: kase.shipment_id }
}

async function recordOrDiscard(
  ctx: EvidenceContext,
  file: { stored: StoredEvidenceFile },
  record: () => Promise<EvidenceRow | undefined>,
): Promise<EvidenceItem | undefined> {
  try {
    const row = await record()
    if (!row) await discard(ctx, file.stored)
    return row && toEvidenceItem(row)
  } catch (err) {
    await discard(ctx, file.stored)
    throw err
  }
}

async function discard(ctx: EvidenceContext, stored: StoredEvidenceFile) {
  await Promise.all([stored.blob.key, stored.thumbnail?.key].map((k) => k && ctx.app.blobs.delete(k)))
}

async function recordEvidence(
  trx: Trx,
  ctx: EvidenceContext,
  input: AddEvidenceInput,
  type: EvidenceType,
  name: string,
  stored: StoredEvidenceFile,
): Promise<EvidenceRow | undefined> {
  const now = nowOf(ctx)
  const locked = await lockCaseOrThrow(trx, ctx.merchantId, input.caseId)
  if (locked.merged_into_id)
    throw new AppError('case_merged', 'This case was merged into another', {
      case_id: locked.id,
      merged_into_id: locked.merged_into_id,
    })
  const row = await store.insertItem(trx, {
    merchant_id: ctx.merchantId,
    id: newId(),
    case_id: input.caseId,
    shipment_id: input.shipmentId ?? null,
    type_key: type.key,
    source: input.source,
    uploader_kind: input.uploader.kind,
    uploaded_by: input.uploader.actorId ?? null,
    status: input.status ?? 'active',
    captured_at: input.capturedAt ?? null,
    created_at: now,
    blob_key: stored.blob.key,
    sha256: stored.blob.sha256,
    size_bytes: stored.blob.sizeBytes,
    content_type: stored.blob.contentType,
    original_name: name,
    thumbnail_key: stored.thumbnail?.key ?? null,
    fields: JSON.stringify(input.fields ?? {}),
    notes: input.notes ?? null,
    request_id: input.requestId ?? null,
    source_ref: input.sourceRef ?? null,
  })
  if (!row) return undefined
  await recordCaseActivity(
    trx,
    ctx,
    row.case_id,
    {
      action: 'evidence.added',
      patch: await evidenceSummary(trx, ctx.merchantId, locked),
      timeline: [
        {
          type: 'evidence_added',
          data: { evidence_id: row.id, type_key: row.type_key, status: row.status, source: row.source },
          text: type.label,
        },
      ],
      events: [
        {
          type: 'evidence.added',
          data: {
            evidence_id: row.id,
            case_id: row.case_id,
            type_key: row.type_key,
            source: row.source,
            request_id: row.request_id,
          },
        },
      ],
      acts: input.uploader.kind === 'agent',
    },
    now,
    locked,
  )
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'evidence.uploaded',
      entityType: 'evidence',
      entityId: row.id,
      after: auditView(row),
      personal: ['original_name'],
    },
    now,
  )
  return row
}

/** What the audit trail keeps of an item: the file's hash and facts; its name only hashed (it may name a person). */
export const auditView = (r: EvidenceRow) => ({
  case_id: r.case_id,
  type_key: r.type_key,
  source: r.source,
  status: r.status,
  sha256: r.sha256,
  size_bytes: Number(r.size_bytes),
  content_type: r.content_type,
  original_name: r.original_name,
})
