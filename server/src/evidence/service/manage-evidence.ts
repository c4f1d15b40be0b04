import type { Readable } from 'node:stream'
import { can, type ServiceContext } from '../../auth/actor.js'
import { recordAuditFor } from '../../changes.js'
import { findCaseOrThrow, lockCaseOrThrow, recordCaseActivity } from '../../cases/service.js'
import type { Db, Trx } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import type { EvidenceType } from '../catalogue.js'
import { assertNotHeld } from '../hold.js'
import * as store from '../store.js'
import { type EvidenceItem, type EvidenceRow, toEvidenceItem } from '../types.js'
import { auditView } from './add-evidence.js'
import { findEvidenceType, listEvidenceTypes } from './catalogue.js'
import { evidenceSummary } from './checklist.js'
import { type EvidenceContext, nowOf } from './context.js'

export const seesSensitive = (ctx: ServiceContext) => can(ctx.actor, 'evidence.sensitive.read')

const sensitiveKeys = async (db: Db, merchantId: string) =>
  new Set((await listEvidenceTypes(db, merchantId)).filter((t) => t.sensitive).map((t) => t.key))

/** The case's items, oldest first; those of sensitive types only when asked for. */
export async function listCaseEvidence(
  db: Db,
  merchantId: string,
  caseId: string,
  opts: { includeSensitive: boolean },
): Promise<EvidenceItem[]> {
  await findCaseOrThrow(db, merchantId, caseId)
  const [rows, sensitive] = await Promise.all([
    store.listCaseItems(db, merchantId, caseId),
    sensitiveKeys(db, merchantId),
  ])
  return rows.filter((r) => opts.includeSensitive || !sensitive.has(r.type_key)).map(toEvidenceItem)
}

/** The item as the actor may see it: one of a sensitive type is not found without evidence.sensitive.read. */
async function findVisibleItem(db: Db, ctx: EvidenceContext, id: string, lock?: Trx): Promise<EvidenceRow> {
  const row = lock ? await store.lockItem(lock, ctx.merchantId, id) : await store.findItem(db, ctx.merchantId, id)
  if (!row || (!seesSensitive(ctx) && (await sensitiveKeys(db, ctx.merchantId)).has(row.type_key)))
    throw new AppError('evidence_not_found', 'No such evidence', { evidence_id: id })
  return row
}

export async function getEvidence(ctx: EvidenceContext, id: string): Promise<EvidenceItem> {
  return toEvidenceItem(await findVisibleItem(ctx.app.db, ctx, id))
}

export type EvidencePatch = {
  typeKey?: string
  notes?: string | null
  fields?: Record<string, unknown>
  capturedAt?: Date | null
}

/**
 * Changes the fields given. Giving a candidate (a message's attachment) a type classifies it: it becomes active and
 * counts. The new type must accept the file's verified content type.
 */
export async function updateEvidence(trx: Trx, ctx: EvidenceContext, id: string, patch: EvidencePatch) {
  const now = nowOf(ctx)
  const before = await findVisibleItem(trx, ctx, id)
  const locked = await lockCaseOrThrow(trx, ctx.merchantId, before.case_id)
  const row = await findVisibleItem(trx, ctx, id, trx)
  let type: EvidenceType | undefined
  if (patch.typeKey !== undefined) {
    type = await findEvidenceType(trx, ctx.merchantId, patch.typeKey)
    if (type.sensitive && !seesSensitive(ctx))
      throw new AppError('forbidden', 'This needs the evidence.sensitive.read permission', {
        permission: 'evidence.sensitive.read',
      })
    if (!type.formats.includes(row.content_type))
      throw new AppError('unsupported_file_type', `A ${type.label} cannot be a ${row.content_type} file`, {
        content_type: row.content_type,
        reason: 'type_mismatch',
        allowed: type.formats,
      })
  }
  const classifies = row.status === 'candidate' && type !== undefined
  const after = await store.updateItem(trx, ctx.merchantId, id, {
    ...(type && { type_key: type.key }),
    ...(classifies && { status: 'active' as const }),
    ...(patch.notes !== undefined && { notes: patch.notes }),
    ...(patch.fields !== undefined && { fields: JSON.stringify(patch.fields) }),
    ...(patch.capturedAt !== undefined && { captured_at: patch.capturedAt }),
  })
  await recordCaseActivity(
    trx,
    ctx,
    after.case_id,
    {
      action: 'evidence.updated',
      patch: await evidenceSummary(trx, ctx.merchantId, locked),
      timeline: classifies
        ? [{ type: 'evidence_classified', data: { evidence_id: id, type_key: after.type_key }, text: type!.label }]
        : [],
    },
    now,
    locked,
  )
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'evidence.updated',
      entityType: 'evidence',
      entityId: id,
      before: { ...auditView(row), notes: row.notes, fields: row.fields, captured_at: row.captured_at },
      after: { ...auditView(after), notes: after.notes, fields: after.fields, captured_at: after.captured_at },
      personal: ['original_name', 'notes', 'fields'],
    },
    now,
  )
  return toEvidenceItem(after)
}

/** Deletes the item (unless its case is held) and, once that commits, its files. */
export async function deleteEvidence(ctx: EvidenceContext, id: string): Promise<void> {
  const { db, blobs } = ctx.app
  const row = await db.transaction().execute(async (trx) => {
    const first = await findVisibleItem(trx, ctx, id)
    const locked = await lockCaseOrThrow(trx, ctx.merchantId, first.case_id)
    const row = await findVisibleItem(trx, ctx, id, trx)
    await assertNotHeld(trx, ctx.merchantId, { caseId: row.case_id, customerId: locked.customer_id ?? undefined })
    await removeItem(trx, ctx, row, 'evidence.deleted')
    return row
  })
  await Promise.all([row.blob_key, row.thumbnail_key].map((k) => k && blobs.delete(k)))
}

/** The row, the count, the timeline, the audit entry with the file's hash and evidence.deleted; not the blobs. */
export async function removeItem(trx: Trx, ctx: EvidenceContext, row: EvidenceRow, action: string): Promise<void> {
  const now = nowOf(ctx)
  await store.deleteItem(trx, ctx.merchantId, row.id)
  const locked = await lockCaseOrThrow(trx, ctx.merchantId, row.case_id)
  await recordCaseActivity(
    trx,
    ctx,
    row.case_id,
    {
      action,
      patch: await evidenceSummary(trx, ctx.merchantId, locked),
      timeline: [
        { type: 'evidence_deleted', data: { evidence_id: row.id, type_key: row.type_key, sha256: row.sha256 } },
      ],
      events: [
        {
          type: 'evidence.deleted',
          data: { evidence_id: row.id, case_id: row.case_id, type_key: row.type_key, sha256: row.sha256 },
        },
      ],
    },
    now,
    locked,
  )
  await recordAuditFor(
    trx,
    ctx,
    { action, entityType: 'evidence', entityId: row.id, before: auditView(row), personal: ['original_name'] },
    now,
  )
}

/** The file (or its thumbnail) to send, with the download in the audit trail under the file's hash. */
export async function openEvidenceFile(
  ctx: EvidenceContext,
  evidenceId: string,
  variant: 'original' | 'thumbnail',
): Promise<{ item: EvidenceItem; stream: Readable }> {
  const { db, blobs } = ctx.app
  const row = await findVisibleItem(db, ctx, evidenceId)
  const key = variant === 'original' ? row.blob_key : row.thumbnail_key
  if (!key) throw new AppError('file_not_found', 'This evidence has no thumbnail', { evidence_id: evidenceId })
  const stream = await blobs.get(key)
  // A thumbnail is a preview the gallery shows on every look: only the file itself is a download worth recording.
  if (variant === 'original')
    await db
      .transaction()
      .execute((trx) =>
        recordAuditFor(
          trx,
          ctx,
          {
            action: 'evidence.downloaded',
            entityType: 'evidence',
            entityId: row.id,
            after: { case_id: row.case_id, sha256: row.sha256 },
          },
          nowOf(ctx),
        ),
      )
      .catch((err: unknown) => {
        stream.destroy()
        throw err
      })
  return { item: toEvidenceItem(row), stream }
}
