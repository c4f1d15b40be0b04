import { describe, expect, it } from 'vitest'
import { humanize, money, timeAgo } from './format'

describe('console formatting', () => {
  it("shows money from minor units with the currency's own decimals", () => {
    expect(money(18_000, 'GBP')).toBe(
      new Intl.NumberFormat(undefined, { style: 'currency', currency: 'GBP' }).format(180),
    )
    // The yen has no minor unit: 1800 minor units are ¥1,800, not ¥18.
    expect(money(1_800, 'JPY')).toBe(
      new Intl.NumberFormat(undefined, { style: 'currency', currency: 'JPY' }).format(1_800),
    )
    expect(money(1_234, 'KWD')).toBe(
      new Intl.NumberFormat(undefined, { style: 'currency', currency: 'KWD' }).format(1.234),
    )
  })

  it('says how long ago in the largest whole unit', () => {
    const now = Date.parse('2026-11-23T12:00:00Z')
    const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })
    expect(timeAgo('2026-11-23T11:59:30Z', now)).toBe(rtf.format(-30, 'second'))
    expect(timeAgo('2026-11-23T09:00:00Z', now)).toBe(rtf.format(-3, 'hour'))
    expect(timeAgo('2026-11-20T12:00:00Z', now)).toBe(rtf.format(-3, 'day'))
    expect(timeAgo('2026-11-23T14:00:00Z', now)).toBe(rtf.format(2, 'hour'))
  })

  it('turns keys into words', () => {
    expect(humanize('waiting_carrier')).toBe('Waiting carrier')
    expect(humanize('lost')).toBe('Lost')
  })
})
