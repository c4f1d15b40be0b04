import fc from 'fast-check'
import {
  addBusinessMinutes,
  type BusinessCalendar,
  businessMinutesBetween,
  isBusinessTime,
  nextBusinessTime,
  type Weekday,
} from '../calendar.js'
import { offsetMinutes, referenceCalendar, referenceWalk } from './calendar-reference.js'

// The deadline arithmetic against the minute-stepping reference (calendar-reference.ts: Intl, not Luxon) on random
// calendars, starts and durations, half of the starts in the days before a DST change of the calendar's zone.
//
// Bounds, so that the reference's stepping stays cheap: durations up to 1,500 business minutes (25 hours, three
// business days: the size of real first-response and resolution targets) and never more than twice a week's open
// time; open shifts of at least 15 minutes; holidays within 40 days of the start. The reference then steps at most
// about three weeks per case.

const zones = [
  'Europe/London',
  'America/New_York',
  'Australia/Sydney',
  'Asia/Kolkata',
  'America/Sao_Paulo', // DST (at midnight) until 2019
  'Pacific/Chatham', // +12:45/+13:45, changes at 02:45
  'Australia/Lord_Howe', // a 30-minute DST shift
  'America/St_Johns', // −03:30
  'Africa/Casablanca', // suspended for Ramadan each year
  'Pacific/Kiritimati', // +14
  'Pacific/Pago_Pago', // −11
  'UTC',
]
const FROM = Date.UTC(2017, 0, 1) / 60_000
const TO = Date.UTC(2028, 0, 1) / 60_000

/** Per zone, the UTC minutes of noon on each day whose next noon has another offset. */
const changes = new Map<string, number[]>()
function dstChanges(zone: string): number[] {
  let list = changes.get(zone)
  if (!list) {
    list = []
    for (let noon = FROM + 720; noon < TO; noon += 1440)
      if (offsetMinutes(zone, noon) !== offsetMinutes(zone, noon + 1440)) list.push(noon)
    changes.set(zone, list)
  }
  return list
}

const clock = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`

/** 0 to 3 shifts a day: sorted distinct boundaries taken in pairs, each shift at least 15 minutes. */
const dayShifts = fc.uniqueArray(fc.integer({ min: 0, max: 1440 }), { minLength: 0, maxLength: 6 }).map((b) => {
  const sorted = [...b].sort((x, y) => x - y)
  const shifts: [number, number][] = []
  for (let i = 0; i + 1 < sorted.length; i += 2)
    if (sorted[i + 1]! - sorted[i]! >= 15) shifts.push([sorted[i]!, sorted[i + 1]!])
  return shifts
})

/** A random calendar, start (UTC minute) and duration (business minutes). */
export const calendarCases = fc
  .record({
    zone: fc.constantFrom(...zones),
    always: fc.integer({ min: 0, max: 19 }).map((n) => n === 0),
    week: fc.array(dayShifts, { minLength: 7, maxLength: 7 }),
    nearChange: fc.boolean(),
    pick: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
    before: fc.integer({ min: 0, max: 4 * 1440 }),
    holidays: fc.array(fc.record({ inDays: fc.integer({ min: -2, max: 40 }), yearly: fc.boolean() }), { maxLength: 4 }),
    share: fc.double({ min: 0, max: 1, noNaN: true }),
    seconds: fc.integer({ min: 0, max: 9 }).map((n) => (n === 0 ? 0.5 : 0)),
  })
  .map((r) => {
    const list = dstChanges(r.zone)
    const start =
      r.nearChange && list.length > 0
        ? list[Math.floor(r.pick * list.length)]! - r.before
        : FROM + Math.floor(r.pick * (TO - FROM - 60 * 1440))
    const weekly = r.week.flatMap((shifts, i) =>
      shifts.map(([s, e]) => ({ day: (i + 1) as Weekday, start: clock(s), end: clock(e) })),
    )
    if (!r.always && weekly.length === 0) weekly.push({ day: 1, start: '09:00', end: '17:00' })
    const startDay = Math.floor((start + offsetMinutes(r.zone, start)) / 1440)
    const holidays = r.holidays.map((h) => {
      const date = new Date((startDay + h.inDays) * 86_400_000).toISOString().slice(0, 10)
      return { date: h.yearly ? `2004${date.slice(4)}` : date, yearly: h.yearly, name: 'holiday' }
    })
    const cal: BusinessCalendar = { timeZone: r.zone, always: r.always, weekly, holidays }
    const weekOpen = r.always ? 7 * 1440 : weekly.reduce((sum, h) => sum + toMinutes(h.end) - toMinutes(h.start), 0)
    const minutes = Math.floor(r.share * r.share * Math.min(1500, 2 * weekOpen))
    return { cal, start, minutes, fraction: r.seconds }
  })

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))
// Holidays can close up to 43 days in a row; a week of open time and then some.
const LIMIT = 80 * 1440

/** Throws unless the arithmetic agrees with the reference on this case. */
export function checkCalendarCase({ cal, start, minutes }: { cal: BusinessCalendar; start: number; minutes: number }) {
  const ref = referenceCalendar(cal)
  const at = new Date(start * 60_000)
  const { next, due } = referenceWalk(ref, start, minutes, LIMIT)
  const agree = (what: string, got: number | boolean, want: number | boolean) => {
    if (got !== want) throw new Error(`${what}: got ${got}, the reference says ${want}`)
  }
  agree('addBusinessMinutes', addBusinessMinutes(cal, at, minutes).getTime(), due * 60_000)
  agree('businessMinutesBetween', businessMinutesBetween(cal, at, new Date(due * 60_000)), minutes)
  agree('isBusinessTime', isBusinessTime(cal, at), ref.open(start))
  agree('nextBusinessTime', nextBusinessTime(cal, at).getTime(), next * 60_000)
  // Backwards from the deadline: back to the first open minute counted.
  if (minutes > 0)
    agree('addBusinessMinutes back', addBusinessMinutes(cal, new Date(due * 60_000), -minutes).getTime(), next * 60_000)
}
