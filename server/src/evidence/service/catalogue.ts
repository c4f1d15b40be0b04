import type { ServiceContext } from '../../auth/actor.js'
import { recordAuditFor } from '../../changes.js'
import type { Db, Trx } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import { builtinEvidenceTypes, type EvidenceType, maxDocumentBytes, maxPhotoBytes, photoFormats } from '../catalogue.js'
import * as store from '../store.js'
import type { EvidenceKind } from '../tables.js'

/** The built-in types, each as the workspace changed it, then the workspace's own. */
export async function listEvidenceTypes(db: Db, merchantId: string): Promise<EvidenceType[]> {
  const rows = await store.findTypeRows(db, merchantId)
  const own = new Map(rows.map((r) => [r.key, r]))
  const builtin = builtinEvidenceTypes.map((t) => {
    const r = own.get(t.key)
    return r ? { ...t, label: r.label, sensitive: r.sensitive, max_bytes: Number(r.max_bytes), formats: r.formats } : t
  })
  const added = rows
    .filter((r) => !builtinEvidenceTypes.some((t) => t.key === r.key))
    .map(
      (r): EvidenceType => ({
        key: r.key,
        label: r.label,
        sensitive: r.sensitive,
        max_bytes: Number(r.max_bytes),
        formats: r.formats,
        kind: r.kind,
        builtin: false,
      }),
    )
  return [...builtin, ...added]
}

export async function findEvidenceType(db: Db, merchantId: string, key: string): Promise<EvidenceType> {
  const type = (await listEvidenceTypes(db, merchantId)).find((t) => t.key === key)
  if (!type) throw new AppError('evidence_type_unknown', 'No evidence type with this key', { type: key })
  return type
}

export type EvidenceTypeInput = {
  label?: string
  sensitive?: boolean
  maxBytes?: number
  formats?: string[]
  kind?: EvidenceKind
}

export async function createEvidenceType(
  trx: Trx,
  ctx: ServiceContext,
  input: EvidenceTypeInput & { key: string; label: string; kind: EvidenceKind },
  now: Date,
): Promise<EvidenceType> {
  const types = await listEvidenceTypes(trx, ctx.merchantId)
  if (types.some((t) => t.key === input.key))
    throw new AppError('evidence_type_exists', 'An evidence type with this key exists', { key: input.key })
  const type = checked({
    key: input.key,
    label: input.label,
    kind: input.kind,
    sensitive: input.sensitive ?? false,
    max_bytes: input.maxBytes ?? capOf(input.kind),
    formats: input.formats ?? (input.kind === 'photo' ? photoFormats : ['application/pdf', ...photoFormats]),
    builtin: false,
  })
  await store.insertType(trx, row(ctx.merchantId, type, now))
  await recordAuditFor(
    trx,
    ctx,
    { action: 'evidence_type.created', entityType: 'evidence_type', entityId: type.key, after: { ...type } },
    now,
  )
  return type
}

/** Changes the fields given; a built-in type keeps its key and kind. */
export async function updateEvidenceType(
  trx: Trx,
  ctx: ServiceContext,
  key: string,
  input: EvidenceTypeInput,
  now: Date,
): Promise<EvidenceType> {
  const before = (await listEvidenceTypes(trx, ctx.merchantId)).find((t) => t.key === key)
  if (!before) throw new AppError('evidence_type_not_found', 'No evidence type with this key', { key })
  if (before.builtin && input.kind && input.kind !== before.kind)
    throw new AppError('evidence_type_invalid', 'A built-in type keeps its kind', { key, kind: before.kind })
  const after = checked({
    ...before,
    ...(input.label !== undefined && { label: input.label }),
    ...(input.sensitive !== undefined && { sensitive: input.sensitive }),
    ...(input.maxBytes !== undefined && { max_bytes: input.maxBytes }),
    ...(input.formats !== undefined && { formats: input.formats }),
    ...(input.kind !== undefined && { kind: input.kind }),
  })
  await store.upsertType(trx, row(ctx.merchantId, after, now))
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'evidence_type.updated',
      entityType: 'evidence_type',
      entityId: key,
      before: { ...before },
      after: { ...after },
    },
    now,
  )
  return after
}

const capOf = (kind: EvidenceKind) => (kind === 'photo' ? maxPhotoBytes : maxDocumentBytes)

function checked(type: EvidenceType): EvidenceType {
  const allowed = type.kind === 'photo' ? photoFormats : ['application/pdf', ...photoFormats]
  const errors: { path: string; message: string }[] = []
  const bad = type.formats.filter((f) => !allowed.includes(f))
  if (bad.length) errors.push({ path: 'body/formats', message: `a ${type.kind} may be ${allowed.join(', ')}` })
  if (type.max_bytes > capOf(type.kind))
    errors.push({ path: 'body/max_bytes', message: `a ${type.kind} may be at most ${capOf(type.kind)} bytes` })
  if (errors.length) throw new AppError('evidence_type_invalid', 'The evidence type does not fit its kind', { errors })
  return { ...type, formats: [...new Set(type.formats)] }
}

const row = (merchantId: string, t: EvidenceType, now: Date) => ({
  merchant_id: merchantId,
  key: t.key,
  label: t.label,
  sensitive: t.sensitive,
  max_bytes: t.max_bytes,
  formats: t.formats,
  kind: t.kind,
  created_at: now,
  updated_at: now,
})

export type EvidenceSettings = { keep_exif: boolean }

export async function getEvidenceSettings(db: Db, merchantId: string): Promise<EvidenceSettings> {
  const row = await store.findSettings(db, merchantId)
  return { keep_exif: row?.keep_exif ?? false }
}

export async function updateEvidenceSettings(
  trx: Trx,
  ctx: ServiceContext,
  input: Partial<EvidenceSettings>,
  now: Date,
): Promise<EvidenceSettings> {
  const before = await getEvidenceSettings(trx, ctx.merchantId)
  const after = { ...before, ...input }
  await store.upsertSettings(trx, { merchant_id: ctx.merchantId, keep_exif: after.keep_exif, updated_at: now })
  await recordAuditFor(
    trx,
    ctx,
    { action: 'evidence_settings.updated', entityType: 'evidence_settings', entityId: ctx.merchantId, before, after },
    now,
  )
  return after
}
