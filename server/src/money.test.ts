import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { convertMinor } from './money.js'

const seed = Number(process.env.FC_SEED ?? 4217)
const numRuns = Number(process.env.FC_RUNS ?? 2000)

describe('convertMinor', () => {
  it.each([
    [1999, 2, 2, '0.8541', false, 1707], // 19.99 EUR → 17.07 GBP (17.0735…)
    [100, 2, 0, '157.5', false, 158], // 1.00 USD → 158 JPY (157.5 rounds half to even: 158)
    [50, 2, 0, '157', false, 78], // 0.50 USD → 78.5 JPY: ties go to the even neighbour
    [1000, 0, 3, '0.0021', false, 2100], // 1000 JPY → 2.100 KWD
    [1707, 2, 2, '0.8541', true, 1999], // back again with the inverse rate
    [-1999, 2, 2, '0.8541', false, -1707], // refunds are negative and round symmetrically
  ])('converts %i (exp %i → %i) at %s inverse=%s to %i', (amount, from, to, rate, inverse, expected) => {
    expect(convertMinor(amount, from, to, rate, inverse)).toBe(expected)
  })

  it('rounds ties to even', () => {
    expect(convertMinor(25, 2, 1, '1')).toBe(2) // 2.5 → 2
    expect(convertMinor(35, 2, 1, '1')).toBe(4) // 3.5 → 4
  })

  it('refuses malformed rates', () => {
    expect(() => convertMinor(1, 2, 2, '1e3')).toThrow(RangeError)
    expect(() => convertMinor(1, 2, 2, '0')).toThrow(RangeError)
  })

  it('is exact: matches rational arithmetic within half a minor unit (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 0, max: 8 }),
        (amount, fromExp, toExp, rateDigits, rateScale) => {
          const rate = (rateDigits / 10 ** rateScale).toFixed(rateScale)
          const num = BigInt(amount) * BigInt(rateDigits) * 10n ** BigInt(toExp)
          const den = 10n ** BigInt(rateScale + fromExp)
          const magnitude = (num < 0n ? -num : num) / den
          if (magnitude >= BigInt(Number.MAX_SAFE_INTEGER)) {
            expect(() => convertMinor(amount, fromExp, toExp, rate)).toThrow(RangeError)
            return
          }
          const result = convertMinor(amount, fromExp, toExp, rate)
          // |result - exact| <= 1/2, checked in integers: |2·result·den − 2·num| <= den
          const diff = 2n * BigInt(result) * den - 2n * num
          expect(diff <= den && diff >= -den).toBe(true)
        },
      ),
      { seed, numRuns },
    )
  })

  it('is antisymmetric in sign (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e9 }), fc.integer({ min: 1, max: 1e6 }), (amount, r) => {
        const rate = (r / 1e4).toFixed(4)
        expect(convertMinor(-amount, 2, 2, rate) + convertMinor(amount, 2, 2, rate)).toBe(0)
      }),
      { seed, numRuns },
    )
  })
})
