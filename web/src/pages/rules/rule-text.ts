import { humanize } from '../../components/format'
import type { Outcome, RuleMode, RuleProblem, Trigger } from './requests'

/** The offset of a 1-based line and column in a text (a column past the line's end clamps to it). */
export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', offset)
    if (next === -1) return text.length
    offset = next + 1
  }
  const end = text.indexOf('\n', offset)
  const lineEnd = end === -1 ? text.length : end
  return Math.min(offset + Math.max(column - 1, 0), lineEnd)
}

export type Segment = { text: string; problem: number | null }

/**
 * The text cut into plain runs and runs a problem covers (the first problem wins where two overlap). A problem at one
 * point (a missing keyword at the end) covers the character there, or a space after the text, so it still shows.
 */
export function segments(text: string, problems: RuleProblem[]): Segment[] {
  const spans = problems
    .map((p, i) => {
      const start = offsetOf(text, p.line, p.column)
      const end = Math.max(offsetOf(text, p.end_line, p.end_column), start)
      return { start, end: end > start ? end : start + 1, problem: i }
    })
    .sort((a, b) => a.start - b.start || a.problem - b.problem)
  const out: Segment[] = []
  let at = 0
  for (const s of spans) {
    if (s.end <= at) continue
    const start = Math.max(s.start, at)
    if (start > at) out.push({ text: text.slice(at, start), problem: null })
    // A span past the end of the text (or on a line break) shows as a space.
    const covered = text.slice(start, s.end).replace(/^\n/, ' \n')
    out.push({ text: covered.length > 0 ? covered : ' ', problem: s.problem })
    at = Math.min(s.end, text.length)
  }
  if (at < text.length) out.push({ text: text.slice(at), problem: null })
  return out
}

export const problemPlace = (p: RuleProblem) => `Line ${p.line}, column ${p.column}`

// Filled, dark shades: white text reads on them in both themes.
export const modeColor: Record<RuleMode, string> = { active: 'teal.9', shadow: 'indigo.9', disabled: 'gray.8' }
export const modeLabel: Record<RuleMode, string> = { active: 'Active', shadow: 'Shadow', disabled: 'Disabled' }
export const ruleModes = Object.keys(modeColor) as RuleMode[]

// Keyed by the API's enums: the build fails when the server gains a trigger or an outcome.
const triggerLabels: Record<Trigger, string> = {
  carrier_status: 'Carrier status changes',
  case_opened: 'Case opened',
  case_changed: 'Case changed',
  sla_threshold: 'SLA threshold',
  message_received: 'Message received',
  evidence: 'Evidence received or overdue',
  carrier_silence: 'No carrier update',
  shipment_stale: 'Shipment stale',
  shipment_late: 'Shipment late',
  connection_unhealthy: 'Connection unhealthy',
}
export const triggerKinds = Object.keys(triggerLabels) as Trigger[]
export const triggerLabel = (t: string) => triggerLabels[t as Trigger] ?? humanize(t)

export const outcomeColor: Record<Outcome, string> = {
  fired: 'teal.9',
  shadow: 'indigo.9',
  failed: 'red.9',
  skipped: 'gray.8',
}
export const outcomeLabel: Record<Outcome, string> = {
  fired: 'Fired',
  shadow: 'Would have fired',
  failed: 'Failed',
  skipped: 'Skipped',
}
export const outcomes = Object.keys(outcomeLabel) as Outcome[]

/** A value from the address when it is one of these (a hand-edited address falls back to none). */
export const oneOf = <T extends string>(list: readonly T[], v: string | null): T | undefined =>
  list.find((x) => x === v)

const isMoney = (v: unknown): v is { amount_minor: number; currency: string } =>
  typeof v === 'object' && v !== null && 'amount_minor' in v && 'currency' in v

/** A value a condition saw or expected, as people read it. */
export function valueText(v: unknown, money: (minor: number, currency: string) => string): string {
  if (v === null || v === undefined) return '—'
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (Array.isArray(v)) return v.map((x) => valueText(x, money)).join(', ')
  if (isMoney(v)) return money(v.amount_minor, v.currency)
  return JSON.stringify(v)
}

/** The default range of a test on history: the last 30 days, as date inputs take it. */
export function lastDays(days: number, now = new Date()): { from: string; to: string } {
  const day = (d: Date) => d.toISOString().slice(0, 10)
  return { from: day(new Date(now.getTime() - days * 86_400_000)), to: day(now) }
}

/** A date range's instants: from the start of `from` to the end of `to` (or now, whichever is sooner), in UTC. */
export function rangeOf(range: { from: string; to: string }, now = new Date()): { from: string; to: string } {
  const end = Math.min(Date.parse(`${range.to}T00:00:00Z`) + 86_400_000, now.getTime())
  return { from: new Date(`${range.from}T00:00:00Z`).toISOString(), to: new Date(end).toISOString() }
}
