import { describe, expect, it } from 'vitest'
import { formatMajor, parseMinor } from './money'

describe('parseMinor', () => {
  it('reads major units into exact minor units per exponent', () => {
    expect(parseMinor('12.5', 2)).toBe(1250)
    expect(parseMinor('0.07', 2)).toBe(7)
    expect(parseMinor('1500', 0)).toBe(1500)
    expect(parseMinor('1.234', 3)).toBe(1234)
    expect(parseMinor(' 20. ', 2)).toBe(2000)
  })

  it('refuses more decimals than the currency has, signs and non-numbers', () => {
    expect(parseMinor('1.005', 2)).toBeNull()
    expect(parseMinor('1.5', 0)).toBeNull()
    expect(parseMinor('-1', 2)).toBeNull()
    expect(parseMinor('1e3', 2)).toBeNull()
    expect(parseMinor('', 2)).toBeNull()
  })

  it('refuses amounts beyond a safe integer rather than rounding them', () => {
    expect(parseMinor('90071992547409.92', 2)).toBeNull()
    expect(parseMinor('90071992547409.91', 2)).toBe(Number.MAX_SAFE_INTEGER)
  })
})

describe('formatMajor', () => {
  it('writes minor units back as the text parseMinor reads', () => {
    expect(formatMajor(1250, 2)).toBe('12.50')
    expect(formatMajor(7, 2)).toBe('0.07')
    expect(formatMajor(1500, 0)).toBe('1500')
    expect(formatMajor(5, 3)).toBe('0.005')
    for (const [minor, exp] of [
      [0, 2],
      [123456789, 3],
      [42, 0],
    ] as const)
      expect(parseMinor(formatMajor(minor, exp), exp)).toBe(minor)
  })
})
