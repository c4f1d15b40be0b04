import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ActionCall, Condition, RuleAst } from '../types.js'
import { maxNesting, maxSourceLength, parseRule } from './parse.js'
import { issueRules } from './testing.js'

const parsed = (source: string): RuleAst => {
  const r = parseRule(source)
  if (!r.ok) throw new Error(JSON.stringify(r.problems))
  return r.ast
}
const problemOf = (source: string) => {
  const r = parseRule(source)
  if (r.ok) throw new Error(`parsed: ${source}`)
  expect(r.problems).toHaveLength(1)
  return r.problems[0]!
}
/** The AST without spans, to compare shapes. */
const bare = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(bare)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v)
            .filter(([k]) => k !== 'span')
            .map(([k, x]) => [k, bare(x)]),
        )
      : v

describe('parseRule', () => {
  it('reads the three rules of the issue character for character', () => {
    const [lost, damaged, sla] = issueRules.map(parsed)
    expect(bare(lost!.condition)).toEqual({
      kind: 'and',
      items: [
        {
          kind: 'compare',
          field: 'carrier_event',
          fieldText: 'carrier_event',
          op: '=',
          value: { kind: 'string', value: 'Undeliverable' },
        },
        {
          kind: 'compare',
          field: 'value',
          fieldText: 'value',
          op: '>',
          value: { kind: 'money', amountMinor: 10000, currency: 'GBP', text: '100 GBP' },
        },
      ],
    })
    expect(lost!.actions.map((a) => a.nameText)).toEqual(['create_case', 'set_SLA', 'notify'])
    expect(bare(lost!.actions[0]!.args)).toEqual([
      { name: 'type', value: { kind: 'string', value: 'Lost Parcel' } },
      { name: 'priority', value: { kind: 'string', value: 'High' } },
    ])
    expect(bare(lost!.actions[1]!.args)).toEqual([
      { name: null, value: { kind: 'duration', minutes: 1440, text: '24h' } },
    ])
    expect(bare(damaged!.actions)).toEqual([
      {
        nameText: 'send_template',
        args: [{ name: null, value: { kind: 'string', value: 'Damage Ack' } }],
        to: { target: 'customer', via: [] },
      },
      {
        nameText: 'request_attachment',
        args: [{ name: null, value: { kind: 'string', value: 'photo' } }],
        with: { deadline: { kind: 'duration', minutes: 2880, text: '48h' } },
      },
    ])
    expect(bare(sla!.condition)).toMatchObject({
      fieldText: 'SLA_elapsed',
      op: '>=',
      value: { kind: 'percent', value: 75 },
    })
    expect(bare(sla!.actions[0])).toEqual({
      nameText: 'auto-notify',
      args: [{ name: null, value: { kind: 'word', value: 'team_lead' } }],
    })
  })

  it('takes keywords in any case, free whitespace and newlines, no final full stop, and spans of the text', () => {
    const source =
      "if  case_type = 'Damaged'\n\tand NOT (priority = 'low' Or tags contains \"vip\")\nthen\n  add_tag('x')"
    const ast = parsed(source)
    expect(bare(ast.condition)).toMatchObject({
      kind: 'and',
      items: [
        { kind: 'compare', field: 'case_type' },
        {
          kind: 'not',
          item: {
            kind: 'or',
            items: [
              { op: '=', value: { value: 'low' } },
              { op: 'contains', value: { kind: 'string', value: 'vip' } },
            ],
          },
        },
      ],
    })
    const tag = ast.actions[0] as ActionCall
    expect(tag.span.start).toEqual({ offset: source.indexOf('add_tag'), line: 4, column: 3 })
    expect(source.slice(tag.span.start.offset, tag.span.end.offset)).toBe("add_tag('x')")
  })

  it('reads every literal: lists, numbers, money, durations, percents, words, escapes', () => {
    const ast = parsed(
      "IF a IN ('x', \"y\", 3) AND b >= -2.5 AND c < 19.99 USD AND d > 30m AND e <= 2d AND f = 12.5% AND g = word_1 AND h = 'it\\'s' THEN x()",
    )
    const values = (ast.condition as Extract<Condition, { kind: 'and' | 'or' }>).items.map(
      (c) => bare((c as Extract<Condition, { kind: 'compare' }>).value) as object,
    )
    expect(values).toEqual([
      {
        kind: 'list',
        items: [
          { kind: 'string', value: 'x' },
          { kind: 'string', value: 'y' },
          { kind: 'number', value: 3 },
        ],
      },
      { kind: 'number', value: -2.5 },
      { kind: 'money', amountMinor: 1999, currency: 'USD', text: '19.99 USD' },
      { kind: 'duration', minutes: 30, text: '30m' },
      { kind: 'duration', minutes: 2880, text: '2d' },
      { kind: 'percent', value: 12.5 },
      { kind: 'word', value: 'word_1' },
      { kind: 'string', value: "it's" },
    ])
  })

  it('does not read AND after a number as a currency', () => {
    const ast = parsed('IF evidence_count > 100 AND x = 1 THEN a()')
    expect(ast.condition.kind).toBe('and')
  })

  it('reads TO customer VIA several channels, and named and positional arguments together', () => {
    const ast = parsed(
      "IF a=1 THEN send_template('Customs hold') TO customer VIA sms, email AND assign('Ops', strategy=round_robin).",
    )
    expect(ast.actions[0]!.to?.via).toEqual(['sms', 'email'])
    expect(bare(ast.actions[1]!.args)).toEqual([
      { name: null, value: { kind: 'string', value: 'Ops' } },
      { name: 'strategy', value: { kind: 'word', value: 'round_robin' } },
    ])
  })

  it('says where a syntax error is and what it expected there', () => {
    expect(problemOf("IF x = 1 TEHN add_tag('a')")).toEqual({
      line: 1,
      column: 10,
      end_line: 1,
      end_column: 14,
      message: 'Expected AND, OR or THEN but "TEHN" found',
      expected: ['AND', 'OR', 'THEN'],
    })
    expect(problemOf('IF x = 1\n  AND y ==  2 THEN a()')).toMatchObject({
      line: 2,
      column: 10,
      message: 'Expected "(" or value but "=" found',
    })
    expect(problemOf('IF x = 1 THEN')).toMatchObject({
      line: 1,
      column: 14,
      message: 'Expected action but the rule ends',
    })
    expect(problemOf('x = 1 THEN a()')).toMatchObject({ line: 1, column: 1, expected: ['IF'] })
    expect(problemOf("IF x = 'open THEN a()")).toMatchObject({
      line: 1,
      column: 8,
      message: "The text starting here has no closing '",
    })
    expect(problemOf("IF x IN ('a' 'b') THEN a()")).toMatchObject({
      column: 14,
      end_column: 17,
      message: `Expected "," or ")" but "'b'" found`,
    })
    expect(problemOf('IF x = 1 THEN a(b=)')).toMatchObject({
      column: 19,
      message: 'Expected "(" or value but ")" found',
    })
    expect(problemOf("IF x = 1 THEN send_template('a') TO customer VIA")).toMatchObject({
      message: 'Expected channel but the rule ends',
    })
    expect(problemOf('IF x = 1 THEN a() extra')).toMatchObject({
      message: 'Expected TO, WITH, AND, full stop or end of rule but "extra" found',
    })
    expect(problemOf("IF x = 1 THEN request_attachment('a') WITH 2d")).toMatchObject({ expected: ['DEADLINE'] })
  })

  it('refuses text over the length cap and nesting over the depth cap, with a clear problem', () => {
    const long = `IF x = '${'a'.repeat(maxSourceLength)}' THEN a()`
    expect(problemOf(long).message).toMatch(/at most 10000 characters/)
    const deep = `IF ${'('.repeat(maxNesting + 1)}x = 1${')'.repeat(maxNesting + 1)} THEN a()`
    expect(problemOf(deep)).toMatchObject({
      line: 1,
      column: 4 + maxNesting,
      message: 'Parentheses nest deeper than 32 levels',
    })
    const ok = `IF ${'('.repeat(maxNesting - 1)}x = 1${')'.repeat(maxNesting - 1)} THEN a()`
    expect(parseRule(ok).ok).toBe(true)
    expect(parseRule(`IF x = '${'('.repeat(100)}' THEN a()`).ok).toBe(true)
  })

  it('never throws: NUL bytes, a megabyte, long NOT chains, unbalanced quotes and brackets', () => {
    for (const source of [
      '',
      '\u0000',
      `IF x = '\u0000' THEN a()`,
      'x'.repeat(1_000_000),
      `IF ${'NOT '.repeat(2400)}x = 1 THEN a()`,
      "IF x = 'a",
      'IF ))))(((( THEN',
      `IF x = 1 THEN ${'a() AND '.repeat(1200)}a()`,
    ])
      expect(() => parseRule(source)).not.toThrow()
  })

  it('never throws on any string (property; seed logged by fast-check on failure)', () => {
    const pieces = fc.constantFrom(
      'IF ',
      ' THEN ',
      ' AND ',
      ' OR ',
      'NOT ',
      '(',
      ')',
      "'",
      '"',
      '=',
      '>=',
      ' IN ',
      '%',
      '24h',
      '100 GBP',
      'x',
      'a()',
      ',',
      '.',
      ' ',
      '\n',
      '\\',
    )
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.array(pieces, { maxLength: 60 }).map((p) => p.join('')),
        ),
        (s) => {
          const r = parseRule(s)
          if (!r.ok) for (const p of r.problems) expect(p.line).toBeGreaterThanOrEqual(1)
        },
      ),
      { seed: 2525, numRuns: 3000 },
    )
  })

  it('parses every generated well-formed rule (property)', () => {
    const word = fc
      .stringMatching(/^[a-z][a-z0-9_]{0,10}$/)
      .filter((w) => !/^(if|then|and|or|not|to|via|with|in|contains)$/.test(w))
    const literal = fc.oneof(
      fc.string({ maxLength: 10 }).map((s) => `'${s.replace(/[\\']/g, '')}'`),
      fc.integer({ min: 0, max: 10_000 }).map(String),
      fc.tuple(fc.integer({ min: 0, max: 999 }), fc.constantFrom('GBP', 'USD', 'EUR')).map(([n, c]) => `${n} ${c}`),
      fc.tuple(fc.integer({ min: 1, max: 99 }), fc.constantFrom('m', 'h', 'd')).map(([n, u]) => `${n}${u}`),
      fc.integer({ min: 0, max: 100 }).map((n) => `${n}%`),
    )
    const compare = fc
      .tuple(word, fc.constantFrom('=', '!=', '>', '>=', '<', '<=', 'CONTAINS'), literal)
      .map(([f, op, v]) => `${f} ${op} ${v}`)
    const condition = fc.letrec<{ c: string }>((tie) => ({
      c: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        compare,
        fc.tuple(tie('c'), fc.constantFrom('AND', 'or'), tie('c')).map(([a, k, b]) => `${a} ${k} ${b}`),
        tie('c').map((c) => `NOT (${c})`),
      ),
    })).c
    const action = fc
      .tuple(word, fc.array(literal, { maxLength: 3 }))
      .map(([n, args]) => `${n.replace(/_/g, '-')}(${args.join(', ')})`)
    fc.assert(
      fc.property(condition, fc.array(action, { minLength: 1, maxLength: 3 }), fc.boolean(), (c, as, stop) => {
        const source = `IF ${c} THEN ${as.join(' AND ')}${stop ? '.' : ''}`
        const r = parseRule(source)
        expect(r.ok, `${source}\n${JSON.stringify(r)}`).toBe(true)
      }),
      { seed: 2526, numRuns: 1000 },
    )
  })
})
