import { describe, expect, it } from 'vitest'
import {
  addBusinessMinutes,
  type BusinessCalendar,
  businessMinutesBetween,
  CalendarClosedError,
  calendarTime,
  isBusinessTime,
  nextBusinessTime,
  type Weekday,
} from './calendar.js'

// Every expectation here was worked out by hand from the zone's published DST rules; the property test
// (calendar.property.test.ts) checks the arithmetic against a minute-stepping reference at large.

const weekdays = (start: string, end: string) => ([1, 2, 3, 4, 5] as Weekday[]).map((day) => ({ day, start, end }))
const calendar = (timeZone: string, weekly: BusinessCalendar['weekly'], holidays: BusinessCalendar['holidays'] = []) =>
  ({ timeZone, always: false, weekly, holidays }) satisfies BusinessCalendar
const at = (iso: string) => new Date(iso)
const iso = (d: Date) => d.toISOString()

const london = calendar('Europe/London', weekdays('09:00', '17:30'), [
  { date: '2026-12-25', yearly: false, name: 'Christmas Day' },
  { date: '2026-12-28', yearly: false, name: 'Boxing Day (substitute day)' },
  { date: '2020-01-01', yearly: true, name: "New Year's Day" },
])

describe('business minutes on weekday hours', () => {
  it('carries a deadline over the weekend into Monday, across the change to BST', () => {
    // Fri 27 Mar 2026 16:00 GMT: 90 minutes left that day; BST from Sun 29 Mar; Mon 09:30 BST is 08:30Z.
    expect(iso(addBusinessMinutes(london, at('2026-03-27T16:00:00Z'), 120))).toBe('2026-03-30T08:30:00.000Z')
    expect(businessMinutesBetween(london, at('2026-03-27T16:00:00Z'), at('2026-03-30T08:30:00Z'))).toBe(120)
  })

  it('ends a deadline at closing time rather than at the next opening', () => {
    expect(iso(addBusinessMinutes(london, at('2026-01-05T09:00:00Z'), 510))).toBe('2026-01-05T17:30:00.000Z')
  })

  it('skips dated and yearly holidays: Christmas 2026, its substitute Boxing Day and New Year 2027', () => {
    // Thu 24 Dec 17:00: 30 minutes; Fri 25 and Mon 28 holidays; Tue 29 09:00 + 30 minutes.
    expect(iso(addBusinessMinutes(london, at('2026-12-24T17:00:00Z'), 60))).toBe('2026-12-29T09:30:00.000Z')
    // Thu 31 Dec 17:00: 30 minutes; Fri 1 Jan 2027 is New Year's Day (yearly from 2020); Mon 4 Jan.
    expect(iso(addBusinessMinutes(london, at('2026-12-31T17:00:00Z'), 60))).toBe('2027-01-04T09:30:00.000Z')
    expect(isBusinessTime(london, at('2027-01-01T12:00:00Z'))).toBe(false)
  })

  it('counts split shifts and skips the break between them', () => {
    const berlin = calendar('Europe/Berlin', [
      { day: 1, start: '09:00', end: '12:00' },
      { day: 1, start: '13:00', end: '17:00' },
    ])
    // Mon 5 Jan 2026 11:30 CET (10:30Z) + 60 → 13:30 CET (12:30Z).
    expect(iso(addBusinessMinutes(berlin, at('2026-01-05T10:30:00Z'), 60))).toBe('2026-01-05T12:30:00.000Z')
    expect(isBusinessTime(berlin, at('2026-01-05T11:30:00Z'))).toBe(false)
    expect(iso(nextBusinessTime(berlin, at('2026-01-05T11:30:00Z')))).toBe('2026-01-05T12:00:00.000Z')
    // The rest of the week is closed: the next open minute is a week later.
    expect(iso(nextBusinessTime(berlin, at('2026-01-05T16:00:00Z')))).toBe('2026-01-12T08:00:00.000Z')
  })

  it('joins an evening shift ending at 24:00 to the next morning', () => {
    const nights = calendar('Asia/Kolkata', [
      { day: 1, start: '22:00', end: '24:00' },
      { day: 2, start: '00:00', end: '02:00' },
    ])
    // Mon 5 Jan 2026 23:00 IST (17:30Z) + 120 → Tue 01:00 IST (19:30Z).
    expect(iso(addBusinessMinutes(nights, at('2026-01-05T17:30:00Z'), 120))).toBe('2026-01-05T19:30:00.000Z')
  })

  it('treats the opening minute as open and the closing minute as closed', () => {
    expect(isBusinessTime(london, at('2026-01-05T09:00:00Z'))).toBe(true)
    expect(isBusinessTime(london, at('2026-01-05T17:29:59.999Z'))).toBe(true)
    expect(isBusinessTime(london, at('2026-01-05T17:30:00Z'))).toBe(false)
    expect(iso(nextBusinessTime(london, at('2026-01-09T17:30:00Z')))).toBe('2026-01-12T09:00:00.000Z')
    expect(iso(nextBusinessTime(london, at('2026-01-05T10:00:00Z')))).toBe('2026-01-05T10:00:00.000Z')
  })

  it('adds zero minutes as the start itself, and negative minutes backwards', () => {
    expect(iso(addBusinessMinutes(london, at('2026-01-10T12:00:00Z'), 0))).toBe('2026-01-10T12:00:00.000Z')
    // Mon 12 Jan 09:30 − 60 → Fri 9 Jan 17:00.
    expect(iso(addBusinessMinutes(london, at('2026-01-12T09:30:00Z'), -60))).toBe('2026-01-09T17:00:00.000Z')
    expect(businessMinutesBetween(london, at('2026-01-12T09:30:00Z'), at('2026-01-09T17:00:00Z'))).toBe(-60)
  })

  it('counts fractions of a minute', () => {
    expect(businessMinutesBetween(london, at('2026-01-05T08:59:30Z'), at('2026-01-05T09:00:30Z'))).toBe(0.5)
    expect(iso(addBusinessMinutes(london, at('2026-01-05T17:29:00Z'), 1.5))).toBe('2026-01-06T09:00:30.000Z')
  })
})

// On a day whose DST change falls within its open hours, the hours are wall-clock hours: a spring-forward gap is
// never open (one hour less), a fall-back overlap is open both times the clock reads it (one hour more).
describe('business minutes on days with a DST change in open hours', () => {
  const sundays = (timeZone: string, start: string, end: string) => calendar(timeZone, [{ day: 7, start, end }])

  it('Europe/London: 00:00–04:00 holds 3 hours on 29 Mar 2026 and 5 hours on 25 Oct 2026', () => {
    const cal = sundays('Europe/London', '00:00', '04:00')
    expect(businessMinutesBetween(cal, at('2026-03-28T00:00:00Z'), at('2026-03-30T00:00:00Z'))).toBe(180)
    expect(businessMinutesBetween(cal, at('2026-10-24T00:00:00Z'), at('2026-10-26T00:00:00Z'))).toBe(300)
    // 00:30 GMT + 60: 30 minutes to the gap at 01:00 GMT, which is 02:00 BST, then 30 more → 02:30 BST (01:30Z).
    expect(iso(addBusinessMinutes(cal, at('2026-03-29T00:30:00Z'), 60))).toBe('2026-03-29T01:30:00.000Z')
    // 00:30 BST (23:30Z) + 120: 01:00–02:00 BST, then 01:00 GMT again → 01:30 GMT (01:30Z).
    expect(iso(addBusinessMinutes(cal, at('2026-10-24T23:30:00Z'), 120))).toBe('2026-10-25T01:30:00.000Z')
  })

  it('America/New_York: 01:00–04:00 on 8 Mar 2026 is 2 hours, on 1 Nov 2026 is 4 hours', () => {
    const cal = sundays('America/New_York', '01:00', '04:00')
    expect(businessMinutesBetween(cal, at('2026-03-07T00:00:00Z'), at('2026-03-10T00:00:00Z'))).toBe(120)
    expect(businessMinutesBetween(cal, at('2026-10-31T00:00:00Z'), at('2026-11-03T00:00:00Z'))).toBe(240)
    // The opening at 01:00 EST is 06:00Z; 90 minutes in: 02:00 is 03:00 EDT, so 03:30 EDT (07:30Z).
    expect(iso(addBusinessMinutes(cal, at('2026-03-08T06:00:00Z'), 90))).toBe('2026-03-08T07:30:00.000Z')
  })

  it('Australia/Sydney: 02:00–04:00 on 5 Apr 2026 is 3 hours, on 4 Oct 2026 is 1 hour', () => {
    const cal = sundays('Australia/Sydney', '02:00', '04:00')
    expect(businessMinutesBetween(cal, at('2026-04-04T00:00:00Z'), at('2026-04-06T00:00:00Z'))).toBe(180)
    expect(businessMinutesBetween(cal, at('2026-10-03T00:00:00Z'), at('2026-10-05T00:00:00Z'))).toBe(60)
    // The gap 02:00–03:00 AEST is never open: 02:30 wall clock does not exist; the day opens at 03:00 AEDT (16:00Z).
    expect(iso(nextBusinessTime(cal, at('2026-10-03T12:00:00Z')))).toBe('2026-10-03T16:00:00.000Z')
  })

  it('Pacific/Chatham: the 02:45 change makes 02:00–04:00 one hour on 27 Sep 2026 and three on 5 Apr 2026', () => {
    const cal = sundays('Pacific/Chatham', '02:00', '04:00')
    expect(businessMinutesBetween(cal, at('2026-09-25T00:00:00Z'), at('2026-09-28T00:00:00Z'))).toBe(60)
    expect(businessMinutesBetween(cal, at('2026-04-03T00:00:00Z'), at('2026-04-06T00:00:00Z'))).toBe(180)
  })

  it('America/Sao_Paulo 2018: a day that starts at 01:00 because midnight was skipped', () => {
    const cal = sundays('America/Sao_Paulo', '00:00', '02:00')
    // 4 Nov 2018: 00:00 −03 became 01:00 −02; 01:00 −02 is 03:00Z.
    expect(businessMinutesBetween(cal, at('2018-11-03T00:00:00Z'), at('2018-11-06T00:00:00Z'))).toBe(60)
    expect(iso(nextBusinessTime(cal, at('2018-11-03T12:00:00Z')))).toBe('2018-11-04T03:00:00.000Z')
  })

  it('Asia/Kolkata has no DST: 09:00 IST is 03:30Z all year', () => {
    const cal = calendar('Asia/Kolkata', weekdays('09:00', '17:00'))
    expect(iso(nextBusinessTime(cal, at('2026-07-04T00:00:00Z')))).toBe('2026-07-06T03:30:00.000Z')
    expect(iso(nextBusinessTime(cal, at('2026-12-26T00:00:00Z')))).toBe('2026-12-28T03:30:00.000Z')
  })
})

describe('24/7 and calendar time', () => {
  const always: BusinessCalendar = { timeZone: 'Europe/London', always: true, weekly: [], holidays: [] }

  it('counts every minute on a 24/7 calendar, DST changes included', () => {
    expect(iso(addBusinessMinutes(always, at('2026-03-29T00:30:00Z'), 90))).toBe('2026-03-29T02:00:00.000Z')
    expect(businessMinutesBetween(always, at('2026-10-24T12:00:00Z'), at('2026-10-25T12:00:00Z'))).toBe(24 * 60)
  })

  it('closes a 24/7 calendar on its holidays (local midnight to midnight)', () => {
    const cal = { ...always, holidays: [{ date: '2026-12-25', yearly: true, name: 'Christmas Day' }] }
    expect(iso(addBusinessMinutes(cal, at('2026-12-24T23:00:00Z'), 120))).toBe('2026-12-26T01:00:00.000Z')
  })

  it('calendarTime(null) is elapsed time; calendarTime(calendar) is business time', () => {
    const elapsed = calendarTime(null)
    expect(elapsed.business).toBe(false)
    expect(iso(elapsed.addMinutes(at('2026-01-10T12:00:00Z'), 90))).toBe('2026-01-10T13:30:00.000Z')
    expect(elapsed.minutesBetween(at('2026-01-10T12:00:00Z'), at('2026-01-10T12:45:00Z'))).toBe(45)
    expect(elapsed.isOpen(at('2026-01-10T03:00:00Z'))).toBe(true)
    const business = calendarTime(london)
    expect(business.business).toBe(true)
    expect(iso(business.addMinutes(at('2026-01-10T12:00:00Z'), 90))).toBe('2026-01-12T10:30:00.000Z')
    expect(iso(business.nextOpen(at('2026-01-10T12:00:00Z')))).toBe('2026-01-12T09:00:00.000Z')
  })
})

describe('calendars with no open time', () => {
  it('throws rather than loops when nothing ever opens', () => {
    const closed = calendar('Europe/London', [])
    expect(() => addBusinessMinutes(closed, at('2026-01-05T09:00:00Z'), 1)).toThrow(CalendarClosedError)
    expect(() => nextBusinessTime(closed, at('2026-01-05T09:00:00Z'))).toThrow(CalendarClosedError)
    expect(businessMinutesBetween(closed, at('2026-01-05T09:00:00Z'), at('2026-02-05T09:00:00Z'))).toBe(0)
  })

  it('throws when holidays close every open day', () => {
    const cal = calendar(
      'Europe/London',
      [{ day: 1, start: '09:00', end: '10:00' }],
      Array.from({ length: 12 }, (_, m) =>
        Array.from({ length: 31 }, (_, d) => ({
          date: `2000-${String(m + 1).padStart(2, '0')}-${String(d + 1).padStart(2, '0')}`,
          yearly: true,
          name: 'closed',
        })),
      ).flat(),
    )
    expect(() => addBusinessMinutes(cal, at('2026-01-05T09:00:00Z'), 1)).toThrow(CalendarClosedError)
  })

  it('refuses an unknown zone, a non-finite duration and an invalid date', () => {
    expect(() => isBusinessTime(calendar('Mars/Olympus', []), at('2026-01-05T09:00:00Z'))).toThrow(RangeError)
    expect(() => addBusinessMinutes(london, at('2026-01-05T09:00:00Z'), Number.NaN)).toThrow(RangeError)
    expect(() => addBusinessMinutes(london, at('2026-01-05T09:00:00Z'), 11 * 366 * 24 * 60)).toThrow(RangeError)
    const invalid = new Date(Number.NaN)
    expect(() => addBusinessMinutes(london, invalid, 5)).toThrow(RangeError)
    expect(() => businessMinutesBetween(london, at('2026-01-05T09:00:00Z'), invalid)).toThrow(RangeError)
    expect(() => nextBusinessTime(london, invalid)).toThrow(RangeError)
  })
})
