import { describe, expect, it } from 'vitest'
import { humanize, timeAgo } from './format'

describe('console formatting', () => {
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
