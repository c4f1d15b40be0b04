import { type BusinessCalendar, CalendarClosedError, isTimeZone, nextBusinessTime, parseClock } from '../calendar.js'

/** A problem at its path in the calendar (`weekly/0/start`), as schema failures name them below `body/`. */
export type CalendarProblem = { path: string; message: string }

const isRealDate = (date: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(date) && new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) === date

/**
 * Every problem of a calendar at once: a real IANA zone; hours 'HH:mm' with the end after the start; no two shifts
 * of one day overlapping; real dates; and some open time unless 24/7, holidays included (`now` is where to look).
 */
export function calendarProblems(cal: BusinessCalendar, now: Date): CalendarProblem[] {
  const problems: CalendarProblem[] = []
  if (!isTimeZone(cal.timeZone)) problems.push({ path: 'time_zone', message: 'not an IANA time zone' })
  const byDay = new Map<number, { start: number; end: number; i: number }[]>()
  for (const [i, h] of cal.weekly.entries()) {
    const start = parseClock(h.start)
    const end = parseClock(h.end)
    const badStart = start === null || start === 24 * 60
    if (badStart) problems.push({ path: `weekly/${i}/start`, message: 'not a time 00:00–23:59' })
    if (end === null) problems.push({ path: `weekly/${i}/end`, message: 'not a time 00:01–24:00' })
    if (badStart || start === null || end === null) continue
    if (end <= start) problems.push({ path: `weekly/${i}`, message: 'the end must be after the start' })
    else byDay.set(h.day, [...(byDay.get(h.day) ?? []), { start, end, i }])
  }
  for (const shifts of byDay.values()) {
    const sorted = shifts.sort((a, b) => a.start - b.start)
    for (let k = 1; k < sorted.length; k++)
      if (sorted[k]!.start < sorted[k - 1]!.end)
        problems.push({
          path: `weekly/${sorted[k]!.i}`,
          message: `overlaps weekly/${sorted[k - 1]!.i} on the same day`,
        })
  }
  for (const [i, h] of cal.holidays.entries()) {
    if (!isRealDate(h.date)) problems.push({ path: `holidays/${i}/date`, message: 'not a date YYYY-MM-DD' })
  }
  if (!cal.always && byDay.size === 0)
    problems.push({ path: 'weekly', message: 'no open hours: give some, or make the calendar 24/7 (always)' })
  if (problems.length === 0) {
    try {
      nextBusinessTime(cal, now)
    } catch (err) {
      if (!(err instanceof CalendarClosedError)) throw err
      problems.push({ path: 'holidays', message: 'the holidays close every open day' })
    }
  }
  return problems
}
