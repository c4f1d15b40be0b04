import { IANAZone } from 'luxon'

// Business-hours calendars and the deadline arithmetic on them (pure: no database, no clock).
//
// What an open stretch means: an instant is business time when its wall-clock reading in the calendar's zone (the
// local date and HH:mm) falls within one of that weekday's open hours, and that local date is not a holiday. Hours are
// wall-clock hours, so on a day whose DST change falls within its open hours '09:00–17:30' holds one hour more or
// less of business time: a spring-forward gap (e.g. 02:00–03:00 skipped) is never open, and a fall-back overlap
// (01:00–02:00 read twice) is open both times it is read. Luxon gives the zone's UTC offsets; a day's open hours
// become instants stretch by stretch of constant offset, so gaps and overlaps fall out of the offsets themselves.
//
// The arithmetic steps a whole local day at a time (each day's open instants computed once and cached per
// calendar), never minute by minute.

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7
/** Open hours on one weekday, 'HH:mm' wall-clock in the calendar's zone; `end` may be '24:00'. */
export type WeeklyHours = { day: Weekday; start: string; end: string }
/** A closed day: `date` 'YYYY-MM-DD'; `yearly` repeats it on the same month and day every year. */
export type Holiday = { date: string; yearly: boolean; name: string }

/**
 * Business hours in an IANA zone. Several entries on one day are split shifts. `always` is 24/7 (holidays still
 * close it).
 */
export type BusinessCalendar = { timeZone: string; always: boolean; weekly: WeeklyHours[]; holidays: Holiday[] }

/** A calendar with no open time (or none for years on end) has no deadlines. */
export class CalendarClosedError extends Error {
  constructor(readonly timeZone: string) {
    super('The calendar has no open time')
    this.name = 'CalendarClosedError'
  }
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
// Local dates stay within these bounds of UTC (offsets run from −12:00 to +14:00).
const BEFORE_LOCAL = 15 * HOUR
const AFTER_LOCAL = 13 * HOUR
/** The longest duration added, ten years of minutes: the arithmetic steps day by day, and no target is longer. */
const MAX_MINUTES = 10 * 366 * 24 * 60
/** Consecutive closed days after which a calendar counts as closed: longer than any real run of holidays. */
const MAX_CLOSED_DAYS = 2 * 366

/** 'HH:mm' (00:00 to 24:00) as minutes of the day, or null when it is not one. */
export function parseClock(hhmm: string): number | null {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(hhmm)
  if (!m) return null
  const minutes = Number(m[1]) * 60 + Number(m[2])
  return minutes <= 24 * 60 ? minutes : null
}

const zoneValidity = new Map<string, boolean>()

/** A real IANA zone (Luxon builds an Intl formatter to tell: remembered per name). */
export function isTimeZone(zone: string): boolean {
  let valid = zoneValidity.get(zone)
  if (valid === undefined) {
    valid = zone.length > 0 && zone.length <= 64 && IANAZone.isValidZone(zone)
    if (zoneValidity.size >= 1000) zoneValidity.clear()
    zoneValidity.set(zone, valid)
  }
  return valid
}

type Span = [from: number, to: number]

type Compiled = {
  zone: IANAZone
  /** Index 0 = Monday: the day's open minutes as sorted [start, end) pairs. */
  week: Span[][]
  dates: Set<string>
  yearly: Set<string>
  /** Local day number (days since 1970-01-01 on the wall clock) → that day's open instants, sorted. */
  days: Map<number, Span[]>
}

const byValue = new Map<string, Compiled>()

function compile(cal: BusinessCalendar): Compiled {
  // Keyed by value, not by object: calendars loaded afresh for each case share their cached days, and a calendar
  // changed in place is never read from a stale entry. The key holds what the arithmetic reads (not names).
  let key = `${cal.timeZone}|${cal.always}|`
  for (const h of cal.weekly) key += `${h.day}${h.start}-${h.end},`
  key += '|'
  for (const h of cal.holidays) key += `${h.yearly ? 'y' : ''}${h.date},`
  let compiled = byValue.get(key)
  if (!compiled) {
    if (!isTimeZone(cal.timeZone)) throw new RangeError(`Unknown time zone ${cal.timeZone}`)
    const week: Span[][] = [[], [], [], [], [], [], []]
    for (const h of cal.always ? [] : cal.weekly) {
      const start = parseClock(h.start)
      const end = parseClock(h.end)
      if (start === null || end === null) throw new RangeError(`Bad hours ${h.start}–${h.end}`)
      if (end > start) week[h.day - 1]!.push([start, end])
    }
    if (cal.always) for (const day of week) day.push([0, 24 * 60])
    compiled = {
      zone: IANAZone.create(cal.timeZone),
      week: week.map(mergeSpans),
      dates: new Set(cal.holidays.filter((h) => !h.yearly).map((h) => h.date)),
      yearly: new Set(cal.holidays.filter((h) => h.yearly).map((h) => h.date.slice(5))),
      days: new Map(),
    }
    if (byValue.size >= 128) byValue.clear()
    byValue.set(key, compiled)
  }
  return compiled
}

function mergeSpans(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a[0] - b[0])
  const merged: Span[] = []
  for (const s of sorted) {
    const last = merged.at(-1)
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1])
    else merged.push([s[0], s[1]])
  }
  return merged
}

type Stretch = { from: number; to: number; offset: number }

/** Per zone, per UTC day: its stretches of constant offset (asking the zone costs microseconds; a lookup does not). */
const zoneDays = new Map<string, Map<number, Stretch[]>>()

/** The stretches of constant offset of the UTC day `day`. */
function utcDayStretches(c: Compiled, day: number): Stretch[] {
  let days = zoneDays.get(c.zone.name)
  if (!days) zoneDays.set(c.zone.name, (days = new Map()))
  let stretches = days.get(day)
  if (!stretches) {
    if (days.size >= 20_000) days.clear()
    stretches = offsetStretches(c, day * DAY, (day + 1) * DAY)
    days.set(day, stretches)
  }
  return stretches
}

function offsetMs(c: Compiled, t: number): number {
  const stretches = utcDayStretches(c, Math.floor(t / DAY))
  for (const s of stretches) if (t < s.to) return s.offset
  return stretches.at(-1)!.offset
}

/** Stretches of constant offset covering [from, to), pieced together from the cached UTC days. */
function stretchesIn(c: Compiled, from: number, to: number): Stretch[] {
  const out: Stretch[] = []
  for (let day = Math.floor(from / DAY); day * DAY < to; day++) {
    for (const s of utcDayStretches(c, day)) {
      const piece = { from: Math.max(s.from, from), to: Math.min(s.to, to), offset: s.offset }
      if (piece.to <= piece.from) continue
      const prev = out.at(-1)
      if (prev && prev.offset === piece.offset && prev.to === piece.from) prev.to = piece.to
      else out.push(piece)
    }
  }
  return out
}

const zoneOffsetMs = (c: Compiled, t: number) => c.zone.offset(t) * MINUTE

/** The local day number of an instant. */
function localDay(c: Compiled, t: number): number {
  if (!Number.isFinite(t)) throw new RangeError('Invalid date')
  return Math.floor((t + offsetMs(c, t)) / DAY)
}

/** Stretches of constant offset covering [from, to) (a zone changes its offset at most once in a day). */
function offsetStretches(c: Compiled, from: number, to: number): Stretch[] {
  const first = zoneOffsetMs(c, from)
  const last = zoneOffsetMs(c, to - MINUTE)
  if (first === last) return [{ from, to, offset: first }]
  // Offsets change on a whole minute: find the first minute with the new one.
  let lo = Math.floor(from / MINUTE)
  let hi = Math.floor((to - MINUTE) / MINUTE)
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2)
    if (zoneOffsetMs(c, mid * MINUTE) === first) lo = mid
    else hi = mid
  }
  const change = hi * MINUTE
  return [
    { from, to: change, offset: first },
    { from: change, to, offset: last },
  ]
}

function isHoliday(c: Compiled, day: number): boolean {
  if (c.dates.size === 0 && c.yearly.size === 0) return false
  const date = new Date(day * DAY).toISOString().slice(0, 10)
  return c.dates.has(date) || c.yearly.has(date.slice(5))
}

/** The open instants of one local day, sorted and merged. */
function openInstants(c: Compiled, day: number): Span[] {
  const cached = c.days.get(day)
  if (cached) return cached
  // Day 0 (1970-01-01) was a Thursday, ISO weekday 4.
  const hours = isHoliday(c, day) ? [] : c.week[(((day + 3) % 7) + 7) % 7]!
  const spans: Span[] = []
  if (hours.length > 0) {
    const midnight = day * DAY
    for (const stretch of stretchesIn(c, midnight - BEFORE_LOCAL, midnight + DAY + AFTER_LOCAL)) {
      for (const [start, end] of hours) {
        // Instants of this stretch whose wall clock reads within [start, end) of this day.
        const from = Math.max(midnight + start * MINUTE - stretch.offset, stretch.from)
        const to = Math.min(midnight + end * MINUTE - stretch.offset, stretch.to)
        if (to > from) spans.push([from, to])
      }
    }
  }
  const merged = mergeSpans(spans)
  if (c.days.size >= 4096) c.days.clear()
  c.days.set(day, merged)
  return merged
}

/** The local days from the one holding `t` on, each with its open instants; throws when none opens for years. */
function* daysFrom(c: Compiled, t: number, step: 1 | -1): Generator<Span[]> {
  let closed = 0
  for (let day = localDay(c, t) - step; ; day += step) {
    const spans = openInstants(c, day)
    closed = spans.length > 0 ? 0 : closed + 1
    if (closed > MAX_CLOSED_DAYS) throw new CalendarClosedError(c.zone.name)
    yield spans
  }
}

/** The instant at which `minutes` business minutes have passed since `start` (before it, when negative). */
export function addBusinessMinutes(cal: BusinessCalendar, start: Date, minutes: number): Date {
  if (!Number.isFinite(minutes) || Math.abs(minutes) > MAX_MINUTES)
    throw new RangeError(`minutes must be finite and at most ${MAX_MINUTES} (ten years) either way`)
  const t = start.getTime()
  if (minutes === 0) return new Date(t)
  const c = compile(cal)
  let remaining = Math.abs(minutes) * MINUTE
  if (minutes > 0) {
    for (const spans of daysFrom(c, t, 1)) {
      for (const [from, to] of spans) {
        if (to <= t) continue
        const begin = Math.max(from, t)
        if (to - begin >= remaining) return new Date(begin + remaining)
        remaining -= to - begin
      }
    }
  } else {
    for (const spans of daysFrom(c, t, -1)) {
      for (let i = spans.length - 1; i >= 0; i--) {
        const [from, to] = spans[i]!
        if (from >= t) continue
        const end = Math.min(to, t)
        if (end - from >= remaining) return new Date(end - remaining)
        remaining -= end - from
      }
    }
  }
  throw new CalendarClosedError(cal.timeZone)
}

/** Business minutes in [from, to); negative when `to` is before `from`. */
export function businessMinutesBetween(cal: BusinessCalendar, from: Date, to: Date): number {
  const a = from.getTime()
  const b = to.getTime()
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new RangeError('Invalid date')
  if (b < a) return -businessMinutesBetween(cal, to, from)
  const c = compile(cal)
  let total = 0
  for (let day = localDay(c, a) - 1; day * DAY - BEFORE_LOCAL < b; day++) {
    for (const [start, end] of openInstants(c, day)) {
      const overlap = Math.min(end, b) - Math.max(start, a)
      if (overlap > 0) total += overlap
    }
  }
  return total / MINUTE
}

export function isBusinessTime(cal: BusinessCalendar, at: Date): boolean {
  const c = compile(cal)
  const t = at.getTime()
  return openInstants(c, localDay(c, t)).some(([from, to]) => from <= t && t < to)
}

/** `at` itself when it is business time, otherwise the start of the next open stretch. */
export function nextBusinessTime(cal: BusinessCalendar, at: Date): Date {
  const c = compile(cal)
  const t = at.getTime()
  for (const spans of daysFrom(c, t, 1)) {
    for (const [from, to] of spans) if (to > t) return new Date(Math.max(from, t))
  }
  throw new CalendarClosedError(cal.timeZone)
}

/** Time as a target counts it: business time on a calendar, or (null) calendar time, every minute counting. */
export type TimeMeasure = {
  business: boolean
  addMinutes(start: Date, minutes: number): Date
  minutesBetween(from: Date, to: Date): number
  isOpen(at: Date): boolean
  nextOpen(at: Date): Date
}

const elapsedTime: TimeMeasure = {
  business: false,
  addMinutes: (start, minutes) => new Date(start.getTime() + minutes * MINUTE),
  minutesBetween: (from, to) => (to.getTime() - from.getTime()) / MINUTE,
  isOpen: () => true,
  nextOpen: (at) => new Date(at.getTime()),
}

export function calendarTime(cal: BusinessCalendar | null): TimeMeasure {
  if (!cal) return elapsedTime
  return {
    business: true,
    addMinutes: (start, minutes) => addBusinessMinutes(cal, start, minutes),
    minutesBetween: (from, to) => businessMinutesBetween(cal, from, to),
    isOpen: (at) => isBusinessTime(cal, at),
    nextOpen: (at) => nextBusinessTime(cal, at),
  }
}
