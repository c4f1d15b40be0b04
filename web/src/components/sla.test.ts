import { describe, expect, it } from 'vitest'
import { type Clock, clockText, countdown, rowText, span, targetLabel } from './sla'

const now = Date.parse('2026-12-07T12:00:00Z')
const clock = (c: Partial<Clock>): Clock => ({
  target: 'first_response',
  state: 'active',
  due_at: '2026-12-07T16:00:00Z',
  remaining_seconds: 14_400,
  paused_seconds: 0,
  business_time: false,
  paused_at: null,
  met_at: null,
  breached_at: null,
  ...c,
})

describe('SLA clocks in words', () => {
  it('counts down to the second, with days beyond a day', () => {
    expect(countdown(4 * 3600 + 12 * 60 + 9)).toBe('04:12:09')
    expect(countdown(2 * 86_400 + 5)).toBe('2 d 00:00:05')
    expect(countdown(-3)).toBe('00:00:00')
    expect(span(45)).toBe('45 s')
    expect(span(3 * 3600 + 20 * 60)).toBe('3 h 20 min')
    expect(span(2 * 86_400 + 4 * 3600 + 59)).toBe('2 d 4 h')
  })

  it('reads each state: running down, overdue, paused with its time, breached how long ago, met', () => {
    expect(clockText(clock({}), now)).toBe('due in 04:00:00')
    expect(clockText(clock({}), now + 1000)).toBe('due in 03:59:59')
    expect(clockText(clock({ due_at: '2026-12-07T11:30:00Z' }), now)).toBe('overdue by 30 min')
    const paused = clock({ state: 'paused', paused_at: '2026-12-07T11:00:00Z', paused_seconds: 600 })
    expect(clockText(paused, now)).toBe('paused 1 h 10 min, 4 h left')
    expect(clockText(clock({ state: 'breached', breached_at: '2026-12-07T10:00:00Z' }), now)).toBe('breached 2 h ago')
    expect(clockText(clock({ state: 'met', met_at: '2026-12-07T11:00:00Z' }), now)).toBe('met')
    expect(clockText(clock({ state: 'met', breached_at: '2026-12-07T10:00:00Z' }), now)).toBe('met late')
    expect(targetLabel('first_response')).toBe('First response')
    expect(targetLabel('evidence_in')).toBe('Evidence in')
  })

  it("reads an inbox row from the case's summary", () => {
    expect(rowText(null, null, now)).toBeNull()
    expect(rowText('active', '2026-12-07T12:30:00Z', now)).toBe('00:30:00')
    expect(rowText('active', '2026-12-07T11:00:00Z', now)).toBe('Overdue 1 h')
    expect(rowText('paused', '2026-12-07T13:00:00Z', now)).toBe('Paused')
    expect(rowText('met', null, now)).toBe('SLA met')
    expect(rowText('breached', null, now)).toBe('Breached')
  })
})
