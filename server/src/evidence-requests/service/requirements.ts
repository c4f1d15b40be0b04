import type { ServiceContext } from '../../auth/actor.js'
import { recordAuditFor } from '../../changes.js'
import type { Db, Trx } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import { evidenceChecklist, evidenceTypeCatalogue } from '../../evidence/index.js'
import * as store from '../store.js'

// Required evidence: the case itself needs its case type's required_evidence (action 'case'); each later action
// (carrier_claim, refund_approval, …) needs what the workspace sets here. An action never set requires nothing.

export const caseAction = 'case'
const actionPattern = /^[a-z][a-z0-9_]{0,63}$/

export type EvidenceCheck = {
  action: string
  complete: boolean
  required: string[]
  present: string[]
  missing: string[]
  /** Keys of the case type's required_evidence that name no evidence type: nothing can satisfy them */
  unknown: string[]
}

export async function getRequirements(db: Db, merchantId: string) {
  const rows = await store.listRequirements(db, merchantId)
  return { actions: Object.fromEntries(rows.map((r) => [r.action, r.type_keys])) as Record<string, string[]> }
}

/** Replaces the workspace's requirements (an action left out requires nothing from now on). */
export async function setRequirements(trx: Trx, ctx: ServiceContext, actions: Record<string, string[]>, now: Date) {
  const catalogue = new Set((await evidenceTypeCatalogue(trx, ctx.merchantId)).map((t) => t.key))
  const errors: { path: string; reason: string }[] = []
  for (const [action, keys] of Object.entries(actions)) {
    if (action === caseAction)
      errors.push({ path: `/actions/${action}`, reason: "the case's own needs are its case type's required_evidence" })
    else if (!actionPattern.test(action)) errors.push({ path: `/actions/${action}`, reason: 'not an action key' })
    keys.forEach((k, i) => {
      if (!catalogue.has(k)) errors.push({ path: `/actions/${action}/${i}`, reason: `unknown evidence type ${k}` })
      else if (keys.indexOf(k) !== i) errors.push({ path: `/actions/${action}/${i}`, reason: `${k} is listed twice` })
    })
  }
  if (errors.length)
    throw new AppError('evidence_requirement_invalid', 'The evidence requirements are not valid', { errors })
  const before = await getRequirements(trx, ctx.merchantId)
  await store.replaceRequirements(
    trx,
    ctx.merchantId,
    Object.entries(actions).map(([action, keys]) => ({
      merchant_id: ctx.merchantId,
      action,
      type_keys: keys,
      updated_at: now,
      updated_by: ctx.actor.id,
    })),
  )
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'evidence_requirements.updated',
      entityType: 'merchant',
      entityId: ctx.merchantId,
      before,
      after: { actions },
    },
    now,
  )
  return getRequirements(trx, ctx.merchantId)
}

/** What the action needs of the case's evidence, what it has (active items of any type), and what is missing. */
export async function checkEvidence(
  db: Db,
  merchantId: string,
  caseId: string,
  action: string,
): Promise<EvidenceCheck> {
  // The case type's keys come resolved (aliases such as photo_of_damage name the type they stand for).
  const checklist = await evidenceChecklist(db, merchantId, caseId)
  const required =
    action === caseAction
      ? checklist.required
      : ((await store.findRequirement(db, merchantId, action))?.type_keys ?? [])
  const missing = required.filter((k) => !checklist.present.includes(k))
  const unknown = action === caseAction ? checklist.unknown : []
  return {
    action,
    complete: missing.length === 0,
    required,
    present: checklist.present,
    missing,
    unknown,
  }
}

/** The gate for claims and refunds: 409 evidence_missing (details.missing) unless the case has what the action needs. */
export async function assertEvidenceComplete(db: Db, merchantId: string, caseId: string, action: string) {
  const check = await checkEvidence(db, merchantId, caseId, action)
  if (!check.complete)
    throw new AppError('evidence_missing', `The case lacks evidence this needs (${check.missing.join(', ')})`, {
      case_id: caseId,
      action,
      missing: check.missing,
    })
  return check
}
