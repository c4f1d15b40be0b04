import type { Transaction } from 'kysely'
import { systemContext, type ServiceContext } from '../auth/actor.js'
import { listCases } from '../cases/service.js'
import type { AppContext } from '../context.js'
import type { Database } from '../db/schema.js'
import { fireAction, listDueActions } from '../jobs/clock.js'
import { claimEvents, relayEvents } from '../jobs/outbox.js'
import { clockHandlers } from '../jobs/worker.js'
import { modules } from '../registry.js'
import { getCaseSla } from '../sla/clocks/view.js'
import { applySlaPolicy, reconcileCase, recordReply, setSlaTarget } from '../sla/clocks/service.js'
import { createPolicy, listPolicies, publishPolicy, updatePolicy } from '../sla/policies/service.js'
import type { PolicyDefinition, StepDefinition, TargetDefinition } from '../sla/types.js'

// Northwind's SLAs: three tiers in UK business hours (high-value items answered within 4 working hours, high-value
// undeliverables within a working day, customs holds within 48 hours), escalation steps that notify, tag and raise,
// and a refund authorisation requested when a high-value case misses its resolution target.

type Trx = Transaction<Database>
const hours = (h: number) => h * 60

const warn: StepDefinition = { percent: 75, actions: [{ type: 'notify', to: 'assignee' }] }
const breach: StepDefinition = {
  percent: 100,
  actions: [
    { type: 'notify', to: 'team_lead' },
    { type: 'add_tag', tag: 'sla_breached' },
  ],
}

/** At the due time: the team lead hears of it and a remedy is requested for the customer. */
const remedyAtBreach = (remedy: 'refund_authorisation' | 'priority_return'): StepDefinition => ({
  percent: 100,
  actions: [
    { type: 'notify', to: 'team_lead' },
    { type: 'remedy', remedy, params: { reason: 'sla_breach' } },
  ],
})

const target = (name: string, minutes: number, calendarId: string | null, steps: StepDefinition[]) =>
  ({ target: name, minutes, calendar_id: calendarId, steps }) satisfies TargetDefinition

function policies(ukHours: string, gbp: (pounds: number) => { amount_minor: number; currency: string }) {
  const highValue: PolicyDefinition = {
    tier: 'high',
    conditions: [{ field: 'value', op: 'gte', amount: gbp(250) }],
    targets: [
      target('first_response', hours(4), ukHours, [
        warn,
        { ...breach, actions: [...breach.actions, { type: 'raise_priority' }] },
      ]),
      target('next_response', hours(4), ukHours, [warn, breach]),
      target('resolution', hours(16), ukHours, [
        warn,
        remedyAtBreach('refund_authorisation'),
        { percent: 150, urgent: true, actions: [{ type: 'escalate' }] },
      ]),
    ],
    alert_calendar_id: ukHours,
  }
  const undeliverables: PolicyDefinition = {
    tier: 'medium',
    conditions: [
      { field: 'case_type', op: 'in', values: ['undeliverable'] },
      { field: 'value', op: 'gte', amount: gbp(100) },
    ],
    targets: [
      target('first_response', hours(8), ukHours, [warn, breach]),
      target('resolution', hours(24), ukHours, [warn, remedyAtBreach('priority_return')]),
    ],
    alert_calendar_id: ukHours,
  }
  const customs: PolicyDefinition = {
    tier: 'low',
    conditions: [{ field: 'case_type', op: 'in', values: ['customs_hold'] }],
    targets: [
      target('first_response', hours(48), null, [warn]),
      target('resolution', hours(5 * 24), null, [warn, breach]),
    ],
    alert_calendar_id: ukHours,
  }
  return { highValue, undeliverables, customs }
}

/**
 * The demo's tiers: the workspace's "High value" policy gets a second version in business hours with a remedy, and
 * two policies go around it (undeliverables first: the first match wins). The defaults' "Urgent" and fallback stay.
 */
export async function seedDemoSla(trx: Trx, ctx: ServiceContext, ukHours: string, now: Date): Promise<void> {
  const p = policies(ukHours, (pounds) => ({ amount_minor: pounds * 100, currency: 'GBP' }))
  const existing = await listPolicies(trx, ctx.merchantId)
  const highValue = existing.find((x) => x.name === 'High value')
  if (highValue) {
    await updatePolicy(trx, ctx, highValue.id, { name: 'High-value items', draft: p.highValue }, now)
    await publishPolicy(trx, ctx, highValue.id, now)
  } else await createPolicy(trx, ctx, { name: 'High-value items', position: 10, definition: p.highValue }, now)
  await createPolicy(trx, ctx, { name: 'High-value undeliverables', position: 5, definition: p.undeliverables }, now)
  await createPolicy(trx, ctx, { name: 'Customs holds', position: 30, definition: p.customs }, now)
}

/** The agent's first public reply (or a later one) as the SLA hears of it: what `message.sent` does for a live one. */
export const replied = (trx: Trx, merchantId: string, caseId: string, at: Date) =>
  recordReply(trx, systemContext(merchantId, 'sla'), caseId, at, at)

/**
 * A status change as the SLA hears of it (what its consumer of case events does): in the story's transaction, so the
 * clocks pause, resume and meet at their time, and the steps of targets met since are not left to fire at the end.
 */
export const statusHeard = (trx: Trx, merchantId: string, caseId: string, at: Date) =>
  reconcileCase(trx, systemContext(merchantId, 'sla'), caseId, at, at)

const consumers = modules.flatMap((m) => m.consumers ?? [])
const statusConsumer = 'sla:case-status'
// The status changes of a story, each heard as it happened (statusHeard); the case's opening is left to the consumer,
// which applies the SLA to a case whose story has not reached its first answer yet.
const heardTypes = ['case.updated', 'case.resolved', 'case.closed', 'case.reopened'] as const

function assertStatusConsumer(): void {
  const c = consumers.find((x) => x.name === statusConsumer)
  if (!c || c.types === '*' || !heardTypes.every((t) => c.types.includes(t)))
    throw new Error(`The demo's stories play the ${statusConsumer} consumer's part, which no longer takes their events`)
}

/**
 * Publishes the status events of a case's story at its end, in its transaction, to every consumer but the SLA's
 * status one: the story let the SLA hear each change at its time, and the consumer would only reconcile the case again,
 * months late (a job and a transaction each: some 2,700 for 1,200 orders, a third of the background work).
 */
export async function relayHeard(trx: Trx, merchantId: string, caseId: string): Promise<void> {
  assertStatusConsumer()
  const events = await claimEvents(trx, merchantId, { types: heardTypes, subjectId: caseId })
  await relayEvents(trx, consumers, events, [statusConsumer])
}

/**
 * A few open cases due soon, whatever the history left: their soonest running target is set (as a manager would,
 * keeping the time spent) to fall due 20 minutes, 45 minutes and 2 hours from now, for the "Breaching soon" view.
 */
export async function dueSoon(ctx: AppContext, merchantId: string, manager: ServiceContext, now: Date) {
  const page = await listCases(
    ctx.db,
    merchantId,
    { statuses: ['open', 'new'], slaStates: ['active'] },
    { sort: 'sla_due', limit: 30 },
    now,
  )
  const later = page.data.filter(
    (c) => c.sla_next_due_at && c.sla_next_due_at.getTime() > now.getTime() + hours(6) * 60_000,
  )
  const soon: string[] = []
  for (const [c, inMinutes] of later.slice(0, 3).map((c, i) => [c, [20, 45, 120][i]!] as const)) {
    const sla = await getCaseSla(ctx.db, merchantId, c.id, now)
    const running = sla.targets
      .filter((t) => t.state === 'active')
      .sort((a, b) => a.due_at.getTime() - b.due_at.getTime())[0]
    if (!running) continue
    const spent = running.minutes - running.remaining_seconds / 60
    await ctx.db
      .transaction()
      .execute((trx) =>
        setSlaTarget(
          trx,
          manager,
          c.id,
          running.target,
          { minutes: Math.ceil(spent + inMinutes), business: false },
          now,
        ),
      )
    soon.push(c.id)
  }
  return soon
}

/**
 * One open case breached now, its steps fired: a high-tier case (or one given the high-value policy, as a manager
 * may) has its resolution target set to fall due a minute from now, and its clock's due actions fire at their instant,
 * as the platform clock would: the team lead is told and a refund authorisation requested.
 */
export async function breachOne(
  ctx: AppContext,
  merchantId: string,
  manager: ServiceContext,
  now: Date,
  exclude: string[],
) {
  const filter = { statuses: ['open' as const], slaStates: ['active' as const] }
  const page = await listCases(ctx.db, merchantId, filter, { sort: 'created_desc', limit: 50 }, now)
  const open = page.data.filter((x) => !exclude.includes(x.id))
  const c = open.find((x) => x.sla_tier === 'high') ?? open[0]
  if (!c) return null
  const highValue = (await listPolicies(ctx.db, merchantId)).find((p) => p.name === 'High-value items')
  if (c.sla_tier !== 'high' && highValue)
    await ctx.db.transaction().execute((trx) => applySlaPolicy(trx, manager, c.id, { policyId: highValue.id }, now))
  const resolution = (await getCaseSla(ctx.db, merchantId, c.id, now)).targets.find(
    (t) => t.target === 'resolution' && t.state === 'active',
  )
  if (!resolution) return null
  const spent = resolution.minutes - resolution.remaining_seconds / 60
  const minutes = Math.ceil(spent) + 1
  await ctx.db
    .transaction()
    .execute((trx) => setSlaTarget(trx, manager, c.id, 'resolution', { minutes, business: false }, now))
  const handlers = clockHandlers(modules)
  const due = await listDueActions(ctx.db, merchantId, new Date(now.getTime() + 2 * 60_000), 500)
  for (const a of due.filter((x) => x.key.startsWith(`sla:${c.id}:resolution:`)))
    await ctx.db.transaction().execute((trx) => fireAction(trx, handlers, ctx, merchantId, a.key, a.runAt))
  return c.id
}
