import fc from 'fast-check'
import { describe, it } from 'vitest'
import { calendarCases, checkCalendarCase } from './testing/calendar-property.js'

// The deadline arithmetic against an independent minute-stepping reference (testing/calendar-property.ts). 20,000
// cases here (about 5 s); `npm run bench -- calendar` checks 100,000 (about 20 s on a quiet 2-core machine, 45 s on a
// busy one), and CALENDAR_RUNS sets the count here.
const RUNS = Number(process.env.CALENDAR_RUNS ?? 20_000)

describe('calendar arithmetic against a minute-stepping reference', () => {
  it(`agrees on ${RUNS} random calendars, starts and durations, DST changes in 12 zones included`, () => {
    fc.assert(fc.property(calendarCases, checkCalendarCase), { numRuns: RUNS })
  }, 120_000)
})
