// Compiling a parsed rule: fields to their canonical keys, names to keys and ids (through the NameResolver, at
// save time, so renaming a team keeps its rules), literals checked against each field's type, and the triggers and
// thresholds the engine arms inferred from the fields the condition reads.

import { trackingStatuses } from '../../carriers/model.js'
import type {
  CompiledAction,
  CompiledRule,
  Condition,
  FieldKey,
  Literal,
  Money,
  NameResolver,
  RuleAst,
  RuleProblem,
  Threshold,
  TriggerKind,
} from '../types.js'
import { triggerKinds } from '../types.js'
import { compileAction } from './actions.js'
import {
  type CarrierEventLabel,
  carrierEventLabels,
  eventTriggers,
  type FieldDef,
  fieldNames,
  findField,
  normaliseName,
} from './fields.js'
import {
  caseTypeOf,
  closest,
  type CompileCtx,
  describeLiteral,
  matchKey,
  priorityOf,
  headSpan,
  problem,
  statusOf,
  textOf,
} from './names.js'

export type CompileResult = { ok: true; compiled: CompiledRule } | { ok: false; problems: RuleProblem[] }
type Compare = Extract<Condition, { kind: 'compare' }>

/** What a carrier-event literal resolves to: the statuses it covers (and sub-statuses, where the label has them). */
export type CarrierEventMatch = CarrierEventLabel

const labelOptions = carrierEventLabels.map((l) => ({ key: l.label, label: l.label }))

export function carrierEventMatch(name: string): CarrierEventMatch | null {
  const label = matchKey(name, labelOptions)
  const labelled = carrierEventLabels.find((l) => l.label === label)
  if (labelled) return labelled
  const status = matchKey(
    name,
    trackingStatuses.map((s) => ({ key: s, label: s })),
  )
  return status ? { label: status, statuses: [status] } : null
}

const expectedKind: Record<FieldDef['type'], string> = {
  text: 'a quoted text',
  name: 'a quoted name',
  number: 'a number',
  money: 'an amount with its currency, such as 100 GBP',
  percent: 'a percentage, such as 75%',
  duration: 'a duration, such as 30m, 24h or 2d',
  tags: 'a quoted tag',
}

async function moneyOf(ctx: CompileCtx, l: Extract<Literal, { kind: 'money' }>): Promise<Money | null> {
  const currency = await ctx.resolver.currency(l.currency)
  if (!currency) {
    problem(ctx, l.span, `Unknown currency '${l.currency}' (not one of the workspace's currencies)`)
    return null
  }
  const [whole = '0', fraction = ''] = l.text.split(/\s+/)[0]!.split('.')
  if (fraction.length > currency.exponent) {
    problem(ctx, l.span, `${l.currency} has ${currency.exponent} decimal places`)
    return null
  }
  const amountMinor = Number(whole + fraction.padEnd(currency.exponent, '0'))
  if (!Number.isSafeInteger(amountMinor)) {
    problem(ctx, l.span, 'This amount is too large')
    return null
  }
  return { amount_minor: amountMinor, currency: l.currency }
}

/** One literal for one field: the value the engine compares with, or null (with a problem). */
async function resolveValue(ctx: CompileCtx, f: FieldDef, l: Literal): Promise<unknown> {
  const wrong = () => {
    problem(ctx, l.span, `${f.key} compares with ${expectedKind[f.type]}, not ${describeLiteral(l)}`)
    return null
  }
  switch (f.type) {
    case 'number':
      return l.kind === 'number' ? l.value : wrong()
    case 'money':
      return l.kind === 'money' ? moneyOf(ctx, l) : wrong()
    case 'percent':
      if (l.kind !== 'percent') return wrong()
      // Percent fields are SLA thresholds: a crossing of 0% never happens
      if (l.value <= 0) problem(ctx, l.span, `${f.key} compares with a percentage above 0%`)
      return l.value > 0 ? l.value : null
    case 'duration':
      return l.kind === 'duration' ? l.minutes : wrong()
    case 'text':
    case 'tags':
      return l.kind === 'string' || l.kind === 'word' || l.kind === 'number' ? textOf(ctx, l, f.key) : wrong()
    case 'name':
      if (l.kind !== 'string' && l.kind !== 'word') return wrong()
      return resolveName(ctx, f, l)
  }
}

async function resolveName(ctx: CompileCtx, f: FieldDef, l: Extract<Literal, { kind: 'string' | 'word' }>) {
  switch (f.names) {
    case 'case_type':
      return caseTypeOf(ctx, l)
    case 'priority':
      return priorityOf(ctx, l)
    case 'status':
      return statusOf(ctx, l)
    case 'carrier':
      return normaliseName(l.value)
    case 'carrier_event': {
      const match = carrierEventMatch(l.value)
      if (!match) {
        const labels = carrierEventLabels.map((c) => `'${c.label}'`).join(', ')
        problem(ctx, l.span, `Unknown carrier event '${l.value}' (a tracking status, or one of ${labels})`)
      }
      return match
    }
    case 'event': {
      const name = l.value.trim().toLowerCase()
      if (!(name in eventTriggers))
        problem(ctx, l.span, `Rules cannot react to '${l.value}' (one of ${Object.keys(eventTriggers).join(', ')})`)
      return name in eventTriggers ? name : null
    }
    default:
      return l.value
  }
}

async function compileCompare(ctx: CompileCtx, c: Compare, read: Map<FieldKey, Compare[]>): Promise<Condition> {
  const f = findField(c.fieldText)
  if (!f) {
    const guess = closest(c.fieldText, fieldNames())
    problem(
      ctx,
      headSpan(c.span, c.fieldText.length),
      `Unknown field '${c.fieldText}'${guess ? ` (did you mean ${guess}?)` : ''}`,
    )
    return c
  }
  if (!f.ops.includes(c.op)) {
    problem(
      ctx,
      c.span,
      `${f.key} cannot be compared with ${c.op.toUpperCase()} (use ${f.ops.map((o) => o.toUpperCase()).join(', ')})`,
    )
    return c
  }
  let resolved: unknown
  if (c.op === 'in') {
    if (c.value.kind !== 'list') {
      problem(ctx, c.value.span, `IN takes a list in parentheses, such as ('a', 'b'), not ${describeLiteral(c.value)}`)
      return c
    }
    resolved = await Promise.all(c.value.items.map((item) => resolveValue(ctx, f, item)))
  } else if (c.value.kind === 'list') {
    problem(ctx, c.value.span, `A list goes with IN, not ${c.op.toUpperCase()}`)
    return c
  } else resolved = await resolveValue(ctx, f, c.value)
  // The parser counted minor units in hundredths; the currency's own exponent is known now.
  const value =
    c.value.kind === 'money' && resolved ? { ...c.value, amountMinor: (resolved as Money).amount_minor } : c.value
  const compiled: Compare = { ...c, field: f.key, value, resolved }
  read.set(f.key, [...(read.get(f.key) ?? []), compiled])
  return compiled
}

async function compileCondition(ctx: CompileCtx, c: Condition, read: Map<FieldKey, Compare[]>): Promise<Condition> {
  if (c.kind === 'compare') return compileCompare(ctx, c, read)
  if (c.kind === 'not') return { ...c, item: await compileCondition(ctx, c.item, read) }
  const items: Condition[] = []
  for (const item of c.items) items.push(await compileCondition(ctx, item, read))
  return { ...c, items }
}

/** `event = …` constraints the whole condition needs (top-level AND): only those events' triggers can match. */
function requiredEvents(c: Condition): string[] | null {
  if (c.kind === 'compare' && c.field === 'event' && (c.op === '=' || c.op === 'in'))
    return (Array.isArray(c.resolved) ? c.resolved : [c.resolved]) as string[]
  if (c.kind !== 'and') return null
  for (const item of c.items) {
    const events = requiredEvents(item)
    if (events) return events
  }
  return null
}

function inferTriggers(condition: Condition, read: Map<FieldKey, Compare[]>): TriggerKind[] {
  const found = new Set<TriggerKind>()
  const events = requiredEvents(condition)
  if (events) for (const e of events) found.add(eventTriggers[e]!)
  else {
    for (const key of read.keys()) for (const t of findField(key)!.triggers) found.add(t)
    for (const c of read.get('event') ?? [])
      for (const e of [c.resolved].flat() as string[]) found.add(eventTriggers[e]!)
  }
  if (found.size === 0) found.add('case_opened')
  return triggerKinds.filter((t) => found.has(t))
}

/** SLA thresholds are crossings: a percent spent, or minutes relative to the due time (negative: before it). */
function inferThresholds(read: Map<FieldKey, Compare[]>): Threshold[] {
  const out = new Map<string, Threshold>()
  const add = (t: Threshold) => out.set(JSON.stringify(t), t)
  const values = (key: FieldKey) => (read.get(key) ?? []).flatMap((c) => [c.resolved].flat() as number[])
  for (const percent of values('sla_elapsed')) add({ kind: 'sla', target: 'resolution', percent })
  for (const percent of values('first_response_elapsed')) add({ kind: 'sla', target: 'first_response', percent })
  for (const m of values('sla_remaining')) add({ kind: 'sla', target: 'resolution', offsetMinutes: -m })
  for (const m of values('first_response_remaining')) add({ kind: 'sla', target: 'first_response', offsetMinutes: -m })
  for (const minutes of values('time_since_carrier_update')) add({ kind: 'carrier_silence', minutes })
  return [...out.values()]
}

/** Compiles a parsed rule against the workspace's names. Every problem is reported, not only the first. */
export async function compileAst(ast: RuleAst, source: string, resolver: NameResolver): Promise<CompileResult> {
  const ctx: CompileCtx = { resolver, problems: [] }
  const read = new Map<FieldKey, Compare[]>()
  const condition = await compileCondition(ctx, ast.condition, read)
  const actions: CompiledAction[] = []
  for (const call of ast.actions) {
    const action = await compileAction(ctx, call, source)
    if (action) actions.push(action)
  }
  if (ctx.problems.length) return { ok: false, problems: sortProblems(ctx.problems) }
  return {
    ok: true,
    compiled: {
      format: 1,
      condition,
      actions,
      triggers: inferTriggers(condition, read),
      fields: [...read.keys()],
      thresholds: inferThresholds(read),
    },
  }
}

const sortProblems = (problems: RuleProblem[]) => [...problems].sort((a, b) => a.line - b.line || a.column - b.column)
