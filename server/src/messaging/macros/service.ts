import type { Transaction } from 'kysely'
import { requirePermission, type ServiceContext } from '../../auth/actor.js'
import { assignCase, changeStatus, findCaseOrThrow, getCase, updateCase } from '../../cases/service.js'
import type { CaseDetail, CaseStatus } from '../../cases/types.js'
import { unresolvedStatuses } from '../../cases/types.js'
import { recordAuditFor } from '../../changes.js'
import type { Db } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import { isUuid, newId } from '../../ids.js'
import { getTeam } from '../../teams/service.js'
import { getUser } from '../../users/service.js'
import type { MacroAction } from '../tables.js'
import type { Message } from '../types.js'
import {
  getTemplate,
  type Preview,
  type RenderApp,
  recordTemplatedEmail,
  renderForCase,
  type SendApp,
} from '../templates/service.js'
import * as store from './store.js'
import { type Macro, toMacro } from './types.js'

type Trx = Transaction<Database>

/** What a macro may set a case to: a working status (resolving needs a resolution code, which a macro lacks). */
export const macroStatuses: CaseStatus[] = unresolvedStatuses.filter((s) => s !== 'new')
const tagPattern = /^[^\s,]{1,50}$/

export type MacroInput = { name: string; templateId?: string | null; actions: MacroAction[] }

const macroNotFound = (id: string) => new AppError('macro_not_found', 'No such macro', { macro_id: id })

/** Every problem of the input at once (paths as schema failures name them): the template, each action's status, tag or person. */
async function validateMacro(db: Db, merchantId: string, input: Partial<MacroInput>): Promise<void> {
  const errors: { path: string; message: string }[] = []
  if (input.templateId) {
    const t = await getTemplate(db, merchantId, input.templateId).catch(() => null)
    if (!t || t.archived_at) errors.push({ path: 'body/template_id', message: 'no such template (or archived)' })
  }
  for (const [i, a] of (input.actions ?? []).entries()) {
    const path = `body/actions/${i}`
    if (a.type === 'set_status' && !macroStatuses.includes(a.status as CaseStatus))
      errors.push({ path, message: `status must be one of ${macroStatuses.join(', ')}` })
    if (a.type === 'add_tag' && !tagPattern.test(a.tag))
      errors.push({ path, message: 'a tag is 1 to 50 characters without spaces or commas' })
    if (a.type === 'assign' && a.user_id !== null) {
      const user = isUuid(a.user_id) ? await getUser(db, merchantId, a.user_id).catch(() => null) : null
      if (user?.status !== 'active') errors.push({ path, message: 'not an active person of this workspace' })
    }
    if (a.type === 'assign_team' && !(await getTeam(db, merchantId, a.team_id).catch(() => null)))
      errors.push({ path, message: 'no such team' })
  }
  for (const type of ['set_status', 'assign', 'assign_team'] as const)
    if ((input.actions ?? []).filter((a) => a.type === type).length > 1)
      errors.push({ path: 'body/actions', message: `at most one ${type}` })
  if (input.templateId === null && input.actions?.length === 0)
    errors.push({ path: 'body/actions', message: 'a macro without a template needs an action' })
  if (errors.length > 0) throw new AppError('macro_invalid', 'The macro is not valid', { errors })
}

export async function listMacros(db: Db, merchantId: string, archived = false): Promise<Macro[]> {
  return (await store.listMacros(db, merchantId, archived)).map(toMacro)
}

export async function getMacro(db: Db, merchantId: string, id: string): Promise<Macro> {
  const row = isUuid(id) ? await store.findMacro(db, merchantId, id) : undefined
  if (!row) throw macroNotFound(id)
  return toMacro(row)
}

async function lockActive(trx: Trx, merchantId: string, id: string) {
  const row = isUuid(id) ? await store.lockMacro(trx, merchantId, id) : undefined
  if (!row || row.archived_at) throw macroNotFound(id)
  return row
}

const nameTaken = (name: string) => new AppError('macro_name_taken', 'A macro with this name exists', { name })

export async function createMacro(trx: Trx, ctx: ServiceContext, input: MacroInput, now: Date): Promise<Macro> {
  await validateMacro(trx, ctx.merchantId, { ...input, templateId: input.templateId ?? null })
  const row = await store.insertMacro(trx, {
    merchant_id: ctx.merchantId,
    id: newId(),
    name: input.name,
    template_id: input.templateId ?? null,
    actions: JSON.stringify(input.actions),
    archived_at: null,
    created_at: now,
    updated_at: now,
  })
  if (!row) throw nameTaken(input.name)
  const macro = toMacro(row)
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'macro.created',
      entityType: 'macro',
      entityId: macro.id,
      after: { name: macro.name, template_id: macro.template_id, actions: macro.actions },
    },
    now,
  )
  return macro
}

export async function updateMacro(
  trx: Trx,
  ctx: ServiceContext,
  id: string,
  input: Partial<MacroInput>,
  now: Date,
): Promise<Macro> {
  const before = toMacro(await lockActive(trx, ctx.merchantId, id))
  const next = {
    name: input.name ?? before.name,
    templateId: input.templateId === undefined ? before.template_id : input.templateId,
    actions: input.actions ?? before.actions,
  }
  await validateMacro(trx, ctx.merchantId, next)
  if (next.name !== before.name && (await store.findMacroByName(trx, ctx.merchantId, next.name)))
    throw nameTaken(next.name)
  const after = toMacro(
    await store.updateMacro(trx, ctx.merchantId, before.id, {
      name: next.name,
      template_id: next.templateId,
      actions: JSON.stringify(next.actions),
      updated_at: now,
    }),
  )
  const view = (m: Macro) => ({ name: m.name, template_id: m.template_id, actions: m.actions })
  await recordAuditFor(
    trx,
    ctx,
    { action: 'macro.updated', entityType: 'macro', entityId: id, before: view(before), after: view(after) },
    now,
  )
  return after
}

export async function archiveMacro(trx: Trx, ctx: ServiceContext, id: string, now: Date): Promise<void> {
  const row = await lockActive(trx, ctx.merchantId, id)
  // The name is freed for a new macro; the archived one keeps its history under a suffixed name.
  await store.updateMacro(trx, ctx.merchantId, row.id, {
    archived_at: now,
    name: `${row.name.slice(0, 60)} (archived ${row.id.slice(-8)})`,
    updated_at: now,
  })
  await recordAuditFor(
    trx,
    ctx,
    { action: 'macro.archived', entityType: 'macro', entityId: id, before: { name: row.name } },
    now,
  )
}

export type ActionEffect = MacroAction & { change: string }

/** The actions as they would change this case, in words the composer shows. */
async function describeActions(
  db: Db,
  merchantId: string,
  c: CaseDetail,
  actions: MacroAction[],
): Promise<ActionEffect[]> {
  return Promise.all(
    actions.map(async (a): Promise<ActionEffect> => {
      if (a.type === 'set_status')
        return { ...a, change: a.status === c.status ? `status stays ${c.status}` : `status ${c.status} → ${a.status}` }
      if (a.type === 'add_tag')
        return { ...a, change: c.tags.includes(a.tag) ? `already tagged ${a.tag}` : `tag ${a.tag}` }
      if (a.type === 'assign_team') {
        const team = await getTeam(db, merchantId, a.team_id).catch(() => null)
        return {
          ...a,
          change: a.team_id === c.team_id ? `team stays ${team?.name}` : `team ${team?.name ?? a.team_id}`,
        }
      }
      if (a.user_id === null) return { ...a, change: 'unassign' }
      const user = await getUser(db, merchantId, a.user_id).catch(() => null)
      return { ...a, change: `assign to ${user?.name ?? a.user_id}` }
    }),
  )
}

export type MacroPreview = { message: (Preview & { template_id: string }) | null; actions: ActionEffect[] }

export async function previewMacro(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  macroId: string,
  app: RenderApp,
  now: Date,
): Promise<MacroPreview> {
  const c = await getCase(trx, ctx.merchantId, caseId)
  const macro = await getMacro(trx, ctx.merchantId, macroId)
  if (macro.archived_at) throw macroNotFound(macroId)
  const rendered = macro.template_id
    ? await renderForCase(trx, ctx, caseId, { templateId: macro.template_id, version: 'live', preview: true, app }, now)
    : null
  return {
    message: rendered && {
      template_id: rendered.templateId,
      version: rendered.version,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      problems: rendered.problems,
    },
    actions: await describeActions(trx, ctx.merchantId, c, macro.actions),
  }
}

/**
 * The macro on the case in one transaction: its template's live version recorded as an email to the customer
 * (held when QA finds problems) and its actions; any failure leaves the case and the conversation untouched.
 */
export async function applyMacro(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  macroId: string,
  app: SendApp,
  now: Date,
): Promise<{ message: Message | null; case: CaseDetail }> {
  await findCaseOrThrow(trx, ctx.merchantId, caseId)
  const macro = toMacro(await lockActive(trx, ctx.merchantId, macroId))
  const assigns = (a: MacroAction) => a.type === 'assign' || a.type === 'assign_team'
  if (macro.actions.some(assigns)) requirePermission(ctx.actor, 'cases.assign')
  if (macro.actions.some((a) => !assigns(a))) requirePermission(ctx.actor, 'cases.write')
  await validateMacro(trx, ctx.merchantId, { templateId: macro.template_id, actions: macro.actions })
  const sent = macro.template_id
    ? await recordTemplatedEmail(
        trx,
        ctx,
        caseId,
        { templateId: macro.template_id, automatic: false, requireEmail: true, app },
        now,
      )
    : null
  for (const a of macro.actions) {
    if (a.type === 'set_status') await changeStatus(trx, ctx, caseId, { status: a.status as CaseStatus }, now)
    if (a.type === 'add_tag') await updateCase(trx, ctx, caseId, { addTags: [a.tag] }, now)
    if (a.type === 'assign')
      await assignCase(trx, ctx, caseId, { assigneeId: a.user_id, how: `macro:${macro.name}` }, now)
    if (a.type === 'assign_team') {
      // The team changes; whoever has the case keeps it.
      const { assignee_id } = await findCaseOrThrow(trx, ctx.merchantId, caseId)
      await assignCase(
        trx,
        ctx,
        caseId,
        { assigneeId: assignee_id, teamId: a.team_id, how: `macro:${macro.name}` },
        now,
      )
    }
  }
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'macro.applied',
      entityType: 'case',
      entityId: caseId,
      after: { macro_id: macro.id, message_id: sent?.message.id ?? null, actions: macro.actions },
    },
    now,
  )
  return { message: sent?.message ?? null, case: await getCase(trx, ctx.merchantId, caseId) }
}
