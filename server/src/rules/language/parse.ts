import peggy from 'peggy'
import type { RuleAst, RuleProblem, Span } from '../types.js'
import { grammar } from './grammar.js'

export const maxSourceLength = 10_000
export const maxNesting = 32

const parser = peggy.generate(grammar)

export type ParseResult = { ok: true; ast: RuleAst } | { ok: false; problems: RuleProblem[] }

type Point = { offset: number; line: number; column: number }

export function problemAt(span: Span, message: string, expected?: string[]): RuleProblem {
  return {
    line: span.start.line,
    column: span.start.column,
    end_line: span.end.line,
    end_column: span.end.column,
    message,
    ...(expected ? { expected } : {}),
  }
}

/** Line and column (1-based) of an offset. */
function pointAt(source: string, offset: number): Point {
  let line = 1
  let lineStart = 0
  for (let i = 0; i < offset; i++)
    if (source[i] === '\n') {
      line++
      lineStart = i + 1
    }
  return { offset, line, column: offset - lineStart + 1 }
}

const spanOf = (source: string, from: number, to: number): Span => ({
  start: pointAt(source, from),
  end: pointAt(source, to),
})

/** The token at an offset, for "but … found": a word, a short quoted text, or one character. */
function tokenAt(source: string, offset: number): string | null {
  if (offset >= source.length) return null
  const quote = source[offset]!
  if (quote === "'" || quote === '"') {
    const close = source.indexOf(quote, offset + 1)
    if (close !== -1 && close - offset < 40) return source.slice(offset, close + 1)
  }
  const word = /^[A-Za-z0-9_%.-]+/.exec(source.slice(offset, offset + 40))?.[0]
  return word ?? source[offset]!
}

const listed = (items: string[]) =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`

const describe = (e: { type: string; description?: string; text?: string }) =>
  e.type === 'literal' ? `"${e.text}"` : e.type === 'end' ? 'end of rule' : (e.description ?? e.type)

/** Refuses nesting deeper than maxNesting before the parser recurses into it (parentheses outside strings). */
function nestingProblem(source: string): RuleProblem | null {
  let depth = 0
  let quote: string | null = null
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!
    if (quote) {
      if (c === '\\') i++
      else if (c === quote) quote = null
    } else if (c === "'" || c === '"') quote = c
    else if (c === '(' && ++depth > maxNesting)
      return problemAt(spanOf(source, i, i + 1), `Parentheses nest deeper than ${maxNesting} levels`)
    else if (c === ')') depth--
  }
  return null
}

/** Parses one rule's text. Never throws: every failure is a problem with its line and column. */
export function parseRule(source: string): ParseResult {
  if (source.length > maxSourceLength)
    return {
      ok: false,
      problems: [
        problemAt(
          spanOf(source.slice(0, maxSourceLength + 1), maxSourceLength, maxSourceLength),
          `A rule is at most ${maxSourceLength} characters long (this one has ${source.length})`,
        ),
      ],
    }
  const nested = nestingProblem(source)
  if (nested) return { ok: false, problems: [nested] }
  try {
    return { ok: true, ast: parser.parse(source) as RuleAst }
  } catch (err) {
    return { ok: false, problems: [syntaxProblem(source, err)] }
  }
}

function syntaxProblem(source: string, err: unknown): RuleProblem {
  if (!(err instanceof parser.SyntaxError)) return problemAt(spanOf(source, 0, 0), 'The rule could not be read')
  const offset = err.location.start.offset
  const expected = [...new Set((err.expected ?? []).map(describe))]
  const found = tokenAt(source, offset)
  const span = spanOf(source, offset, offset + (found?.length ?? 0))
  const quote = source[offset]
  if ((quote === "'" || quote === '"') && !source.includes(quote, offset + 1))
    return problemAt(span, `The text starting here has no closing ${quote}`, expected)
  const but = found === null ? 'the rule ends' : `"${found}" found`
  return problemAt(span, expected.length ? `Expected ${listed(expected)} but ${but}` : `Unexpected ${but}`, expected)
}
