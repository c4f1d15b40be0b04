import { describe, expect, it } from 'vitest'
import { lastDays, offsetOf, rangeOf, segments, valueText } from './rule-text'

const problem = (line: number, column: number, end_line: number, end_column: number) => ({
  line,
  column,
  end_line,
  end_column,
  message: 'x',
})

describe("a rule's text with its problems marked", () => {
  it('finds 1-based lines and columns, clamping a column past the end of its line', () => {
    const text = 'IF a = 1\nTHEN b()'
    expect(offsetOf(text, 1, 1)).toBe(0)
    expect(offsetOf(text, 2, 6)).toBe(14)
    expect(offsetOf(text, 1, 40)).toBe(8)
    expect(offsetOf(text, 9, 1)).toBe(text.length)
  })

  it('cuts the text into plain runs and the runs problems cover, keeping every character', () => {
    const text = "IF case_typo='Damaged' THEN x()"
    const parts = segments(text, [problem(1, 4, 1, 13)])
    expect(parts).toEqual([
      { text: 'IF ', problem: null },
      { text: 'case_typo', problem: 0 },
      { text: "='Damaged' THEN x()", problem: null },
    ])
    expect(parts.map((p) => p.text).join('')).toBe(text)
  })

  it('shows a problem at the very end (a missing THEN) as a marked space, and the first of two overlapping', () => {
    expect(segments('IF a = 1', [problem(1, 9, 1, 9)])).toEqual([
      { text: 'IF a = 1', problem: null },
      { text: ' ', problem: 0 },
    ])
    expect(segments('abcdef', [problem(1, 2, 1, 5), problem(1, 3, 1, 7)])).toEqual([
      { text: 'a', problem: null },
      { text: 'bcd', problem: 0 },
      { text: 'ef', problem: 1 },
    ])
  })

  it('spans problems across lines', () => {
    const parts = segments('IF a\n= 1 THEN', [problem(1, 4, 2, 4)])
    expect(parts).toEqual([
      { text: 'IF ', problem: null },
      { text: 'a\n= 1', problem: 0 },
      { text: ' THEN', problem: null },
    ])
  })
})

describe('values and ranges', () => {
  it('shows money, lists and absent values as people read them', () => {
    const money = (m: number, c: string) => `${(m / 100).toFixed(2)} ${c}`
    expect(valueText({ amount_minor: 12000, currency: 'GBP' }, money)).toBe('120.00 GBP')
    expect(valueText(['lost', 'damaged'], money)).toBe('lost, damaged')
    expect(valueText(null, money)).toBe('—')
    expect(valueText(75, money)).toBe('75')
  })

  it('defaults to the last 30 days and ends a range at the end of its last day, or now', () => {
    const now = new Date('2026-12-08T02:30:00Z')
    expect(lastDays(30, now)).toEqual({ from: '2026-11-08', to: '2026-12-08' })
    expect(rangeOf({ from: '2026-11-08', to: '2026-12-08' }, now)).toEqual({
      from: '2026-11-08T00:00:00.000Z',
      to: '2026-12-08T02:30:00.000Z',
    })
    expect(rangeOf({ from: '2026-11-01', to: '2026-11-02' }, now).to).toBe('2026-11-03T00:00:00.000Z')
  })
})
