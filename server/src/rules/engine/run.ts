import type { Transaction } from 'kysely'
import { ruleContext } from '../../auth/actor.js'
import { appendTimelineEntry } from '../../cases/service.js'
import type { AppContext } from '../../context.js'
import type { Database } from '../../db/schema.js'
import { newId } from '../../ids.js'
import type { DomainEvent } from '../../jobs/events.js'
import { convertMoney } from '../../merchants/convert-money.js'
import { findCurrencies } from '../../merchants/service.js'
import { formatMoney } from '../../money.js'
import { actionHandlers } from '../actions/index.js'
import { evaluateCondition } from '../language/evaluate.js'
import type {
  ActionOutcome,
  ActionRun,
  ActionTarget,
  CompiledAction,
  ConditionSeen,
  Facts,
  Money,
  TriggerKind,
} from '../types.js'
import { buildFacts, type CaseRow } from './facts.js'
import type { LoadedRule, RuleSet } from './rule-set.js'

type Trx = Transaction<Database>

/** One trigger occurrence reaching one subject (a case, else a shipment, else nothing): what rules are evaluated on. */
export type Occurrence = {
  trigger: TriggerKind
  /** The event id, or the clock action's key: with the rule, its version and the subject, the ledger's key */
  triggerKey: string
  event: DomainEvent | null
  target: ActionTarget
  /** The case, else the shipment, else the event's subject ('' when none) */
  subjectKey: string
  /** The event's own time (or the clock's instant): facts are read and actions act at it */
  now: Date
  /** How deep in a chain of rule-caused events this one is */
  depth: number
  /** case_changed: the fields that changed (a rule runs only when it reads one of them) */
  changed?: ReadonlySet<string>
  /** The case's row as the engine read it for this occurrence (facts reuse it) */
  row?: CaseRow
}

/** Money converted with the workspace's rates on the day of `now`, said in words for the execution log. */
export const conversionEnv = (trx: Trx, merchantId: string, now: Date) => ({
  async convert(money: Money, to: string) {
    const on = now.toISOString().slice(0, 10)
    const out = await convertMoney(
      trx,
      merchantId,
      { amountMinor: money.amount_minor, currency: money.currency },
      to,
      on,
    )
    const exponents = new Map((await findCurrencies(trx, [money.currency, to])).map((c) => [c.code, c.exponent]))
    const say = (m: { amountMinor: number; currency: string }) => formatMoney(m, exponents.get(m.currency) ?? 2)
    const from = { amountMinor: money.amount_minor, currency: money.currency }
    return {
      money: { amount_minor: out.amountMinor, currency: out.currency },
      note: `${say(from)} = ${say(out)} at the rate of ${on}`,
    }
  },
})

/** Whether a rule's condition holds on these facts, with what each comparison saw. */
export function evaluateRule(trx: Trx, merchantId: string, rule: LoadedRule, facts: Facts, now: Date) {
  return evaluateCondition(rule.compiled.condition, facts, conversionEnv(trx, merchantId, now))
}

/**
 * Evaluates the running rules that take this trigger, in priority order, on one subject: each that matches acts
 * (or, in shadow, logs what it would have done), once per rule version, subject and trigger occurrence.
 */
export async function evaluateOccurrence(
  trx: Trx,
  app: AppContext,
  merchantId: string,
  set: RuleSet,
  o: Occurrence,
): Promise<void> {
  const rules = set.rules.filter(
    (r) => r.triggers.has(o.trigger) && (!o.changed || r.compiled.fields.some((f) => o.changed!.has(f))),
  )
  if (!rules.length) return
  const facts = await buildFacts(trx, merchantId, {
    event: o.event,
    caseId: o.target.caseId,
    shipmentId: o.target.shipmentId,
    now: o.now,
    row: o.row,
  })
  for (const rule of rules) {
    const { matched, seen } = await evaluateRule(trx, merchantId, rule, facts, o.now)
    if (!matched) continue
    await executeRule(trx, app, merchantId, set, rule, o, facts, seen)
    if (rule.stopProcessing) break
  }
}

/** A rule whose condition held: its ledger row first (a repeat finds it and does nothing), then its actions. */
async function executeRule(
  trx: Trx,
  app: AppContext,
  merchantId: string,
  set: RuleSet,
  rule: LoadedRule,
  o: Occurrence,
  facts: Facts,
  seen: ConditionSeen[],
): Promise<void> {
  const id = newId()
  const claimed = await trx
    .insertInto('rule_executions')
    .values({
      merchant_id: merchantId,
      id,
      rule_id: rule.id,
      rule_version: rule.version,
      outcome: rule.mode === 'shadow' ? 'shadow' : 'fired',
      skip_reason: null,
      trigger: o.trigger,
      trigger_key: o.triggerKey,
      event_id: o.event?.id ?? null,
      event_type: o.event?.type ?? null,
      subject_key: o.subjectKey,
      case_id: o.target.caseId,
      shipment_id: o.target.shipmentId,
      depth: o.depth,
      conditions: JSON.stringify(seen),
      actions: '[]',
      error: null,
      occurred_at: o.now,
      created_at: new Date(),
    })
    .onConflict((oc) =>
      oc.columns(['merchant_id', 'rule_id', 'rule_version', 'subject_key', 'trigger_key']).doNothing(),
    )
    .returning('id')
    .executeTakeFirst()
  if (!claimed) return
  const finish = (values: {
    outcome?: 'failed' | 'skipped'
    skip_reason?: string
    actions: ActionOutcome[]
    caseId?: string | null
  }) =>
    trx
      .updateTable('rule_executions')
      .set({
        ...(values.outcome ? { outcome: values.outcome } : {}),
        skip_reason: values.skip_reason ?? null,
        actions: JSON.stringify(values.actions),
        case_id: values.caseId ?? o.target.caseId,
      })
      .where('merchant_id', '=', merchantId)
      .where('id', '=', id)
      .execute()
  if (rule.mode === 'shadow') {
    await finish({ actions: rule.compiled.actions.map(wouldDo) })
    return
  }
  const limit = await overLimit(trx, merchantId, set, rule, o, id)
  if (limit) {
    await finish({ outcome: 'skipped', skip_reason: limit, actions: [] })
    return
  }
  const target = { ...o.target }
  const run: ActionRun = {
    trx,
    ctx: ruleContext(merchantId, { id: rule.id, name: rule.name }),
    app,
    now: o.now,
    event: o.event,
    facts,
    target,
    rule: { id: rule.id, version: rule.version, name: rule.name },
    triggerKey: o.triggerKey,
  }
  const outcomes: ActionOutcome[] = []
  for (const action of rule.compiled.actions) outcomes.push(await runAction(run, action))
  const failed = outcomes.some((a) => a.status === 'failed')
  await finish({ outcome: failed ? 'failed' : undefined, actions: outcomes, caseId: target.caseId })
  if (target.caseId) await recordOnCase(trx, merchantId, rule, o, id, target.caseId, outcomes, failed)
}

/** Loop protection: too deep in a chain of rule-caused events, or this rule fired on this case too often of late. */
async function overLimit(trx: Trx, merchantId: string, set: RuleSet, rule: LoadedRule, o: Occurrence, id: string) {
  if (o.depth >= set.settings.maxDepth)
    return `loop depth: the event was caused by rules ${o.depth} deep (limit ${set.settings.maxDepth})`
  if (!o.target.caseId) return null
  const since = new Date(o.now.getTime() - set.settings.repeatWindowMinutes * 60_000)
  const { n } = await trx
    .selectFrom('rule_executions')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('merchant_id', '=', merchantId)
    .where('case_id', '=', o.target.caseId)
    .where('rule_id', '=', rule.id)
    .where('outcome', '=', 'fired')
    .where('occurred_at', '>', since)
    .where('id', '<>', id)
    .executeTakeFirstOrThrow()
  return Number(n) >= set.settings.repeatLimit
    ? `repeat limit: fired ${n} times on this case in ${set.settings.repeatWindowMinutes} minutes`
    : null
}

/** One action through its handler (each runs in its own savepoint and turns a refusal into a failed outcome). */
async function runAction(run: ActionRun, action: CompiledAction): Promise<ActionOutcome> {
  const handler = actionHandlers[action.name] as (r: ActionRun, a: typeof action.args) => Promise<ActionOutcome>
  return { ...(await handler(run, action.args)), action: action.name, text: action.text }
}

const wouldDo = (a: CompiledAction): ActionOutcome => ({ action: a.name, text: a.text, status: 'would' })

/** The execution on the case's timeline, as the rule: what it did and why. */
async function recordOnCase(
  trx: Trx,
  merchantId: string,
  rule: LoadedRule,
  o: Occurrence,
  executionId: string,
  caseId: string,
  outcomes: ActionOutcome[],
  failed: boolean,
) {
  const words = outcomes.map((a) => `${a.text}: ${a.status}${a.detail ? ` (${a.detail})` : ''}`).join('; ')
  await appendTimelineEntry(
    trx,
    merchantId,
    {
      caseId,
      type: 'rule',
      actor: { type: 'rule', id: rule.id },
      occurredAt: o.now,
      data: {
        rule_id: rule.id,
        rule_name: rule.name,
        version: rule.version,
        execution_id: executionId,
        outcome: failed ? 'failed' : 'fired',
        trigger: o.trigger,
        actions: outcomes.map((a) => ({ action: a.action, text: a.text, status: a.status, detail: a.detail ?? null })),
      },
      text: `Rule ${rule.name} (v${rule.version}): ${words}`.slice(0, 2000),
      dedupKey: `rule-execution:${executionId}`,
    },
    o.now,
  )
}
