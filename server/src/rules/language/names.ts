// Turning the names and literals a rule writes into keys and ids, recording a problem (with the literal's span)
// for each one the workspace lacks. Shared by conditions (compile.ts) and action arguments (actions.ts).

import { rootCauses } from '../../cases/types.js'
import type { Literal, NameResolver, RuleProblem, Span } from '../types.js'
import { normaliseName, priorityKeys, statusKeys, statusLabels } from './fields.js'
import { problemAt } from './parse.js'

export type CompileCtx = { resolver: NameResolver; problems: RuleProblem[] }

/** The first `length` characters of a span (a field's or an action's name: they never hold a line break). */
export const headSpan = (span: Span, length: number): Span => ({
  start: span.start,
  end: { offset: span.start.offset + length, line: span.start.line, column: span.start.column + length },
})

export const problem = (ctx: CompileCtx, span: Span, message: string) => {
  ctx.problems.push(problemAt(span, message))
}

const literalNames: Record<Literal['kind'], string> = {
  string: 'a quoted text',
  number: 'a number',
  money: 'an amount of money',
  duration: 'a duration',
  percent: 'a percentage',
  word: 'a word',
  list: 'a list',
}
export const describeLiteral = (l: Literal) => literalNames[l.kind]

/** A quoted string, bare word or number as text; null (and a problem) for anything else. */
export function textOf(ctx: CompileCtx, l: Literal, what: string): string | null {
  if (l.kind === 'string' || l.kind === 'word') return l.value
  if (l.kind === 'number') return String(l.value)
  problem(ctx, l.span, `Expected ${what} (a quoted text) but found ${describeLiteral(l)}`)
  return null
}

/** Matches a name against keys and labels: exactly (case-insensitively) or after normalising. */
export function matchKey(name: string, options: { key: string; label: string }[]): string | null {
  const lower = name.trim().toLowerCase()
  const norm = normaliseName(name)
  const hit =
    options.find((o) => o.key.toLowerCase() === lower || o.label.toLowerCase() === lower) ??
    options.find((o) => normaliseName(o.key) === norm || normaliseName(o.label) === norm)
  return hit?.key ?? null
}

const keyed = (keys: readonly string[]) => keys.map((key) => ({ key, label: key }))

async function lookup<T>(
  ctx: CompileCtx,
  l: Literal,
  what: string,
  find: (name: string) => Promise<T | null> | T | null,
  known?: readonly string[],
): Promise<T | null> {
  const name = textOf(ctx, l, what)
  if (name === null) return null
  const found = await find(name)
  if (found === null) {
    const hint = known ? ` (one of ${known.join(', ')})` : ''
    problem(ctx, l.span, `Unknown ${what} '${name}'${hint}`)
  }
  return found
}

export const caseTypeOf = (ctx: CompileCtx, l: Literal) => lookup(ctx, l, 'case type', (n) => ctx.resolver.caseType(n))
export const teamOf = (ctx: CompileCtx, l: Literal) => lookup(ctx, l, 'team', (n) => ctx.resolver.team(n))
export const userOf = (ctx: CompileCtx, l: Literal) => lookup(ctx, l, 'user', (n) => ctx.resolver.user(n))
export const templateOf = (ctx: CompileCtx, l: Literal) => lookup(ctx, l, 'template', (n) => ctx.resolver.template(n))
export const evidenceTypeOf = (ctx: CompileCtx, l: Literal) =>
  lookup(ctx, l, 'evidence type', (n) => ctx.resolver.evidenceType(n))
export const priorityOf = (ctx: CompileCtx, l: Literal) =>
  lookup(ctx, l, 'priority', (n) => matchKey(n, keyed(priorityKeys)), priorityKeys)
export const statusOf = (ctx: CompileCtx, l: Literal) =>
  lookup(
    ctx,
    l,
    'status',
    (n) =>
      matchKey(
        n,
        Object.entries(statusLabels).map(([key, label]) => ({ key, label })),
      ),
    statusKeys,
  )
export const rootCauseOf = (ctx: CompileCtx, l: Literal) =>
  lookup(ctx, l, 'root cause', (n) => matchKey(n, keyed(rootCauses)), rootCauses)

/** One of a few words (a strategy, a channel, a target), written bare or quoted. */
export function choiceOf<T extends string>(ctx: CompileCtx, l: Literal, what: string, options: readonly T[]) {
  const name = textOf(ctx, l, what)
  if (name === null) return null
  const hit = matchKey(name, keyed(options)) as T | null
  if (hit === null) problem(ctx, l.span, `Unknown ${what} '${name}' (one of ${options.join(', ')})`)
  return hit
}

export function booleanOf(ctx: CompileCtx, l: Literal, what: string): boolean | null {
  const name = l.kind === 'word' || l.kind === 'string' ? l.value.toLowerCase() : null
  if (name === 'true' || name === 'yes') return true
  if (name === 'false' || name === 'no') return false
  problem(ctx, l.span, `Expected true or false for ${what} but found ${describeLiteral(l)}`)
  return null
}

export function durationOf(ctx: CompileCtx, l: Literal, what: string): number | null {
  if (l.kind === 'duration' && l.minutes > 0) return l.minutes
  problem(
    ctx,
    l.span,
    l.kind === 'duration'
      ? `${what} must be longer than zero`
      : `Expected a duration such as 30m, 24h or 2d for ${what} but found ${describeLiteral(l)}`,
  )
  return null
}

/** Levenshtein distance, for "did you mean". */
export function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = row[j]!
      row[j] = next
    }
  }
  return row[b.length]!
}

/** The closest candidate within a third of the word's length, if any. */
export function closest(word: string, candidates: string[]): string | null {
  const lower = word.toLowerCase()
  let best: { name: string; d: number } | null = null
  for (const name of candidates) {
    const d = distance(lower, name)
    if (d <= Math.max(2, Math.floor(lower.length / 3)) && (!best || d < best.d)) best = { name, d }
  }
  return best?.name ?? null
}
