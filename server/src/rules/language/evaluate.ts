// Evaluating a compiled condition against one trigger occurrence's facts. Semantics (docs/rules.md):
// a comparison with an unknown (null) fact is false; text compares case-insensitively; CONTAINS is a substring for
// text and membership for tags; money converts the fact into the literal's currency first (no rate: false, with a
// note); a carrier-event label matches any status it covers; AND and OR stop at the first deciding item, and what
// was compared up to there is reported.

import type { Comparison, Condition, ConditionSeen, Facts, Literal, Money } from '../types.js'
import type { CarrierEventMatch } from './compile.js'
import { normaliseName } from './fields.js'

export type EvaluateEnv = { convert(money: Money, to: string): Promise<{ money: Money; note: string }> }
export type Evaluation = { matched: boolean; seen: ConditionSeen[] }
type Compare = Extract<Condition, { kind: 'compare' }>

const display = (l: Literal): unknown => {
  switch (l.kind) {
    case 'money':
    case 'duration':
      return l.text
    case 'percent':
      return `${l.value}%`
    case 'list':
      return l.items.map(display)
    default:
      return l.value
  }
}

const lower = (v: unknown) => String(v).toLowerCase()

function order(op: Comparison, a: number, b: number): boolean {
  switch (op) {
    case '=':
      return a === b
    case '!=':
      return a !== b
    case '>':
      return a > b
    case '>=':
      return a >= b
    case '<':
      return a < b
    case '<=':
      return a <= b
    default:
      return false
  }
}

function equalsOne(field: string, fact: unknown, expected: unknown, facts: Facts): boolean {
  if (field === 'carrier_event') {
    const match = expected as CarrierEventMatch
    if (!match.statuses.includes(lower(fact))) return false
    return !match.sub_statuses || match.sub_statuses.includes(lower(facts.carrier_sub_status ?? ''))
  }
  if (field === 'carrier') return normaliseName(String(fact)) === expected
  return lower(fact) === lower(expected)
}

async function compare(c: Compare, facts: Facts, env: EvaluateEnv): Promise<ConditionSeen> {
  const fact = facts[c.field as keyof Facts] ?? null
  const base = { field: c.field, op: c.op, expected: display(c.value), seen: fact }
  if (fact === null) return { ...base, matched: false, note: 'not known for this event' }
  const expected = c.resolved
  if (c.field === 'tags') {
    const tags = (fact as string[]).map(lower)
    const wanted = [expected].flat().map(lower)
    return { ...base, matched: wanted.some((t) => tags.includes(t)) }
  }
  if (typeof fact === 'object' && 'amount_minor' in fact) {
    const want = expected as Money
    let have = fact as Money
    let note: string | undefined
    if (have.currency !== want.currency) {
      try {
        const converted = await env.convert(have, want.currency)
        have = converted.money
        note = converted.note
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err)
        return { ...base, matched: false, note: `no rate from ${have.currency} to ${want.currency}: ${why}` }
      }
    }
    return { ...base, matched: order(c.op, have.amount_minor, want.amount_minor), ...(note ? { note } : {}) }
  }
  if (typeof fact === 'number') return { ...base, matched: order(c.op, fact, expected as number) }
  switch (c.op) {
    case '=':
      return { ...base, matched: equalsOne(c.field, fact, expected, facts) }
    case '!=':
      return { ...base, matched: !equalsOne(c.field, fact, expected, facts) }
    case 'in':
      return { ...base, matched: (expected as unknown[]).some((e) => equalsOne(c.field, fact, e, facts)) }
    case 'contains':
      return { ...base, matched: lower(fact).includes(lower(expected)) }
    default:
      return { ...base, matched: false, note: `${c.op} does not apply to text` }
  }
}

async function walk(c: Condition, facts: Facts, env: EvaluateEnv, seen: ConditionSeen[]): Promise<boolean> {
  switch (c.kind) {
    case 'compare': {
      const one = await compare(c, facts, env)
      seen.push(one)
      return one.matched
    }
    case 'not':
      return !(await walk(c.item, facts, env, seen))
    case 'and':
      for (const item of c.items) if (!(await walk(item, facts, env, seen))) return false
      return true
    case 'or':
      for (const item of c.items) if (await walk(item, facts, env, seen)) return true
      return false
  }
}

/** Evaluates a compiled condition (compile.ts set each comparison's canonical field and resolved value). */
export async function evaluateCondition(condition: Condition, facts: Facts, env: EvaluateEnv): Promise<Evaluation> {
  const seen: ConditionSeen[] = []
  const matched = await walk(condition, facts, env, seen)
  return { matched, seen }
}
