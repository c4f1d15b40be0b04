import type { ServiceContext } from '../../auth/actor.js'
import { findCaseOrThrow, getCaseType, lockCaseOrThrow, recordCaseActivity } from '../../cases/service.js'
import type { Db, Trx } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import { resolveRequiredEvidence } from '../catalogue.js'
import * as store from '../store.js'
import { listEvidenceTypes } from './catalogue.js'

export type EvidenceChecklist = {
  /** The evidence types the case type requires (its keys resolved to types) */
  required: string[]
  /** Those the case has (classified items only) */
  present: string[]
  missing: string[]
  /** Keys of the case type that name no evidence type: nothing satisfies them */
  unknown: string[]
}

/** What the case's type requires, and what the case has of it. */
export async function evidenceChecklist(db: Db, merchantId: string, caseId: string): Promise<EvidenceChecklist> {
  const kase = await findCaseOrThrow(db, merchantId, caseId)
  return checklistOf(db, merchantId, kase.id, kase.type_key)
}

async function checklistOf(db: Db, merchantId: string, caseId: string, typeKey: string): Promise<EvidenceChecklist> {
  const [catalogue, keys, present] = await Promise.all([
    listEvidenceTypes(db, merchantId),
    requiredKeys(db, merchantId, typeKey),
    store.listActiveTypeKeys(db, merchantId, caseId),
  ])
  const { types, unknown } = resolveRequiredEvidence(keys, catalogue)
  const have = new Set(present)
  return { required: types, present: present.sort(), missing: types.filter((t) => !have.has(t)), unknown }
}

async function requiredKeys(db: Db, merchantId: string, typeKey: string): Promise<string[]> {
  try {
    return (await getCaseType(db, merchantId, typeKey)).required_evidence
  } catch (err) {
    if (err instanceof AppError && err.code === 'case_type_not_found') return []
    throw err
  }
}

/** The case's evidence_count and missing_evidence as its items now stand: the patch every evidence change writes. */
export async function evidenceSummary(trx: Trx, merchantId: string, kase: { id: string; type_key: string }) {
  const [count, checklist] = await Promise.all([
    store.countActiveItems(trx, merchantId, kase.id),
    checklistOf(trx, merchantId, kase.id, kase.type_key),
  ])
  return { evidence_count: count, missing_evidence: checklist.missing }
}

/** Brings a case's summary up to date (when it opens). */
export async function refreshCaseEvidence(trx: Trx, ctx: ServiceContext, caseId: string, now: Date): Promise<void> {
  const locked = await lockCaseOrThrow(trx, ctx.merchantId, caseId)
  if (locked.merged_into_id) return
  const patch = await evidenceSummary(trx, ctx.merchantId, locked)
  if (patch.evidence_count === locked.evidence_count && same(patch.missing_evidence, locked.missing_evidence)) return
  await recordCaseActivity(trx, ctx, caseId, { action: 'evidence.checked', patch, acts: false }, now, locked)
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i])
