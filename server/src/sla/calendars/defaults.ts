import type { ServiceContext } from '../../auth/actor.js'
import type { Trx } from '../../db/owned.js'
import type { Holiday, Weekday } from '../calendar.js'
import { type CalendarInput, createCalendar } from './service.js'

// England and Wales bank holidays 2025–2027 as gov.uk publishes them (www.gov.uk/bank-holidays): substitute days
// where the day falls on a weekend (Boxing Day 2026; Christmas and Boxing Day 2027). 2025 too: the demo's four months
// of history reach back into it when it is loaded before May 2026.
const englandAndWales: [string, string][] = [
  ['2025-01-01', "New Year's Day"],
  ['2025-04-18', 'Good Friday'],
  ['2025-04-21', 'Easter Monday'],
  ['2025-05-05', 'Early May bank holiday'],
  ['2025-05-26', 'Spring bank holiday'],
  ['2025-08-25', 'Summer bank holiday'],
  ['2025-12-25', 'Christmas Day'],
  ['2025-12-26', 'Boxing Day'],
  ['2026-01-01', "New Year's Day"],
  ['2026-04-03', 'Good Friday'],
  ['2026-04-06', 'Easter Monday'],
  ['2026-05-04', 'Early May bank holiday'],
  ['2026-05-25', 'Spring bank holiday'],
  ['2026-08-31', 'Summer bank holiday'],
  ['2026-12-25', 'Christmas Day'],
  ['2026-12-28', 'Boxing Day (substitute day)'],
  ['2027-01-01', "New Year's Day"],
  ['2027-03-26', 'Good Friday'],
  ['2027-03-29', 'Easter Monday'],
  ['2027-05-03', 'Early May bank holiday'],
  ['2027-05-31', 'Spring bank holiday'],
  ['2027-08-30', 'Summer bank holiday'],
  ['2027-12-27', 'Christmas Day (substitute day)'],
  ['2027-12-28', 'Boxing Day (substitute day)'],
]

export const ukBankHolidays: Holiday[] = englandAndWales.map(([date, name]) => ({ date, yearly: false, name }))

export const ukBusinessHours: CalendarInput = {
  name: 'UK business hours',
  timeZone: 'Europe/London',
  always: false,
  weekly: ([1, 2, 3, 4, 5] as Weekday[]).map((day) => ({ day, start: '09:00', end: '17:30' })),
  holidays: ukBankHolidays,
}

export const roundTheClock: CalendarInput = {
  name: '24/7',
  timeZone: 'Europe/London',
  always: true,
  weekly: [],
  holidays: [],
}

/** The demo workspace's calendars: UK business hours with bank holidays, and 24/7. */
export async function seedDemoCalendars(
  trx: Trx,
  ctx: ServiceContext,
  now: Date,
): Promise<{ businessHoursId: string; alwaysId: string }> {
  const businessHours = await createCalendar(trx, ctx, ukBusinessHours, now)
  const always = await createCalendar(trx, ctx, roundTheClock, now)
  return { businessHoursId: businessHours.id, alwaysId: always.id }
}
