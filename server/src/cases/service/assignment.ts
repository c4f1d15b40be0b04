import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import { getTeam } from '../../teams/service.js'
import { getUser } from '../../users/service.js'
import { assertUnresolved } from '../lifecycle.js'
import * as agentStore from '../store/agents.js'
import type { AgentRow } from '../store/agents.js'
import * as caseStore from '../store/cases.js'
import type { CaseRow, Db } from '../store/cases.js'
import type { AssignmentStrategy, RoutingRule } from '../tables.js'
import { recordAuditFor } from '../../changes.js'
import { findCaseOrThrow } from './find-cases.js'
import { assignCase } from './work-case.js'
import { getCaseSettings } from './case-settings.js'

type Trx = Transaction<Database>

export const defaultCapacity = 25

export type Agent = {
  user_id: string
  name: string
  capacity: number
  away: boolean
  away_until: Date | null
  open_cases: number
  last_assigned_at: Date | null
  available: boolean
}

const isAway = (a: { away: boolean; away_until: Date | null }, now: Date) =>
  a.away && (!a.away_until || a.away_until > now)

/** A team's active members with their load, capacity and presence, in the order a strategy picks them. */
export async function teamAgents(db: Db, merchantId: string, teamId: string, now: Date): Promise<Agent[]> {
  const team = await getTeam(db, merchantId, teamId)
  const users = (await Promise.all(team.member_ids.map((id) => getUser(db, merchantId, id)))).filter(
    (u) => u.status === 'active',
  )
  const ids = users.map((u) => u.id)
  const [settings, load] = await Promise.all([
    agentStore.listAgents(db, merchantId, ids),
    agentStore.countUnresolvedByAssignee(db, merchantId, ids),
  ])
  return users.map((u) => {
    const s = settings.find((a) => a.user_id === u.id)
    const a = {
      capacity: s?.capacity ?? defaultCapacity,
      away: s?.away ?? false,
      away_until: s?.away_until ?? null,
      last_assigned_at: s?.last_assigned_at ?? null,
    }
    const open = load.get(u.id) ?? 0
    return { user_id: u.id, name: u.name, ...a, open_cases: open, available: !isAway(a, now) && open < a.capacity }
  })
}

const time = (d: Date | null) => d?.getTime() ?? 0

/**
 * The next person for a team's case: round-robin takes whoever waited longest since their last case,
 * least-loaded whoever holds the fewest unresolved cases (then the longest wait). Away people and people
 * at capacity are skipped; null when nobody is available.
 */
export async function pickAssignee(
  trx: Trx,
  merchantId: string,
  teamId: string,
  strategy: AssignmentStrategy,
  now: Date,
): Promise<string | null> {
  if (strategy === 'team_only') return null
  await agentStore.lockTeamTurn(trx, merchantId, teamId)
  const candidates = (await teamAgents(trx, merchantId, teamId, now)).filter((a) => a.available)
  candidates.sort(
    (a, b) =>
      (strategy === 'least_loaded' ? a.open_cases - b.open_cases : 0) ||
      time(a.last_assigned_at) - time(b.last_assigned_at) ||
      a.user_id.localeCompare(b.user_id),
  )
  const next = candidates[0]
  if (!next) return null
  await agentStore.upsertAgent(trx, {
    merchant_id: merchantId,
    user_id: next.user_id,
    capacity: next.capacity,
    away: next.away,
    away_until: next.away_until,
    last_assigned_at: now,
    updated_at: now,
  })
  return next.user_id
}

export function matchRoute(rules: RoutingRule[], c: CaseRow): RoutingRule | undefined {
  const has = <T>(list: T[] | undefined, v: T | null) => !list?.length || (v !== null && list.includes(v))
  return rules.find(
    (r) =>
      has(r.when.case_types, c.type_key) &&
      has(r.when.carriers, c.carrier_code) &&
      has(r.when.fulfilment_centres, c.fulfilment_centre) &&
      has(r.when.product_categories, c.product_category) &&
      has(r.when.priorities, c.priority),
  )
}

export type AutoAssignInput = { teamId?: string; strategy?: AssignmentStrategy }
export type AutoAssignResult = { case: CaseRow; rule: string | null; assigned: boolean }
type Route = { name: string | null; teamId: string; strategy: AssignmentStrategy }

const ruleRoute = (rule: RoutingRule, strategy?: AssignmentStrategy): Route => ({
  name: rule.name,
  teamId: rule.team_id,
  strategy: strategy ?? rule.strategy,
})

async function assignByRoute(
  trx: Trx,
  ctx: ServiceContext,
  row: CaseRow,
  route: Route,
  now: Date,
): Promise<AutoAssignResult> {
  await getTeam(trx, ctx.merchantId, route.teamId).catch(() => {
    throw new AppError('link_target_not_found', 'No such team', { field: 'team_id', id: route.teamId })
  })
  const assignee = await pickAssignee(trx, ctx.merchantId, route.teamId, route.strategy, now)
  const how = route.name ? `routing:${route.name}` : route.strategy
  const after = await assignCase(
    trx,
    ctx,
    row.id,
    { assigneeId: assignee ?? row.assignee_id, teamId: route.teamId, how },
    now,
  )
  return { case: after, rule: route.name, assigned: assignee !== null }
}

/**
 * Assigns a case by the given team and strategy, or by the first routing rule that matches it.
 * The rules engine calls this too. With nobody available, the case goes to the team unassigned.
 */
export async function autoAssignCase(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  input: AutoAssignInput,
  now: Date,
): Promise<AutoAssignResult> {
  const row = await findCaseOrThrow(trx, ctx.merchantId, caseId)
  assertUnresolved(row, 'is not assigned')
  const teamRoute = (teamId: string): Route => ({ name: null, teamId, strategy: input.strategy ?? 'round_robin' })
  if (input.teamId) return assignByRoute(trx, ctx, row, teamRoute(input.teamId), now)
  const rule = matchRoute((await getCaseSettings(trx, ctx.merchantId)).routing, row)
  if (rule) return assignByRoute(trx, ctx, row, ruleRoute(rule, input.strategy), now)
  if (!row.team_id)
    throw new AppError('routing_no_match', 'No routing rule matches this case and it has no team; give a team_id', {
      case_id: row.id,
    })
  return assignByRoute(trx, ctx, row, teamRoute(row.team_id), now)
}

/** A new case nobody has taken: route it if a rule matches (the `cases:routing` consumer). */
export async function routeNewCase(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  now: Date,
): Promise<AutoAssignResult | null> {
  const row = await caseStore.findCase(trx, ctx.merchantId, caseId)
  if (!row || row.assignee_id || row.status !== 'new') return null
  const rule = matchRoute((await getCaseSettings(trx, ctx.merchantId)).routing, row)
  return rule ? assignByRoute(trx, ctx, row, ruleRoute(rule), now) : null
}

export type AgentInput = { capacity?: number; away?: boolean; awayUntil?: Date | null }

export async function updateAgent(
  trx: Trx,
  ctx: ServiceContext,
  userId: string,
  input: AgentInput,
  now: Date,
): Promise<AgentRow> {
  const user = await getUser(trx, ctx.merchantId, userId)
  const before = (await agentStore.listAgents(trx, ctx.merchantId, [user.id]))[0]
  const after = await agentStore.upsertAgent(trx, {
    merchant_id: ctx.merchantId,
    user_id: user.id,
    capacity: input.capacity ?? before?.capacity ?? defaultCapacity,
    away: input.away ?? before?.away ?? false,
    away_until: input.awayUntil !== undefined ? input.awayUntil : (before?.away_until ?? null),
    last_assigned_at: before?.last_assigned_at ?? null,
    updated_at: now,
  })
  const view = (a: AgentRow | undefined) => a && { capacity: a.capacity, away: a.away, away_until: a.away_until }
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'case_agent.updated',
      entityType: 'user',
      entityId: user.id,
      before: view(before) ?? null,
      after: view(after),
    },
    now,
  )
  return after
}
