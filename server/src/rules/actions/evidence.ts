import { auditActor } from '../../auth/actor.js'
import { appendTimelineEntry } from '../../cases/service.js'
import { AppError } from '../../errors.js'
import { evidenceChecklist, evidenceContext, evidenceTypeCatalogue } from '../../evidence/index.js'
import {
  caseAction,
  checkEvidence,
  getRequirements,
  generateCommercialInvoiceInTransaction,
  listEvidenceRequests,
  requestEvidence,
} from '../../evidence-requests/service.js'
import type { ActionRun } from '../types.js'
import { type CaseRow, defineAction, done, skipped, targetCase } from './outcome.js'

// The built-in photo type asked for when the case type requires no photo.
const fallbackPhoto = 'damage_photo'
const defaultMessage = 'To move your case forward, please send us what is listed.'

/** `'photo'`: the photo types the case type requires (any photo satisfies it), else the damage photo. */
async function photoTypes(run: ActionRun, row: CaseRow): Promise<string[]> {
  const [catalogue, checklist] = await Promise.all([
    evidenceTypeCatalogue(run.trx, run.ctx.merchantId),
    evidenceChecklist(run.trx, run.ctx.merchantId, row.id),
  ])
  const photos = new Set(catalogue.filter((t) => t.kind === 'photo').map((t) => t.key))
  const required = checklist.required.filter((k) => photos.has(k))
  return required.length ? required : [fallbackPhoto]
}

type Asked = { requestId: string; types: string[]; fresh: boolean }

/**
 * requestEvidence, as POST /cases/{id}/evidence-requests: the customer gets the upload link by the template, and
 * the clock reminds and marks it overdue. Once per need: an open request asking for all of these already stands.
 */
async function ask(run: ActionRun, row: CaseRow, types: string[], minutes: number, message?: string): Promise<Asked> {
  const open = (await listEvidenceRequests(run.trx, run.ctx, row.id, run.now)).find(
    (r) => r.status === 'open' && types.every((t) => r.type_keys.includes(t)),
  )
  if (open) return { requestId: open.id, types: open.type_keys, fresh: false }
  const r = await requestEvidence(
    run.trx,
    run.ctx,
    row.id,
    { types, message: message ?? defaultMessage, dueAt: new Date(run.now.getTime() + minutes * 60_000) },
    run.app,
    run.now,
  )
  return { requestId: r.id, types, fresh: true }
}

export const requestAttachment = defineAction('request_attachment', async (run, args) => {
  const t = await targetCase(run)
  if ('skip' in t) return t.skip
  if (!t.row.customer_id) return skipped('the case has no customer', t.row.id)
  const types = [...new Set([...args.types, ...(args.any_photo ? await photoTypes(run, t.row) : [])])]
  const asked = await ask(run, t.row, types, args.deadline_minutes, args.message)
  const result = { request_id: asked.requestId, types: asked.types }
  if (!asked.fresh) return skipped('an open request asks for these already', t.row.id, result)
  return done(t.row.id, `asked the customer for ${types.join(', ')}`, result)
})

/** The commercial invoice, made from the case's order; or why not, when the case has no order to make it from. */
async function invoice(run: ActionRun, row: CaseRow): Promise<{ id: string } | { why: string }> {
  try {
    const ctx = evidenceContext(run.app, run.ctx, run.now)
    return { id: (await generateCommercialInvoiceInTransaction(run.trx, ctx, row.id, run.now)).id }
  } catch (err) {
    if (err instanceof AppError && err.code === 'evidence_order_missing') return { why: err.message }
    throw err
  }
}

/**
 * What the action needs: the workspace's requirements for it, or, for an action the workspace never set, what the
 * case's type requires (a customs hold: the commercial invoice and the customs declaration), so a new workspace's
 * carrier-claim check asks for something.
 */
async function checkFor(run: ActionRun, row: CaseRow, action: string) {
  const set = Object.hasOwn((await getRequirements(run.trx, run.ctx.merchantId)).actions, action)
  const check = await checkEvidence(run.trx, run.ctx.merchantId, row.id, set ? action : caseAction)
  return { ...check, action, basis: set ? 'workspace' : 'case_type' }
}

/**
 * checkEvidence for an action (carrier_claim, …): the commercial invoice is generated when it is missing and the
 * case has an order, then what is still missing is asked of the customer. The check lands on the case timeline as
 * a 'rule' entry (once per trigger occurrence).
 */
export const checkEvidenceAction = defineAction('check_evidence', async (run, args) => {
  const t = await targetCase(run)
  if ('skip' in t) return t.skip
  const check = await checkFor(run, t.row, args.for)
  const made = args.generate && check.missing.includes('commercial_invoice') ? await invoice(run, t.row) : null
  const generated = made && 'id' in made ? ['commercial_invoice'] : []
  const missing = check.missing.filter((k) => !generated.includes(k))
  const asked =
    args.request && missing.length && t.row.customer_id ? await ask(run, t.row, missing, args.deadline_minutes) : null
  const result = {
    for: args.for,
    basis: check.basis,
    required: check.required,
    present: check.present,
    missing,
    generated,
    ...(made && 'id' in made && { invoice_evidence_id: made.id }),
    ...(made && 'why' in made && { not_generated: made.why }),
    ...(asked && { request_id: asked.requestId, requested: asked.types }),
    ...(args.request && missing.length && !t.row.customer_id && { not_requested: 'the case has no customer' }),
  }
  const words = [
    `Evidence check for ${args.for.replace(/_/g, ' ')}: `,
    missing.length ? `missing ${missing.join(', ')}` : 'complete',
    generated.length ? `; generated ${generated.join(', ')}` : '',
    asked ? `; ${asked.fresh ? 'requested' : 'already requested'} from the customer` : '',
  ].join('')
  await appendTimelineEntry(
    run.trx,
    run.ctx.merchantId,
    {
      caseId: t.row.id,
      type: 'rule',
      actor: auditActor(run.ctx.actor),
      occurredAt: run.now,
      data: { kind: 'evidence_check', rule_id: run.rule.id, rule_version: run.rule.version, ...result },
      text: words,
      dedupKey: `rule:${run.rule.id}:${run.triggerKey}:check_evidence:${args.for}`,
    },
    run.now,
  )
  return done(t.row.id, words, result)
})
