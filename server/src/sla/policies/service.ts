import type { ServiceContext } from '../../auth/actor.js'
import { recordAuditFor } from '../../changes.js'
import type { Db, Trx } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import { newId } from '../../ids.js'
import { findExistingUserIds } from '../../users/service.js'
import { getTeam } from '../../teams/service.js'
import { getCalendar } from '../calendars/service.js'
import * as store from '../store.js'
import type { PolicyDefinition } from '../types.js'

export type Policy = {
  id: string
  name: string
  position: number
  fallback: boolean
  live_version: number
  draft: PolicyDefinition
  live: PolicyDefinition
  created_at: Date
  updated_at: Date
}

export type PolicyVersion = {
  policy_id: string
  version: number
  definition: PolicyDefinition
  published_at: Date
  published_by: string | null
}

const builtin = new Set(['first_response', 'next_response', 'resolution'])

async function toPolicy(db: Db, row: store.PolicyRow): Promise<Policy> {
  const live = await store.findVersion(db, row.merchant_id, row.id, row.live_version)
  return {
    id: row.id,
    name: row.name,
    position: row.position,
    fallback: row.fallback,
    live_version: row.live_version,
    draft: row.draft,
    live: live!.definition,
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}

const toVersion = (r: store.PolicyVersionRow): PolicyVersion => ({
  policy_id: r.policy_id,
  version: r.version,
  definition: r.definition,
  published_at: r.published_at,
  published_by: r.published_by,
})

export async function getPolicy(db: Db, merchantId: string, id: string): Promise<Policy> {
  const row = await store.findPolicy(db, merchantId, id)
  if (!row) throw new AppError('sla_policy_not_found', 'No such SLA policy', { policy_id: id })
  return toPolicy(db, row)
}

export async function listPolicies(db: Db, merchantId: string): Promise<Policy[]> {
  return Promise.all((await store.listPolicies(db, merchantId)).map((r) => toPolicy(db, r)))
}

export async function listPolicyVersions(db: Db, merchantId: string, id: string): Promise<PolicyVersion[]> {
  await getPolicy(db, merchantId, id)
  return (await store.listVersions(db, merchantId, id)).map(toVersion)
}

export async function getPolicyVersion(db: Db, merchantId: string, id: string, version: number) {
  const row = await store.findVersion(db, merchantId, id, version)
  if (!row)
    throw new AppError('sla_policy_version_not_found', 'No such version of this SLA policy', {
      policy_id: id,
      version,
    })
  return toVersion(row)
}

type Problem = { path: string; message: string }

/**
 * What is wrong with a definition: every problem at once, each at its path in the request as schema failures name
 * them (`at` is where the definition sits: `body/`, `body/draft/`, or `draft/` for a stored draft being published).
 */
async function definitionProblems(
  db: Db,
  merchantId: string,
  d: PolicyDefinition,
  fallback: boolean,
  at: string,
): Promise<Problem[]> {
  const problems: Problem[] = []
  const problem = (path: string, message: string) => problems.push({ path: `${at}${path}`, message })
  if (fallback && d.conditions.length) problem('conditions', 'the fallback applies to every case: it has no conditions')
  const seen = new Set<string>()
  // Each id that must exist, with the first place that names it.
  const calendars = new Map<string, string>(d.alert_calendar_id ? [[d.alert_calendar_id, 'alert_calendar_id']] : [])
  const teams = new Map<string, string>()
  const users = new Map<string, string>()
  const first = (ids: Map<string, string>, id: string, path: string) => {
    if (!ids.has(id)) ids.set(id, path)
  }
  d.targets.forEach((t, i) => {
    const target = `targets/${i}`
    if (seen.has(t.target)) problem(`${target}/target`, `${t.target} appears twice`)
    seen.add(t.target)
    if (builtin.has(t.target) && t.milestone_event)
      problem(`${target}/milestone_event`, `${t.target} is met by its own events`)
    if (!builtin.has(t.target) && !t.milestone_event)
      problem(`${target}/milestone_event`, 'a custom milestone names the event that meets it')
    if (t.calendar_id) first(calendars, t.calendar_id, `${target}/calendar_id`)
    for (const [j, s] of (t.steps ?? []).entries()) {
      const step = `${target}/steps/${j}`
      if ((s.percent === undefined) === (s.offset_minutes === undefined))
        problem(step, 'give either percent or offset_minutes')
      for (const [k, a] of s.actions.entries()) {
        if (a.type === 'notify' && a.to === 'user' && !a.user_id) problem(step, 'notifying a user names user_id')
        if (a.type === 'notify' && a.user_id) first(users, a.user_id, `${step}/actions/${k}/user_id`)
        if (a.type === 'reassign' && a.team_id) first(teams, a.team_id, `${step}/actions/${k}/team_id`)
      }
    }
  })
  for (const [id, path] of calendars)
    await getCalendar(db, merchantId, id).catch(() => problem(path, `no calendar ${id}`))
  for (const [id, path] of teams) await getTeam(db, merchantId, id).catch(() => problem(path, `no team ${id}`))
  const found = users.size ? await findExistingUserIds(db, merchantId, [...users.keys()]) : []
  for (const [id, path] of users) if (!found.includes(id)) problem(path, `no user ${id}`)
  return problems
}

async function assertDefinition(db: Db, merchantId: string, d: PolicyDefinition, fallback: boolean, at: string) {
  const problems = await definitionProblems(db, merchantId, d, fallback, at)
  if (problems.length) throw new AppError('sla_policy_invalid', 'The SLA policy is not valid', { errors: problems })
}

async function assertNameFree(db: Db, merchantId: string, name: string, exceptId?: string) {
  if (await store.findPolicyIdByName(db, merchantId, name, exceptId))
    throw new AppError('sla_policy_name_taken', 'An SLA policy with this name exists', { name })
}

export type PolicyInput = { name: string; position?: number; fallback?: boolean; definition: PolicyDefinition }

/** A policy, its first version published at once (a draft nobody published would apply to nothing). */
export async function createPolicy(trx: Trx, ctx: ServiceContext, input: PolicyInput, now: Date): Promise<Policy> {
  const fallback = input.fallback ?? false
  await assertNameFree(trx, ctx.merchantId, input.name)
  await assertDefinition(trx, ctx.merchantId, input.definition, fallback, 'body/')
  const definition = JSON.stringify(input.definition)
  const row = await store.insertPolicy(trx, {
    merchant_id: ctx.merchantId,
    id: newId(),
    name: input.name,
    position: input.position ?? 100,
    fallback,
    draft: definition,
    live_version: 1,
    created_at: now,
    updated_at: now,
  })
  await store.insertVersion(trx, {
    merchant_id: ctx.merchantId,
    policy_id: row.id,
    version: 1,
    definition,
    published_at: now,
    published_by: ctx.actor.id,
  })
  const policy = await toPolicy(trx, row)
  await recordAuditFor(
    trx,
    ctx,
    { action: 'sla_policy.created', entityType: 'sla_policy', entityId: row.id, before: null, after: policy },
    now,
  )
  return policy
}

async function lockPolicyOrThrow(trx: Trx, merchantId: string, id: string) {
  const row = await store.lockPolicy(trx, merchantId, id)
  if (!row) throw new AppError('sla_policy_not_found', 'No such SLA policy', { policy_id: id })
  return row
}

/** Name and order change at once; the draft waits for publishPolicy (cases keep their version meanwhile). */
export async function updatePolicy(
  trx: Trx,
  ctx: ServiceContext,
  id: string,
  input: { name?: string; position?: number; draft?: PolicyDefinition },
  now: Date,
): Promise<Policy> {
  const row = await lockPolicyOrThrow(trx, ctx.merchantId, id)
  if (input.name !== undefined) await assertNameFree(trx, ctx.merchantId, input.name, id)
  if (input.draft) await assertDefinition(trx, ctx.merchantId, input.draft, row.fallback, 'body/draft/')
  const before = await toPolicy(trx, row)
  const after = await toPolicy(
    trx,
    await store.updatePolicy(trx, ctx.merchantId, id, {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.position !== undefined ? { position: input.position } : {}),
      ...(input.draft ? { draft: JSON.stringify(input.draft) } : {}),
      updated_at: now,
    }),
  )
  await recordAuditFor(
    trx,
    ctx,
    { action: 'sla_policy.updated', entityType: 'sla_policy', entityId: id, before, after },
    now,
  )
  return after
}

/** The draft becomes the next version, live for new cases; running cases keep theirs until re-applied. */
export async function publishPolicy(trx: Trx, ctx: ServiceContext, id: string, now: Date): Promise<Policy> {
  const row = await lockPolicyOrThrow(trx, ctx.merchantId, id)
  const live = await store.findVersion(trx, ctx.merchantId, id, row.live_version)
  if (JSON.stringify(live?.definition) === JSON.stringify(row.draft))
    throw new AppError('sla_policy_unchanged', 'The draft is the live version: nothing to publish', {
      policy_id: id,
      version: row.live_version,
    })
  // The draft was valid when saved; a team or person it names may have gone since.
  await assertDefinition(trx, ctx.merchantId, row.draft, row.fallback, 'draft/')
  const version = (await store.listVersions(trx, ctx.merchantId, id)).length + 1
  await store.insertVersion(trx, {
    merchant_id: ctx.merchantId,
    policy_id: id,
    version,
    definition: JSON.stringify(row.draft),
    published_at: now,
    published_by: ctx.actor.id,
  })
  const after = await toPolicy(
    trx,
    await store.updatePolicy(trx, ctx.merchantId, id, { live_version: version, updated_at: now }),
  )
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'sla_policy.published',
      entityType: 'sla_policy',
      entityId: id,
      before: { live_version: row.live_version },
      after: { live_version: version },
    },
    now,
  )
  return after
}

export async function deletePolicy(trx: Trx, ctx: ServiceContext, id: string, now: Date): Promise<void> {
  const row = await lockPolicyOrThrow(trx, ctx.merchantId, id)
  if (row.fallback)
    throw new AppError('sla_policy_fallback', 'The fallback policy cannot be deleted: every case needs one', {
      policy_id: id,
    })
  const before = await toPolicy(trx, row)
  await store.deletePolicy(trx, ctx.merchantId, id)
  await recordAuditFor(
    trx,
    ctx,
    { action: 'sla_policy.deleted', entityType: 'sla_policy', entityId: id, before, after: null },
    now,
  )
}
