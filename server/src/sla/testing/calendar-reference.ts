import type { BusinessCalendar } from '../calendar.js'

// An independent reference for the calendar arithmetic, for tests and the bench only: it steps minute by minute
// and reads each minute's wall clock from Intl.DateTimeFormat (no Luxon), cached per UTC day (or hour, on a day whose
// offset changes).

const formats = new Map<string, Intl.DateTimeFormat>()

function wallClock(zone: string, minute: number): number {
  let format = formats.get(zone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    })
    formats.set(zone, format)
  }
  const parts: Record<string, number> = {}
  for (const p of format.formatToParts(new Date(minute * 60_000))) if (p.type !== 'literal') parts[p.type] = +p.value
  return Date.UTC(parts.year!, parts.month! - 1, parts.day, parts.hour, parts.minute) / 60_000
}

/**
 * Per zone, per block of UTC minutes (a day, then an hour): the wall-clock minute of the block's first minute when the
 * block's last minute reads exactly as many minutes later (no offset change within it), else NaN (look closer).
 */
const blocks = new Map<string, Map<number, number>>()

function blockBase(zone: string, size: number, index: number): number {
  const key = size === 1440 ? index : -1 - index
  let zoneBlocks = blocks.get(zone)
  if (!zoneBlocks) blocks.set(zone, (zoneBlocks = new Map()))
  let base = zoneBlocks.get(key)
  if (base === undefined) {
    const first = wallClock(zone, index * size)
    base = wallClock(zone, index * size + size - 1) === first + size - 1 ? first : Number.NaN
    zoneBlocks.set(key, base)
  }
  return base
}

let last = { zone: '', day: Number.NaN, base: Number.NaN }

/** The wall-clock minute (local minutes since 1970-01-01) of a UTC minute in a zone. */
export function localMinute(zone: string, minute: number): number {
  const day = Math.floor(minute / 1440)
  if (last.zone !== zone || last.day !== day) last = { zone, day, base: blockBase(zone, 1440, day) }
  if (!Number.isNaN(last.base)) return last.base + (minute - day * 1440)
  const hour = Math.floor(minute / 60)
  const base = blockBase(zone, 60, hour)
  return Number.isNaN(base) ? wallClock(zone, minute) : base + (minute - hour * 60)
}

/** The zone's UTC offset in minutes at a UTC minute. */
export const offsetMinutes = (zone: string, minute: number) => localMinute(zone, minute) - minute

const hhmm = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5))

export type ReferenceCalendar = { zone: string; open: (minute: number) => boolean }

/** The calendar as a predicate on UTC minutes: open when the minute's wall clock is in open hours, not a holiday. */
export function referenceCalendar(cal: BusinessCalendar): ReferenceCalendar {
  const week = new Uint8Array(7 * 1440)
  if (cal.always) week.fill(1)
  else for (const h of cal.weekly) week.fill(1, (h.day - 1) * 1440 + hhmm(h.start), (h.day - 1) * 1440 + hhmm(h.end))
  const dates = new Set(cal.holidays.filter((h) => !h.yearly).map((h) => h.date))
  const yearly = new Set(cal.holidays.filter((h) => h.yearly).map((h) => h.date.slice(5)))
  let lastDay = Number.NaN
  let lastClosed = false
  const closed = (day: number) => {
    if (day !== lastDay) {
      const date = new Date(day * 86_400_000).toISOString().slice(0, 10)
      lastDay = day
      lastClosed = dates.has(date) || yearly.has(date.slice(5))
    }
    return lastClosed
  }
  return {
    zone: cal.timeZone,
    open(minute) {
      const local = localMinute(cal.timeZone, minute)
      const day = Math.floor(local / 1440)
      // 1970-01-01 was a Thursday: index 3 counting Monday as 0.
      const weekday = (((day + 3) % 7) + 7) % 7
      return week[weekday * 1440 + (local - day * 1440)] === 1 && !closed(day)
    },
  }
}

/**
 * Steps from `start`: the first open minute (`next`), and the end of the minute in which the `minutes`-th open minute
 * falls (`due`; start itself for 0).
 */
export function referenceWalk(
  ref: ReferenceCalendar,
  start: number,
  minutes: number,
  limit: number,
): { next: number; due: number } {
  let next = Number.NaN
  let counted = 0
  for (let m = start; m < start + limit; m++) {
    if (!ref.open(m)) continue
    if (counted === 0) next = m
    if (++counted >= minutes) return { next, due: minutes === 0 ? start : m + 1 }
  }
  throw new Error(`reference gave up after ${limit} minutes`)
}
