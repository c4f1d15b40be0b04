import { describe, expect, it } from 'vitest'
import { formatMoney } from './money'

describe('money', () => {
  it("shows money from minor units with the currency's own decimals", () => {
    expect(formatMoney(18_000, 'GBP')).toBe(
      new Intl.NumberFormat(undefined, { style: 'currency', currency: 'GBP' }).format(180),
    )
    // The yen has no minor unit: 1800 minor units are ¥1,800, not ¥18.
    expect(formatMoney(1_800, 'JPY')).toBe(
      new Intl.NumberFormat(undefined, { style: 'currency', currency: 'JPY' }).format(1_800),
    )
    expect(formatMoney(1_234, 'KWD')).toBe(
      new Intl.NumberFormat(undefined, { style: 'currency', currency: 'KWD' }).format(1.234),
    )
  })

  it("takes the server's exponent where Intl's differs (HUF: 2 in ISO 4217, 0 in CLDR)", () => {
    expect(formatMoney(12_345, 'HUF', 2)).toBe(
      new Intl.NumberFormat(undefined, {
        style: 'currency',
        currency: 'HUF',
        minimumFractionDigits: 2,
        maximumFractionDigits: 2,
      }).format(123.45),
    )
  })
})
