import { systemContext } from '../../auth/actor.js'
import { autoAssignCase, escalateCase, notifyUsers, updateCase } from '../../cases/service.js'
import type { Trx } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import { scheduleAction } from '../../jobs/clock.js'
import type { ScheduledAction } from '../../modules.js'
import { getTeam } from '../../teams/service.js'
import type { ClockRow } from '../store.js'
import type { StepActionDefinition, StepDefinition } from '../types.js'
import { alertTask, stepKey } from './plan.js'
import { beginSlaWork, finishSlaWork, markBreached, saveClock, type SlaWork } from './service.js'

const priorityOrder = ['low', 'normal', 'high', 'urgent'] as const
const changesCase = new Set<StepActionDefinition['type']>(['reassign', 'raise_priority', 'add_tag', 'escalate'])

const words = (target: string) => target.replace(/_/g, ' ')

// The case's team, read once per firing however many of its steps' actions ask (recipients, alert hours).
const teams = new WeakMap<SlaWork, Map<string, ReturnType<typeof getTeam>>>()
function teamOf(w: SlaWork, teamId: string) {
  let read = teams.get(w)
  if (!read) teams.set(w, (read = new Map()))
  let team = read.get(teamId)
  if (!team) read.set(teamId, (team = getTeam(w.trx, w.ctx.merchantId, teamId)))
  return team
}

/** Who a notify action reaches on this case now. */
async function recipients(w: SlaWork, a: Extract<StepActionDefinition, { type: 'notify' }>): Promise<string[]> {
  const { row } = w
  switch (a.to) {
    case 'assignee':
      return row.assignee_id ? [row.assignee_id] : []
    case 'user':
      return a.user_id ? [a.user_id] : []
    case 'team':
    case 'team_lead': {
      if (!row.team_id) return []
      const team = await teamOf(w, row.team_id)
      return a.to === 'team' ? team.member_ids : team.lead_user_id ? [team.lead_user_id] : []
    }
  }
}

type Alert = { case_id: string; user_ids: string[]; title: string; cause: string; dedup_key: string }

// "Same case, same message": a breach alert and a rule's breach alert about one target notify once while unread.
const alertFor = (c: ClockRow, number: string, step: StepDefinition, userIds: string[]): Alert => {
  const breached = step.percent !== undefined ? step.percent >= 100 : (step.offset_minutes ?? 0) >= 0
  const kind = breached ? 'breached' : 'at_risk'
  const when = step.percent !== undefined ? `${step.percent}% of` : `${step.offset_minutes} min from`
  return {
    case_id: c.case_id,
    user_ids: userIds,
    title: `${number}: SLA ${words(c.target)} ${breached ? 'breached' : 'at risk'} (${when} the target)`,
    cause: `sla_${kind}`,
    dedup_key: `${c.case_id}:sla_${kind}:${c.target}`,
  }
}

/** The hours an alert about the case waits for: its team's business hours, else the policy's alert calendar. */
async function alertHours(w: SlaWork, c: ClockRow): Promise<string | null> {
  const team = w.row.team_id ? await teamOf(w, w.row.team_id) : null
  return team?.calendar_id ?? c.alert_calendar_id
}

/** In-app now, or when the step is not urgent and its hours are closed, at their next open time (alerts at midnight). */
async function sendAlert(w: SlaWork, c: ClockRow, step: StepDefinition, key: string, alert: Alert) {
  if (!alert.user_ids.length) return 'nobody to notify'
  const hours = step.urgent ? null : await alertHours(w, c)
  if (hours) {
    const m = await w.m(hours)
    if (!m.isOpen(w.now)) {
      const at = m.nextOpen(w.now)
      await scheduleAction(
        w.trx,
        { merchantId: c.merchant_id, key: `${key}:alert`, task: alertTask, runAt: at, payload: alert },
        w.now,
      )
      return `held until ${at.toISOString()}`
    }
  }
  await deliverAlert(w.trx, c.merchant_id, alert, w.now)
  return `notified ${alert.user_ids.length}`
}

export async function deliverAlert(trx: Trx, merchantId: string, a: Alert, now: Date) {
  await notifyUsers(
    trx,
    merchantId,
    a.user_ids,
    { caseId: a.case_id, cause: a.cause, title: a.title, dedupKey: a.dedup_key },
    now,
  )
}

/** One action through the cases module's own functions; a refusal (a resolved case, no team) is said, not thrown. */
async function runAction(w: SlaWork, c: ClockRow, step: StepDefinition, key: string, a: StepActionDefinition) {
  const caseId = c.case_id
  const ctx = w.ctx
  try {
    switch (a.type) {
      case 'notify': {
        const users = await recipients(w, a)
        return sendAlert(w, c, step, key, alertFor(c, `CD-${w.row.number}`, step, users))
      }
      case 'reassign': {
        const r = await autoAssignCase(w.trx, ctx, caseId, { teamId: a.team_id, strategy: a.strategy }, w.now)
        return r.assigned ? `assigned to ${r.case.assignee_id}` : `moved to team ${r.case.team_id}`
      }
      case 'raise_priority': {
        const now = priorityOrder.indexOf(w.row.priority)
        const to = a.to ?? priorityOrder[Math.min(now + 1, priorityOrder.length - 1)]!
        if (priorityOrder.indexOf(to) <= now) return `priority already ${w.row.priority}`
        await updateCase(w.trx, ctx, caseId, { priority: to }, w.now)
        return `priority ${to}`
      }
      case 'add_tag':
        await updateCase(w.trx, ctx, caseId, { addTags: [a.tag] }, w.now)
        return `tagged ${a.tag}`
      case 'escalate': {
        const after = await escalateCase(w.trx, ctx, caseId, { reason: `sla_${c.target}` }, w.now)
        return `escalated to level ${after.escalation_level}`
      }
      case 'remedy': {
        const params = a.params ?? {}
        w.activity.events.push({
          type: 'sla.remedy_requested',
          data: {
            case_id: caseId,
            target: c.target,
            episode: c.episode,
            policy_id: c.policy_id,
            policy_version: c.policy_version,
            due_at: c.due_at.toISOString(),
            remedy: a.remedy,
            params,
          },
        })
        w.activity.timeline.push({
          type: 'sla_remedy',
          data: { remedy: a.remedy, params, target: c.target, episode: c.episode },
          text: `Remedy requested: ${words(a.remedy)}`,
        })
        return `requested ${a.remedy}`
      }
    }
  } catch (err) {
    if (err instanceof AppError) return `not done: ${err.code}`
    throw err
  }
}

/**
 * The `sla:step` clock task: the breach or one escalation step of one clock. The clock platform runs it once per
 * armed key; the clock's fired_steps make a step that was re-armed by a re-plan (or a stale action) a no-op too.
 */
export async function fireStep(trx: Trx, action: ScheduledAction, now: Date): Promise<void> {
  const {
    clock_id: clockId,
    case_id: caseId,
    step: stepId,
  } = action.payload as { clock_id: string; case_id: string; step: string }
  const w = await beginSlaWork(trx, systemContext(action.merchantId, 'sla'), caseId, now)
  if (!w) return
  // Gone (re-applied away), met, fired already, or re-armed under another key: nothing to do.
  let c = w.clocks.find((x) => x.id === clockId)
  if (!c || c.state === 'met' || c.fired_steps.includes(stepId) || action.key !== stepKey(c, stepId)) return
  if (stepId === 'breach') {
    c = await markBreached(w, c, c.due_at)
  } else {
    const step = c.steps[Number(stepId)]
    if (!step) return
    c = await saveClock(w, c, { fired_steps: [...c.fired_steps, stepId] })
    const results: { type: string; result: string }[] = []
    for (const a of step.actions) results.push({ type: a.type, result: await runAction(w, c, step, action.key, a) })
    // Actions that changed the case through the cases service: read it again for the summary's write.
    if (step.actions.some((a) => changesCase.has(a.type))) {
      const fresh = await beginSlaWork(trx, w.ctx, c.case_id, now)
      if (fresh) w.row = fresh.row
    }
    const at = step.percent !== undefined ? `${step.percent}%` : `${step.offset_minutes} min from due`
    w.activity.timeline.push({
      type: 'sla_step',
      data: { target: c.target, episode: c.episode, step: Number(stepId), at, actions: results },
      text: `SLA ${words(c.target)} ${at}: ${results.map((r) => r.result).join('; ')}`,
    })
    w.activity.events.push({
      type: 'sla.step_fired',
      data: {
        case_id: c.case_id,
        target: c.target,
        episode: c.episode,
        policy_id: c.policy_id,
        policy_version: c.policy_version,
        due_at: c.due_at.toISOString(),
        step: Number(stepId),
        percent: step.percent ?? null,
        offset_minutes: step.offset_minutes ?? null,
        actions: step.actions.map((a) => a.type),
      },
    })
  }
  await finishSlaWork(w, stepId === 'breach' ? 'sla.breached' : 'sla.step_fired')
}

/** The `sla:alert` clock task: an alert held through the team's off-hours goes out now. */
export async function fireAlert(trx: Trx, action: ScheduledAction, now: Date): Promise<void> {
  await deliverAlert(trx, action.merchantId, action.payload as Alert, now)
}
