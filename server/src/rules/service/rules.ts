import type { ServiceContext } from '../../auth/actor.js'
import { recordAuditFor } from '../../changes.js'
import type { Db, Trx } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import { newId } from '../../ids.js'
import * as store from '../store.js'
import { addJob } from '../../jobs/queue.js'
import { armOpenCasesTask } from '../engine/triggers.js'
import type { ActionName, CompiledRule, RuleMode, RuleProblem, TriggerKind } from '../types.js'
import { checkRule, compileRule } from './compile.js'

export type RuleStats = store.RuleStats
export type Rule = {
  id: string
  name: string
  description: string
  source: string
  version: number
  mode: RuleMode
  priority: number
  stop_processing: boolean
  triggers: TriggerKind[]
  pack: string | null
  created_at: Date
  updated_at: Date
  /** Executions over the last 30 days */
  stats: RuleStats
}

export type RuleVersion = {
  rule_id: string
  version: number
  source: string
  triggers: TriggerKind[]
  created_by_type: string
  created_by: string | null
  created_at: Date
}

const statsDays = 30
const noStats: RuleStats = { fired: 0, shadow: 0, failed: 0, last_at: null }
const statsSince = (now: Date) => new Date(now.getTime() - statsDays * 86_400_000)

const toRule = (r: store.RuleRow, stats: RuleStats = noStats): Rule => ({
  id: r.id,
  name: r.name,
  description: r.description,
  source: r.source,
  version: r.version,
  mode: r.mode,
  priority: r.priority,
  stop_processing: r.stop_processing,
  triggers: r.triggers,
  pack: r.pack,
  created_at: r.created_at,
  updated_at: r.updated_at,
  stats,
})

// The audit trail keeps what a person wrote, not the compiled form (derived from it) or the counts.
const audited = ({ stats: _stats, ...rule }: Rule) => rule

const toVersion = (v: store.RuleVersionRow): RuleVersion => ({
  rule_id: v.rule_id,
  version: v.version,
  source: v.source,
  triggers: v.compiled.triggers,
  created_by_type: v.created_by_type,
  created_by: v.created_by,
  created_at: v.created_at,
})

export async function listRules(db: Db, merchantId: string, now: Date): Promise<Rule[]> {
  const [rows, stats] = await Promise.all([
    store.listRules(db, merchantId),
    store.countExecutions(db, merchantId, statsSince(now)),
  ])
  return rows.map((r) => toRule(r, stats.get(r.id)))
}

export async function getRule(db: Db, merchantId: string, id: string, now: Date): Promise<Rule> {
  const row = await store.findRule(db, merchantId, id)
  if (!row) throw notFound(id)
  const stats = await store.countExecutions(db, merchantId, statsSince(now), [id])
  return toRule(row, stats.get(id))
}

export async function listRuleVersions(db: Db, merchantId: string, id: string): Promise<RuleVersion[]> {
  if (!(await store.findRule(db, merchantId, id))) throw notFound(id)
  return (await store.listVersions(db, merchantId, id)).map(toVersion)
}

export async function getRuleVersion(db: Db, merchantId: string, id: string, version: number): Promise<RuleVersion> {
  if (!(await store.findRule(db, merchantId, id))) throw notFound(id)
  const row = await store.findVersion(db, merchantId, id, version)
  if (!row) throw new AppError('rule_version_not_found', 'No such version of this rule', { rule_id: id, version })
  return toVersion(row)
}

const notFound = (id: string) => new AppError('rule_not_found', 'No such rule', { rule_id: id })

/** Names appear alone on a line of the rules file: printable, no surrounding spaces. */
export const ruleNamePattern = /^[^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?$/u
/** A line of the rules file that starts a rule's block (text-file.ts). */
export const blockStart = '# name:'

/** Problems a source has before the language reads it: a line the rules file would take for a block's start. */
export function sourceProblems(source: string): RuleProblem[] {
  return source.split('\n').flatMap((line, i) =>
    line.startsWith(blockStart)
      ? [
          {
            line: i + 1,
            column: 1,
            end_line: i + 1,
            end_column: blockStart.length + 1,
            message: `A line may not start with "${blockStart}": the rules file starts a rule's block with it`,
          },
        ]
      : [],
  )
}

/** Compiles the source, or refuses it with every problem's line and column (rule_invalid). */
export async function compileSource(db: Db, merchantId: string, source: string) {
  const problems = sourceProblems(source)
  if (problems.length) throw new AppError('rule_invalid', 'The rule is not valid', { problems })
  return compileRule(db, merchantId, source)
}

function assertName(name: string) {
  if (!ruleNamePattern.test(name) || name.length > 200)
    throw new AppError('validation_failed', 'The name is not valid', {
      errors: [{ path: 'body/name', message: 'must be 1–200 printable characters without surrounding spaces' }],
    })
}

async function assertNameFree(db: Db, merchantId: string, name: string, exceptId?: string) {
  if (await store.findRuleIdByName(db, merchantId, name, exceptId))
    throw new AppError('rule_name_taken', 'A rule with this name exists', { name })
}

export type CreateRuleInput = {
  name: string
  description?: string
  source: string
  /** Default shadow: a new rule logs what it would do until someone switches it on */
  mode?: RuleMode
  /** Default: after every rule the workspace has */
  priority?: number
  stopProcessing?: boolean
  pack?: string | null
}

/** A running rule with time conditions: the open cases get its SLA watches and silence checks (a job, once committed). */
async function armTimeConditions(trx: Trx, merchantId: string, compiled: CompiledRule, mode: RuleMode) {
  if (mode !== 'disabled' && compiled.thresholds.length)
    await addJob(trx, armOpenCasesTask, { merchant_id: merchantId }, { jobKey: `${armOpenCasesTask}:${merchantId}` })
}

export async function createRule(trx: Trx, ctx: ServiceContext, input: CreateRuleInput, now: Date): Promise<Rule> {
  assertName(input.name)
  await assertNameFree(trx, ctx.merchantId, input.name)
  const compiled = await compileSource(trx, ctx.merchantId, input.source)
  const priority = input.priority ?? ((await store.maxPriority(trx, ctx.merchantId)) ?? 0) + 10
  const row = await store.insertRule(trx, {
    merchant_id: ctx.merchantId,
    id: newId(),
    name: input.name,
    description: input.description ?? '',
    priority,
    mode: input.mode ?? 'shadow',
    stop_processing: input.stopProcessing ?? false,
    version: 1,
    source: input.source,
    compiled: JSON.stringify(compiled),
    triggers: compiled.triggers,
    pack: input.pack ?? null,
    created_at: now,
    updated_at: now,
    deleted_at: null,
  })
  await store.insertVersion(trx, {
    merchant_id: ctx.merchantId,
    rule_id: row.id,
    version: 1,
    source: input.source,
    compiled: JSON.stringify(compiled),
    created_by_type: ctx.actor.type,
    created_by: ctx.actor.id,
    created_at: now,
  })
  await store.bumpRevision(trx, ctx.merchantId)
  await armTimeConditions(trx, ctx.merchantId, compiled, row.mode)
  const rule = toRule(row)
  await recordAuditFor(
    trx,
    ctx,
    { action: 'rule.created', entityType: 'rule', entityId: row.id, before: null, after: audited(rule) },
    now,
  )
  return rule
}

export type UpdateRuleInput = {
  name?: string
  description?: string
  /** A changed source is compiled and becomes the next version */
  source?: string
  mode?: RuleMode
  priority?: number
  stopProcessing?: boolean
}

export async function updateRule(
  trx: Trx,
  ctx: ServiceContext,
  id: string,
  input: UpdateRuleInput,
  now: Date,
): Promise<Rule> {
  const row = await store.lockRule(trx, ctx.merchantId, id)
  if (!row) throw notFound(id)
  if (input.name !== undefined && input.name !== row.name) {
    assertName(input.name)
    await assertNameFree(trx, ctx.merchantId, input.name, id)
  }
  const newSource = input.source !== undefined && input.source !== row.source ? input.source : undefined
  const compiled = newSource === undefined ? undefined : await compileSource(trx, ctx.merchantId, newSource)
  const version = compiled ? row.version + 1 : row.version
  const updated = await store.updateRule(trx, ctx.merchantId, id, {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.mode !== undefined ? { mode: input.mode } : {}),
    ...(input.priority !== undefined ? { priority: input.priority } : {}),
    ...(input.stopProcessing !== undefined ? { stop_processing: input.stopProcessing } : {}),
    ...(compiled && newSource !== undefined
      ? { source: newSource, compiled: JSON.stringify(compiled), triggers: compiled.triggers, version }
      : {}),
    updated_at: now,
  })
  if (compiled && newSource !== undefined)
    await store.insertVersion(trx, {
      merchant_id: ctx.merchantId,
      rule_id: id,
      version,
      source: newSource,
      compiled: JSON.stringify(compiled),
      created_by_type: ctx.actor.type,
      created_by: ctx.actor.id,
      created_at: now,
    })
  await store.bumpRevision(trx, ctx.merchantId)
  if (compiled || (input.mode !== undefined && input.mode !== row.mode))
    await armTimeConditions(trx, ctx.merchantId, compiled ?? row.compiled, updated.mode)
  const after = toRule(updated)
  await recordAuditFor(
    trx,
    ctx,
    { action: 'rule.updated', entityType: 'rule', entityId: id, before: audited(toRule(row)), after: audited(after) },
    now,
  )
  return after
}

/** Soft: its versions and executions stay for the log; its name is free again. */
export async function deleteRule(trx: Trx, ctx: ServiceContext, id: string, now: Date): Promise<void> {
  const row = await store.lockRule(trx, ctx.merchantId, id)
  if (!row) throw notFound(id)
  await store.updateRule(trx, ctx.merchantId, id, { deleted_at: now, updated_at: now })
  await store.bumpRevision(trx, ctx.merchantId)
  await recordAuditFor(
    trx,
    ctx,
    { action: 'rule.deleted', entityType: 'rule', entityId: id, before: audited(toRule(row)), after: null },
    now,
  )
}

export type Validation = {
  ok: boolean
  problems: RuleProblem[]
  triggers: TriggerKind[]
  fields: string[]
  actions: { name: ActionName; text: string }[]
}

/** What the editor shows as the user types: the problems, or what the rule reads, when it runs and what it does. */
export async function validateRule(db: Db, merchantId: string, source: string): Promise<Validation> {
  const early = sourceProblems(source)
  const checked = early.length ? { ok: false as const, problems: early } : await checkRule(db, merchantId, source)
  if (!checked.ok) return { ok: false, problems: checked.problems, triggers: [], fields: [], actions: [] }
  const { triggers, fields, actions } = checked.compiled
  return { ok: true, problems: [], triggers, fields, actions: actions.map((a) => ({ name: a.name, text: a.text })) }
}
