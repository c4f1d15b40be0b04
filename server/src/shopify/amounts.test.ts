import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decimalToMinor } from './amounts.js'

describe('decimalToMinor', () => {
  it.each([
    ['404.95', 2, 40495],
    ['0.00', 2, 0],
    ['10', 2, 1000],
    ['10.5', 2, 1050],
    ['1000', 0, 1000],
    ['1000.0', 0, 1000],
    ['1.234', 3, 1234],
    ['-20.00', 2, -2000],
    ['0.1', 2, 10],
    ['89.990', 2, 8999],
  ])('reads %s with exponent %i as %i', (amount, exponent, expected) => {
    expect(decimalToMinor(amount, exponent)).toBe(expected)
  })

  it('refuses digits the currency cannot hold, and anything that is not a plain decimal', () => {
    for (const bad of ['1.005', '', '1e3', '1,00', '.5', 'NaN', '0x10', '12345678901234567890']) {
      expect(() => decimalToMinor(bad, 2), bad).toThrow(RangeError)
    }
  })

  it('is exact for every amount up to 10^13 minor units (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(10 ** 13), max: 10 ** 13 }),
        fc.integer({ min: 0, max: 4 }),
        (minor, exponent) => {
          const digits = String(Math.abs(minor)).padStart(exponent + 1, '0')
          const text = `${minor < 0 ? '-' : ''}${exponent ? `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}` : digits}`
          expect(decimalToMinor(text, exponent)).toBe(minor)
        },
      ),
      { seed: 4217, numRuns: 2000 },
    )
  })
})
