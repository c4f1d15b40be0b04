import fc from 'fast-check'
import { addBusinessMinutes, type BusinessCalendar, businessMinutesBetween } from '../server/src/sla/calendar.js'
import { ukBusinessHours } from '../server/src/sla/calendars/defaults.js'
import { calendarCases, checkCalendarCase } from '../server/src/sla/testing/calendar-property.js'

const print = (o: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(o)}\n`)

/**
 * The calendar arithmetic: first the property check against the minute-stepping reference on `--cases` (100,000)
 * random calendars, starts and durations (npm test checks 20,000); then business-time deadlines as the SLA module
 * computes them, per case: random starts over 2026–2027 and targets of 1 to 48 business hours on UK business hours
 * with bank holidays, once with one calendar object for every case, once with a fresh copy per case (as each is
 * loaded from the database).
 */
export async function run(opts: Record<string, string | boolean | undefined>) {
  const cases = Number(opts.cases ?? 100_000)
  const started = performance.now()
  fc.assert(fc.property(calendarCases, checkCalendarCase), { numRuns: cases })
  print({
    bench: 'calendar',
    property_runs: cases,
    agreed: true,
    seconds: Math.round(performance.now() - started) / 1000,
  })
  const uk: BusinessCalendar = {
    timeZone: ukBusinessHours.timeZone,
    always: false,
    weekly: ukBusinessHours.weekly,
    holidays: ukBusinessHours.holidays,
  }
  const from = Date.UTC(2026, 0, 1)
  const span = Date.UTC(2028, 0, 1) - from
  let seed = 20261207
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return seed / 2 ** 31
  }
  const inputs = Array.from({ length: cases }, () => ({
    start: new Date(from + Math.floor(random() * span)),
    minutes: 60 + Math.floor(random() * 47 * 60),
  }))
  // Warm: the JIT, and each local day's open instants (computed once per calendar value and day).
  for (const c of inputs) addBusinessMinutes(uk, c.start, c.minutes)
  for (const [label, calendarFor] of [
    ['shared calendar', () => uk],
    ['calendar per case', () => ({ ...uk, weekly: [...uk.weekly], holidays: [...uk.holidays] })],
  ] as const) {
    const t0 = performance.now()
    const dues = inputs.map((c) => addBusinessMinutes(calendarFor(), c.start, c.minutes))
    const t1 = performance.now()
    let mismatches = 0
    inputs.forEach((c, i) => {
      if (businessMinutesBetween(calendarFor(), c.start, dues[i]!) !== c.minutes) mismatches++
    })
    const t2 = performance.now()
    print({
      bench: 'calendar',
      calendar: label,
      cases,
      add_us_per_case: Number((((t1 - t0) * 1000) / cases).toFixed(2)),
      between_us_per_case: Number((((t2 - t1) * 1000) / cases).toFixed(2)),
      round_trip_mismatches: mismatches,
      rss_mb: Math.round(process.memoryUsage().rss / 2 ** 20),
    })
  }
}
