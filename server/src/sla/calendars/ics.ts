import ICAL from 'ical.js'
import { AppError } from '../../errors.js'
import type { Holiday } from '../calendar.js'

// Holidays from an iCalendar file (RFC 5545), as the holiday feeds of gov.uk, Google and Outlook publish them:
// each all-day VEVENT closes its days; FREQ=YEARLY (every year, same date) repeats yearly; other recurrences
// (e.g. "first Monday of May") are expanded to dated holidays for the coming years. Timed events are not holidays.

export type IcsHolidays = { holidays: Holiday[]; skipped: { summary: string; reason: string }[] }

const DAY = 86_400_000
/** An all-day event longer than this is a season, not a holiday. */
const MAX_EVENT_DAYS = 31
const MAX_OCCURRENCES = 200
const EXPAND_YEARS = 5

const civil = (t: ICAL.Time) => Date.UTC(t.year, t.month - 1, t.day)
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10)

function invalid(reason: string): AppError {
  return new AppError('ics_invalid', 'The iCalendar file does not parse', { reason })
}

/** Repeats on the same month and day every year, for ever: a yearly holiday. */
function isPlainYearly(rule: ICAL.Recur | null): boolean {
  if (rule?.freq !== 'YEARLY' || (rule.interval ?? 1) !== 1 || rule.count || rule.until) return false
  const parts = Object.keys(rule.parts ?? {})
  return parts.every((p) => p === 'BYMONTH' || p === 'BYMONTHDAY')
}

export function parseIcsHolidays(text: string, now: Date): IcsHolidays {
  if (text.includes('\u0000')) throw invalid('the file contains a NUL character')
  let root: ICAL.Component
  try {
    const parsed = ICAL.parse(text)
    // Several VCALENDARs in one file parse as a list: take them all.
    const jcal = (Array.isArray(parsed[0]) ? parsed : [parsed]) as unknown[][]
    root = new ICAL.Component(['holidays', [], jcal])
  } catch (err) {
    throw invalid(err instanceof Error ? err.message : String(err))
  }
  const calendars = root.getAllSubcomponents()
  if (calendars.length === 0 || calendars.some((c) => c.name !== 'vcalendar')) throw invalid('expected BEGIN:VCALENDAR')
  const out: IcsHolidays = { holidays: [], skipped: [] }
  const seen = new Set<string>()
  const add = (date: string, yearly: boolean, name: string) => {
    const key = `${yearly ? date.slice(5) : date}|${yearly}`
    if (seen.has(key)) return
    seen.add(key)
    out.holidays.push({ date, yearly, name })
  }
  try {
    for (const vevent of calendars.flatMap((c) => c.getAllSubcomponents('vevent'))) {
      const event = new ICAL.Event(vevent)
      const summary = (event.summary || 'Holiday').trim().slice(0, 100) || 'Holiday'
      const start = event.startDate
      if (!start) {
        out.skipped.push({ summary, reason: 'no DTSTART' })
        continue
      }
      if (!start.isDate) {
        out.skipped.push({ summary, reason: 'a timed event, not an all-day one' })
        continue
      }
      const end = event.endDate
      const days = end?.isDate ? Math.max(1, Math.round((civil(end) - civil(start)) / DAY)) : 1
      if (days > MAX_EVENT_DAYS) {
        out.skipped.push({ summary, reason: `longer than ${MAX_EVENT_DAYS} days` })
        continue
      }
      const rule = vevent.getFirstPropertyValue('rrule') as ICAL.Recur | null
      const yearly = event.isRecurring() && isPlainYearly(rule) && !vevent.hasProperty('rdate')
      const starts: number[] = []
      if (!event.isRecurring() || yearly) starts.push(civil(start))
      else {
        const lastYear = now.getUTCFullYear() + EXPAND_YEARS
        const it = event.iterator()
        for (let next = it.next(), n = 0; next && next.year <= lastYear && n < MAX_OCCURRENCES; next = it.next(), n++)
          if (next.year >= now.getUTCFullYear() - 1) starts.push(civil(next))
      }
      for (const first of starts) for (let d = 0; d < days; d++) add(isoDate(first + d * DAY), yearly, summary)
    }
  } catch (err) {
    throw invalid(err instanceof Error ? err.message : String(err))
  }
  return out
}
