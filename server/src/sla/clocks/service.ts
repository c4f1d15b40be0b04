import type { ServiceContext } from '../../auth/actor.js'
import { type CaseActivity, lockCaseOrThrow, recordCaseActivity } from '../../cases/service.js'
import type { Db, Trx } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import { newId } from '../../ids.js'
import { getMerchant } from '../../merchants/service.js'
import { seedDefaultPolicies } from '../policies/defaults.js'
import { getPolicy } from '../policies/service.js'
import { matchCase } from '../policies/match.js'
import { getSlaSettings } from '../settings.js'
import * as store from '../store.js'
import type { ClockRow, WatchRow } from '../store.js'
import type { TimeMeasure } from '../calendar.js'
import type { PolicyDefinition, TargetDefinition } from '../types.js'
import { planClock, unplanClock, type Watches } from './plan.js'
import { counts, isOpen, measures, type Measures, pointAt, spentAt } from './time.js'

type CaseRow = Awaited<ReturnType<typeof lockCaseOrThrow>>
type Activity = Required<Pick<CaseActivity, 'timeline' | 'events'>>
type Applied = { policyId: string; version: number; definition: PolicyDefinition }

/** What one SLA change does to a case, gathered and written once through the cases' recordCaseActivity. */
type Work = {
  trx: Trx
  ctx: ServiceContext
  row: CaseRow
  clocks: ClockRow[]
  m: Measures
  now: Date
  activity: Activity
  tier?: string
  /** The case's watches, read at most once */
  watches: Watches
}

const dueIso = (c: ClockRow) => c.due_at.toISOString()
const clockFields = (c: ClockRow) => ({
  case_id: c.case_id,
  target: c.target,
  episode: c.episode,
  policy_id: c.policy_id,
  policy_version: c.policy_version,
  due_at: dueIso(c),
})

async function begin(trx: Trx, ctx: ServiceContext, caseId: string, now: Date): Promise<Work | null> {
  // The case first, then its clocks: two SLA changes to one case (an event's consumer, a step) run one after the
  // other, a case with no clocks yet included; the cases service takes the case's lock first too.
  const row = await lockCaseOrThrow(trx, ctx.merchantId, caseId)
  const clocks = await store.lockClocks(trx, ctx.merchantId, caseId)
  if (row.merged_into_id) return null
  let watches: Promise<WatchRow[]> | undefined
  const watchesOf = () => {
    watches ??= store.listWatches(trx, ctx.merchantId, caseId)
    return watches
  }
  return {
    trx,
    ctx,
    row,
    clocks,
    m: measures(trx, ctx.merchantId),
    now,
    activity: { timeline: [], events: [] },
    watches: watchesOf,
  }
}

/** The case's SLA summary for list filters and sorts: breached over active over paused over met. */
function summary(clocks: ClockRow[]) {
  const open = clocks.filter(isOpen)
  const state = open.some((c) => c.breached_at)
    ? 'breached'
    : open.some((c) => c.state === 'active')
      ? 'active'
      : open.length
        ? 'paused'
        : clocks.length
          ? 'met'
          : null
  const due = open.filter(counts).map((c) => c.due_at.getTime())
  return { sla_state: state, sla_next_due_at: due.length ? new Date(Math.min(...due)) : null } as const
}

const sameTime = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null)

async function finish(w: Work, action: string): Promise<void> {
  const sums = summary(w.clocks)
  // Nothing for the case (a repeated or late event, a status the clocks already follow): its row is not written.
  const unchanged =
    !w.activity.timeline.length &&
    !w.activity.events.length &&
    sums.sla_state === w.row.sla_state &&
    sameTime(sums.sla_next_due_at, w.row.sla_next_due_at) &&
    (w.tier === undefined || w.tier === w.row.sla_tier)
  if (unchanged) return
  await recordCaseActivity(
    w.trx,
    w.ctx,
    w.row.id,
    {
      action,
      patch: { ...sums, ...(w.tier !== undefined ? { sla_tier: w.tier } : {}) },
      timeline: w.activity.timeline,
      events: w.activity.events,
      acts: false,
    },
    w.now,
    // Locked by begin (read again by a step whose actions changed the case).
    w.row,
  )
}

async function save(w: Work, c: ClockRow, patch: Partial<ClockRow>): Promise<ClockRow> {
  const { paused_seconds, fired_steps, steps, ...rest } = patch
  const saved = await store.updateClock(w.trx, c.merchant_id, c.id, {
    ...rest,
    ...(paused_seconds !== undefined ? { paused_seconds: Number(paused_seconds) } : {}),
    ...(fired_steps !== undefined ? { fired_steps } : {}),
    ...(steps !== undefined ? { steps: JSON.stringify(steps) } : {}),
    updated_at: w.now,
  })
  w.clocks = w.clocks.map((x) => (x.id === c.id ? saved : x))
  return saved
}

async function startClock(
  w: Work,
  applied: Applied,
  t: TargetDefinition,
  episode: number,
  startedAt: Date,
  sourceEventId: string | null,
): Promise<ClockRow | undefined> {
  const m = await w.m(t.calendar_id)
  const base = { checkpoint_at: startedAt, spent_minutes: 0 }
  const row = await store.insertClock(w.trx, {
    merchant_id: w.ctx.merchantId,
    id: newId(),
    case_id: w.row.id,
    target: t.target,
    episode,
    policy_id: applied.policyId,
    policy_version: applied.version,
    tier: applied.definition.tier,
    calendar_id: t.calendar_id,
    minutes: t.minutes,
    steps: JSON.stringify(t.steps ?? []),
    alert_calendar_id: applied.definition.alert_calendar_id,
    milestone_event: t.milestone_event ?? null,
    started_at: startedAt,
    ...base,
    due_at: pointAt(base, m, t.minutes),
    state: 'active',
    source_event_id: sourceEventId,
    case_type: w.row.type_key,
    carrier_code: w.row.carrier_code,
    fulfilment_centre: w.row.fulfilment_centre,
    team_id: w.row.team_id,
    updated_at: w.now,
  })
  if (!row) return undefined // this event started it already
  w.clocks.push(row)
  await planClock(w.trx, row, m, w.now, w.watches)
  return row
}

const latest = (clocks: ClockRow[], target: string) =>
  clocks.filter((c) => c.target === target).sort((a, b) => b.episode - a.episode)[0]

/** The policy the case runs on (its newest clock's), as its version was. */
async function appliedPolicy(w: Work): Promise<Applied | null> {
  const c = [...w.clocks].sort((a, b) => b.updated_at.getTime() - a.updated_at.getTime())[0]
  if (!c) return null
  const v = await store.findVersion(w.trx, w.ctx.merchantId, c.policy_id, c.policy_version)
  return v ? { policyId: c.policy_id, version: c.policy_version, definition: v.definition } : null
}

/** A case with no clocks gets the policy that matches it, its targets counted from when the case opened. */
async function ensureApplied(w: Work): Promise<void> {
  if (w.clocks.length) return
  const match = await matchCase(w.trx, w.row).catch(async (err) => {
    // A workspace made before SLAs existed gets the default tiers with its first case since.
    if (!(err instanceof AppError && err.code === 'sla_policy_not_found')) throw err
    const { default_currency: currency } = await getMerchant(w.trx, w.ctx.merchantId)
    await seedDefaultPolicies(w.trx, w.ctx.merchantId, currency, w.now)
    return matchCase(w.trx, w.row)
  })
  const applied = { policyId: match.policy_id, version: match.policy_version, definition: match.definition }
  for (const t of applied.definition.targets)
    if (t.target !== 'next_response') await startClock(w, applied, t, 1, w.row.created_at, null)
  // The case's SLA shows in its header and the sla.applied event; the timeline keeps to what people and steps did.
  w.tier = applied.definition.tier
  w.activity.events.push({
    type: 'sla.applied',
    data: {
      case_id: w.row.id,
      policy_id: applied.policyId,
      policy_version: applied.version,
      tier: applied.definition.tier,
      reapplied: false,
    },
  })
}

async function pauseClocks(w: Work, at: Date, which: (c: ClockRow) => boolean, status: string) {
  const paused: string[] = []
  for (const c of w.clocks.filter((c) => counts(c) && which(c))) {
    const m = await w.m(c.calendar_id)
    const saved = await save(w, c, {
      spent_minutes: spentAt(c, m, at),
      checkpoint_at: at,
      state: 'paused',
      paused_at: at,
    })
    await unplanClock(w.trx, saved, { watchesOf: w.watches })
    paused.push(c.target)
  }
  if (paused.length)
    w.activity.events.push({ type: 'sla.paused', data: { case_id: w.row.id, targets: paused, status } })
}

async function resumeClocks(w: Work, at: Date, status: string) {
  const resumed: string[] = []
  for (const c of w.clocks.filter((c) => c.state === 'paused')) {
    const m = await w.m(c.calendar_id)
    const base = { checkpoint_at: at, spent_minutes: c.spent_minutes }
    const saved = await save(w, c, {
      ...base,
      state: c.breached_at ? 'breached' : 'active',
      paused_at: null,
      paused_seconds: pausedSecondsAt(c, m, at),
      // Pushed by the paused business time: the minutes left count from now.
      due_at: pointAt(base, m, c.minutes),
    })
    await planClock(w.trx, saved, m, w.now, w.watches)
    resumed.push(c.target)
  }
  if (resumed.length)
    w.activity.events.push({ type: 'sla.resumed', data: { case_id: w.row.id, targets: resumed, status } })
}

/** The clock's paused business time in seconds up to `at`, the pause running now included. */
const pausedSecondsAt = (c: ClockRow, m: TimeMeasure, at: Date) =>
  String(
    Number(c.paused_seconds) +
      (c.state === 'paused' ? Math.round(Math.max(0, m.minutesBetween(c.paused_at ?? at, at)) * 60) : 0),
  )

async function meetClock(w: Work, c: ClockRow, at: Date) {
  const m = await w.m(c.calendar_id)
  const saved = await save(w, c, {
    spent_minutes: spentAt(c, m, at),
    checkpoint_at: at,
    state: 'met',
    met_at: at,
    paused_at: null,
    paused_seconds: pausedSecondsAt(c, m, at),
  })
  await unplanClock(w.trx, saved, { passed: true, watchesOf: w.watches })
  const late = saved.breached_at !== null
  w.activity.events.push({ type: 'sla.met', data: { ...clockFields(saved), late } })
  w.activity.timeline.push({
    type: 'sla_met',
    data: { target: c.target, episode: c.episode, late },
    text: `SLA ${c.target.replace(/_/g, ' ')} met${late ? ' late' : ''}`,
  })
}

const resolvedStatuses = new Set(['resolved', 'closed'])

/**
 * Brings the case's clocks in line with the case as it is now: applies a policy to a case with none, meets every
 * open target when resolved, pauses in a pause status, resumes otherwise, and starts a new resolution episode after
 * a reopen. Reading the case rather than trusting each event's order makes a late or
 * repeated event harmless. `at` is when the change happened (the event's time).
 */
export async function reconcileCase(trx: Trx, ctx: ServiceContext, caseId: string, at: Date, now: Date) {
  const w = await begin(trx, ctx, caseId, now)
  if (!w) return
  await ensureApplied(w)
  const status = w.row.status
  if (resolvedStatuses.has(status)) {
    // Solving a case fulfils every running target, as in Zendesk: met at the resolution, late if breached already.
    // Left paused, a response target would read as running forever in the case list and the reports.
    const resolvedAt = w.row.resolved_at ?? at
    for (const c of w.clocks.filter(isOpen)) await meetClock(w, c, resolvedAt)
  } else {
    const resolution = latest(w.clocks, 'resolution')
    // Each reopen runs the resolution target again; the earlier episodes keep their outcome.
    if (resolution && !isOpen(resolution) && resolution.episode <= w.row.reopen_count) {
      const applied = await appliedPolicy(w)
      const t = applied?.definition.targets.find((x) => x.target === 'resolution')
      if (applied && t) await startClock(w, applied, t, resolution.episode + 1, at, null)
    }
    const pauses = (await getSlaSettings(trx, ctx.merchantId)).pause_statuses
    if ((pauses as string[]).includes(status)) await pauseClocks(w, at, () => true, status)
    else await resumeClocks(w, at, status)
  }
  await finish(w, 'sla.updated')
}

/** A public reply by a person meets the first response and the running next response. */
export async function recordReply(trx: Trx, ctx: ServiceContext, caseId: string, at: Date, now: Date) {
  const w = await begin(trx, ctx, caseId, now)
  if (!w) return
  await ensureApplied(w)
  for (const target of ['first_response', 'next_response']) {
    const c = latest(w.clocks, target)
    if (c && isOpen(c)) await meetClock(w, c, at)
  }
  await finish(w, 'sla.met')
}

/** A customer's message starts a next-response episode unless one is running. */
export async function recordCustomerMessage(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  eventId: string,
  at: Date,
  now: Date,
) {
  const w = await begin(trx, ctx, caseId, now)
  if (!w) return
  await ensureApplied(w)
  const running = latest(w.clocks, 'next_response')
  const applied = await appliedPolicy(w)
  const t = applied?.definition.targets.find((x) => x.target === 'next_response')
  if (applied && t && !resolvedStatuses.has(w.row.status) && !(running && isOpen(running)))
    await startClock(w, applied, t, (running?.episode ?? 0) + 1, at, eventId)
  await finish(w, 'sla.updated')
}

/** An event that meets a custom milestone (a target with this milestone_event). */
export async function recordMilestone(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  type: string,
  at: Date,
  now: Date,
) {
  const w = await begin(trx, ctx, caseId, now)
  if (!w) return
  const open = w.clocks.filter((c) => isOpen(c) && c.milestone_event === type)
  if (!open.length) return
  for (const c of open) await meetClock(w, c, at)
  await finish(w, 'sla.met')
}

/** Of these events, those of a type that meets a custom milestone in some version of their workspace's policies. */
export async function milestoneEvents<E extends { merchant_id: string; type: string }>(db: Db, events: E[]) {
  const types = await store.listMilestoneEvents(db, [...new Set(events.map((e) => e.merchant_id))])
  return events.filter((e) => types.get(e.merchant_id)?.has(e.type))
}

/**
 * Applies a policy (the one given, else the one that matches now) to a case, keeping the time its running targets
 * have spent: each keeps its minutes spent and counts on under the new version's minutes, calendar and steps.
 */
export async function applySlaPolicy(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  input: { policyId?: string },
  now: Date,
): Promise<void> {
  const w = await begin(trx, ctx, caseId, now)
  if (!w) throw new AppError('sla_case_unsupported', 'This case was merged into another', { case_id: caseId })
  let applied: Applied
  if (input.policyId) {
    const p = await getPolicy(trx, ctx.merchantId, input.policyId)
    applied = { policyId: p.id, version: p.live_version, definition: p.live }
  } else {
    const match = await matchCase(trx, w.row)
    applied = { policyId: match.policy_id, version: match.policy_version, definition: match.definition }
  }
  const resolved = resolvedStatuses.has(w.row.status)
  for (const t of applied.definition.targets) {
    const c = latest(w.clocks, t.target)
    if (c && isOpen(c)) await moveClock(w, c, { applied, target: t })
    else if (!c && t.target !== 'next_response' && !resolved) await startClock(w, applied, t, 1, w.row.created_at, null)
  }
  // Targets the new policy lacks stop running (their finished episodes stay for the record).
  for (const c of w.clocks.filter((c) => isOpen(c) && !applied.definition.targets.some((t) => t.target === c.target))) {
    await unplanClock(w.trx, c, { watchesOf: w.watches })
    await w.trx.deleteFrom('sla_clocks').where('merchant_id', '=', c.merchant_id).where('id', '=', c.id).execute()
    w.clocks = w.clocks.filter((x) => x.id !== c.id)
  }
  w.tier = applied.definition.tier
  w.activity.timeline.push({
    type: 'sla_applied',
    data: {
      policy_id: applied.policyId,
      policy_version: applied.version,
      tier: applied.definition.tier,
      reapplied: true,
    },
    text: `SLA re-applied (${applied.definition.tier}), time spent kept`,
  })
  w.activity.events.push({
    type: 'sla.applied',
    data: {
      case_id: w.row.id,
      policy_id: applied.policyId,
      policy_version: applied.version,
      tier: applied.definition.tier,
      reapplied: true,
    },
  })
  await finish(w, 'sla.applied')
}

/** A running clock on new terms, its minutes spent kept; breached at once when they already exceed the target. */
async function moveClock(
  w: Work,
  c: ClockRow,
  to: { applied?: Applied; target?: TargetDefinition; minutes?: number; calendarId?: string | null },
) {
  const oldM = await w.m(c.calendar_id)
  const spent = spentAt(c, oldM, w.now)
  await unplanClock(w.trx, c, { watchesOf: w.watches })
  const calendarId = to.calendarId !== undefined ? to.calendarId : (to.target?.calendar_id ?? c.calendar_id)
  const minutes = to.minutes ?? to.target?.minutes ?? c.minutes
  const m = await w.m(calendarId)
  const base = { checkpoint_at: c.state === 'paused' ? c.checkpoint_at : w.now, spent_minutes: spent }
  const newVersion = to.applied && (to.applied.policyId !== c.policy_id || to.applied.version !== c.policy_version)
  let saved = await save(w, c, {
    ...base,
    calendar_id: calendarId,
    minutes,
    due_at: pointAt(base, m, minutes),
    ...(to.applied
      ? {
          policy_id: to.applied.policyId,
          policy_version: to.applied.version,
          tier: to.applied.definition.tier,
          alert_calendar_id: to.applied.definition.alert_calendar_id,
        }
      : {}),
    ...(to.target ? { steps: to.target.steps ?? [], milestone_event: to.target.milestone_event ?? null } : {}),
    // A new version's steps are new steps; those at points already spent are not fired late.
    ...(newVersion ? { fired_steps: c.breached_at ? ['breach'] : [] } : {}),
  })
  if (!saved.breached_at && spent >= minutes) saved = await markBreached(w, saved, w.now)
  await planClock(w.trx, saved, m, w.now, w.watches)
}

export async function markBreached(w: Work, c: ClockRow, at: Date): Promise<ClockRow> {
  const saved = await save(w, c, {
    breached_at: at,
    state: c.state === 'active' ? 'breached' : c.state,
    fired_steps: [...new Set([...c.fired_steps, 'breach'])],
  })
  w.activity.events.push({ type: 'sla.breached', data: clockFields(saved) })
  w.activity.timeline.push({
    type: 'sla_breached',
    data: { target: c.target, episode: c.episode, due_at: dueIso(saved) },
    text: `SLA ${c.target.replace(/_/g, ' ')} breached`,
  })
  return saved
}

export type TargetInput = { minutes: number; business: boolean; calendarId?: string }

/**
 * An explicit target on one case (a person, the API, or a rule's set_SLA(24h)): the running episode's minutes
 * (and calendar) change, its time spent kept; with none running, a new episode starts now.
 */
export async function setSlaTarget(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  target: string,
  input: TargetInput,
  now: Date,
): Promise<void> {
  const w = await begin(trx, ctx, caseId, now)
  if (!w) throw new AppError('sla_case_unsupported', 'This case was merged into another', { case_id: caseId })
  await ensureApplied(w)
  const applied = (await appliedPolicy(w))!
  const defined = applied.definition.targets.find((t) => t.target === target)
  const c = latest(w.clocks, target)
  const current = c?.calendar_id ?? defined?.calendar_id ?? null
  const calendarId = input.business ? (input.calendarId ?? current) : null
  if (input.business && !calendarId)
    throw new AppError('sla_calendar_required', 'Business time needs a calendar: name calendar_id', { target })
  if (calendarId) await w.m(calendarId) // 404 for a calendar the workspace does not have
  const terms = { minutes: input.minutes, calendarId }
  if (c && isOpen(c)) await moveClock(w, c, terms)
  else {
    const t: TargetDefinition = {
      ...(defined ?? { target, steps: [] }),
      minutes: input.minutes,
      calendar_id: calendarId,
    }
    if (!defined && !['first_response', 'next_response', 'resolution'].includes(target))
      throw new AppError(
        'sla_target_not_found',
        'The case has no such target; custom milestones come from its policy',
        {
          target,
        },
      )
    await startClock(w, applied, t, (c?.episode ?? 0) + 1, now, null)
  }
  w.activity.timeline.push({
    type: 'sla_target_set',
    data: { target, minutes: input.minutes, calendar_id: calendarId },
    text: `SLA ${target.replace(/_/g, ' ')} set to ${input.minutes} ${calendarId ? 'business ' : ''}minutes`,
  })
  await finish(w, 'sla.target_set')
}

export { begin as beginSlaWork, finish as finishSlaWork, save as saveClock, type Work as SlaWork }
export type { CaseRow }
export const listCaseClocks = (db: Db, merchantId: string, caseId: string) => store.listClocks(db, merchantId, caseId)
