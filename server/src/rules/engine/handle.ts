import { sql, type Transaction } from 'kysely'
import { findCaseOrThrow, listUnresolvedCaseRefs } from '../../cases/service.js'
import { unresolvedStatuses } from '../../cases/types.js'
import type { AppContext } from '../../context.js'
import type { Db } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import { scheduleActions } from '../../jobs/clock.js'
import type { DomainEvent } from '../../jobs/events.js'
import type { ScheduledAction } from '../../modules.js'
import { getTrackingState } from '../../shipments/tracking.js'
import { listSlaWatches, watchSlaThreshold } from '../../sla/clocks/watches.js'
import type { ActionTarget, Threshold, TriggerKind } from '../types.js'
import { type CaseRow, caseIdsFor } from './facts.js'
import { type RuleSet, ruleSetOf } from './rule-set.js'
import { evaluateOccurrence, type Occurrence } from './run.js'
import { triggerOf } from './triggers.js'

type Trx = Transaction<Database>

export const slaThresholdTask = 'rules:sla_threshold'
export const carrierSilenceTask = 'rules:carrier_silence'

/**
 * The engine's consumer: an event is evaluated once against the workspace's running rules (a ledger row per
 * event; a redelivery finds it and does nothing), at the event's own time, in one transaction with what the rules do.
 */
export async function handleEvent(app: AppContext, event: DomainEvent): Promise<void> {
  await app.db.transaction().execute(async (trx) => {
    const set = await ruleSetOf(app, trx, event.merchant_id, new Date())
    const claimed = await trx
      .insertInto('rule_events_handled')
      .values({ merchant_id: event.merchant_id, event_id: event.id, handled_at: new Date() })
      .onConflict((oc) => oc.columns(['merchant_id', 'event_id']).doNothing())
      .returning('event_id')
      .executeTakeFirst()
    if (!claimed) return
    const now = new Date(event.occurred_at)
    await armThresholds(trx, set, event, now)
    const trigger = triggerOf(event)
    if (!trigger || !set.rules.some((r) => r.triggers.has(trigger))) return
    const depth = await depthOf(trx, event)
    await markDepth(trx, depth)
    const changed = event.type === 'case.updated' ? changedFields(event.data.changes) : undefined
    for (const s of await subjectsOf(trx, event))
      await evaluateOccurrence(trx, app, event.merchant_id, set, {
        ...s,
        trigger,
        triggerKey: event.id,
        event,
        now,
        depth,
        changed,
      })
  })
}

// The case columns case.updated names, as the fields rules read.
const fieldOfColumn: Record<string, string> = { type_key: 'case_type', priority: 'priority', status: 'status' }
const changedFields = (columns: string[]) =>
  new Set(columns.flatMap((c) => (fieldOfColumn[c] ? [fieldOfColumn[c]] : [])))

/** Everything the rules' actions write in this transaction is one step deeper in the chain (the outbox records it). */
const markDepth = (trx: Trx, depth: number) =>
  sql`select set_config('claimdesk.rule_depth', ${String(depth + 1)}, true)`.execute(trx)

async function depthOf(trx: Trx, event: DomainEvent): Promise<number> {
  const row = await trx
    .selectFrom('outbox')
    .select('rule_depth')
    .where('merchant_id', '=', event.merchant_id)
    .where('id', '=', event.id)
    .executeTakeFirst()
  return row?.rule_depth ?? 0
}

type Subject = Pick<Occurrence, 'target' | 'subjectKey' | 'row'>

const subjectOf = (row: CaseRow): Subject => ({
  subjectKey: row.id,
  target: { caseId: row.id, shipmentId: row.shipment_id, orderId: row.order_id, customerId: row.customer_id },
  row,
})

const caseSubject = async (trx: Trx, merchantId: string, caseId: string): Promise<Subject> =>
  subjectOf(await findCaseOrThrow(trx, merchantId, caseId))

/**
 * What an event's rules act on: a case event's case; a shipment event's unresolved cases, each on its own, else the
 * shipment (create_case may open one); a connection event's connection (no case).
 */
export async function subjectsOf(trx: Trx, event: DomainEvent): Promise<Subject[]> {
  const merchantId = event.merchant_id
  const d = event.data as Record<string, unknown>
  if (event.type === 'shipment.status_changed' || event.type === 'shipment.late' || event.type === 'shipment.stale') {
    const cases = await caseIdsFor(trx, merchantId, event)
    // With several cases, an earlier case's rules may change a later one: its facts read it again when its turn comes.
    if (cases.length)
      return Promise.all(
        cases.map(async (id) => ({
          ...(await caseSubject(trx, merchantId, id)),
          ...(cases.length > 1 && { row: undefined }),
        })),
      )
    const target: ActionTarget = {
      caseId: null,
      shipmentId: String(d.shipment_id),
      orderId: (d.order_id as string | undefined) ?? null,
      customerId: (d.customer_id as string | undefined) ?? null,
    }
    return [{ subjectKey: target.shipmentId!, target }]
  }
  if (typeof d.case_id === 'string') return [await caseSubject(trx, merchantId, d.case_id)]
  const none = { caseId: null, shipmentId: null, orderId: null, customerId: null }
  return [{ subjectKey: event.subject_id ?? '', target: none }]
}

const thresholdsOf = <K extends Threshold['kind']>(set: RuleSet, kind: K) => {
  const all = set.rules
    .flatMap((r) => r.compiled.thresholds)
    .filter((t): t is Extract<Threshold, { kind: K }> => t.kind === kind)
  return [...new Map(all.map((t) => [thresholdKey(t), t])).values()]
}
const thresholdKey = (t: Threshold) =>
  t.kind === 'carrier_silence'
    ? `silence:${t.minutes}`
    : `${t.target}:${'percent' in t ? `${t.percent}%` : `${t.offsetMinutes}m`}`

/**
 * Arms what time conditions need: when a policy applies to a case, an SLA watch per threshold the rules name (the
 * SLA module re-plans them on pause and resume); when a case about a shipment opens, or its carrier status moves,
 * a silence check per duration the rules name, from the newest carrier update.
 */
async function armThresholds(trx: Trx, set: RuleSet, event: DomainEvent, now: Date) {
  const merchantId = event.merchant_id
  if (event.type === 'sla.applied') {
    await armSla(trx, set, merchantId, event.data.case_id, now)
    return
  }
  const silences = thresholdsOf(set, 'carrier_silence')
  if (!silences.length) return
  let cases: { caseId: string; shipmentId: string }[] = []
  if (event.type === 'case.opened' && event.data.shipment_id)
    cases = [{ caseId: event.data.case_id, shipmentId: event.data.shipment_id }]
  else if (event.type === 'shipment.status_changed')
    cases = (await caseIdsFor(trx, merchantId, event)).map((caseId) => ({ caseId, shipmentId: event.data.shipment_id }))
  for (const c of cases) await armSilences(trx, merchantId, c.caseId, c.shipmentId, silences, now)
}

/** An SLA watch on the case per threshold the rules name that it lacks. */
async function armSla(trx: Trx, set: RuleSet, merchantId: string, caseId: string, now: Date) {
  const wanted = thresholdsOf(set, 'sla')
  if (!wanted.length) return
  const armed = new Set(
    (await listSlaWatches(trx, merchantId, caseId))
      .filter((w) => w.task === slaThresholdTask)
      .map((w) => (w.payload as { threshold?: string }).threshold),
  )
  for (const t of wanted.filter((t) => !armed.has(thresholdKey(t))))
    await watchSlaThreshold(
      trx,
      merchantId,
      caseId,
      t.target,
      'percent' in t ? { percent: t.percent } : { offsetMinutes: t.offsetMinutes },
      slaThresholdTask,
      { threshold: thresholdKey(t) },
      now,
    )
}

/**
 * A rule with time conditions was saved or switched on: the workspace's open cases get its SLA watches and silence
 * checks (new cases get them as their policy applies and as they open), a page of cases per transaction.
 */
export async function armOpenCases(app: AppContext, merchantId: string): Promise<void> {
  for (let after: string | null = null; ; ) {
    const page = await listUnresolvedCaseRefs(app.db, merchantId, after, 200)
    if (!page.length) return
    await app.db.transaction().execute(async (trx) => {
      const now = new Date()
      const set = await ruleSetOf(app, trx, merchantId, now)
      const silences = thresholdsOf(set, 'carrier_silence')
      for (const c of page) {
        await armSla(trx, set, merchantId, c.id, now)
        if (c.shipment_id && silences.length) await armSilences(trx, merchantId, c.id, c.shipment_id, silences, now)
      }
    })
    after = page[page.length - 1]!.id
  }
}

async function armSilences(
  trx: Trx,
  merchantId: string,
  caseId: string,
  shipmentId: string,
  silences: { minutes: number }[],
  now: Date,
) {
  const last = await lastCarrierUpdate(trx, merchantId, shipmentId, now)
  if (!last) return
  await scheduleActions(
    trx,
    silences.map((s) => ({
      merchantId,
      // The update it counts from is in the key: a newer update arms a new check, and one firing never re-arms itself.
      key: `rules-silence:${caseId}:${s.minutes}:${last.toISOString()}`,
      task: carrierSilenceTask,
      runAt: new Date(last.getTime() + s.minutes * 60_000),
      payload: { case_id: caseId, shipment_id: shipmentId, minutes: s.minutes, since: last.toISOString() },
    })),
    now,
  )
}

/** The newest carrier scan (else when it shipped); null once the parcel's journey ended. */
async function lastCarrierUpdate(db: Db, merchantId: string, shipmentId: string, now: Date): Promise<Date | null> {
  const state = await getTrackingState(db, merchantId, shipmentId)
  if (!state || state.status === 'delivered' || state.status === 'cancelled') return null
  return state.last_tracking_event_at ?? state.shipped_at ?? now
}

/** The SLA module's threshold hook fired: the case's running target crossed a share (or offset) a rule names. */
export async function fireSlaThreshold(trx: Trx, app: AppContext, action: ScheduledAction, now: Date): Promise<void> {
  const p = action.payload as { case_id: string }
  await fireClockTrigger(trx, app, action.merchantId, p.case_id, 'sla_threshold', action.key, now)
}

/** A silence check fell due: evaluate the rules unless a newer carrier update came (then wait for it instead). */
export async function fireCarrierSilence(trx: Trx, app: AppContext, action: ScheduledAction, now: Date): Promise<void> {
  const p = action.payload as { case_id: string; shipment_id: string; minutes: number; since: string }
  const last = await lastCarrierUpdate(trx, action.merchantId, p.shipment_id, now)
  if (!last) return
  if (last.toISOString() !== p.since) {
    const set = await ruleSetOf(app, trx, action.merchantId, now)
    await armSilences(trx, action.merchantId, p.case_id, p.shipment_id, thresholdsOf(set, 'carrier_silence'), now)
    return
  }
  await fireClockTrigger(
    trx,
    app,
    action.merchantId,
    p.case_id,
    'carrier_silence',
    `silence:${p.minutes}:${p.since}`,
    now,
  )
}

async function fireClockTrigger(
  trx: Trx,
  app: AppContext,
  merchantId: string,
  caseId: string,
  trigger: TriggerKind,
  triggerKey: string,
  now: Date,
) {
  const set = await ruleSetOf(app, trx, merchantId, now)
  if (!set.rules.some((r) => r.triggers.has(trigger))) return
  const row = await findCaseOrThrow(trx, merchantId, caseId)
  if (!unresolvedStatuses.includes(row.status)) return
  await markDepth(trx, 0)
  await evaluateOccurrence(trx, app, merchantId, set, {
    ...subjectOf(row),
    trigger,
    triggerKey,
    event: null,
    now,
    depth: 0,
  })
}
