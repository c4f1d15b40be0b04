import type { Db } from '../../db/owned.js'
import { calendarTime, type TimeMeasure } from '../calendar.js'
import { getCalendar } from '../calendars/service.js'
import type { ClockRow } from '../store.js'
import type { StepDefinition } from '../types.js'

// A clock's time: business minutes spent before `checkpoint_at`, plus (while it counts) those since. Every point of
// the target (a step, the due time, a watch) is a number of minutes spent, so it moves with pauses and re-applies.

/** The clocks of one case's calendars, each read once per transaction. */
export function measures(db: Db, merchantId: string) {
  const seen = new Map<string, Promise<TimeMeasure>>()
  return (calendarId: string | null): Promise<TimeMeasure> => {
    if (!calendarId) return Promise.resolve(calendarTime(null))
    let m = seen.get(calendarId)
    if (!m) {
      m = getCalendar(db, merchantId, calendarId).then((cal) => calendarTime(cal))
      seen.set(calendarId, m)
    }
    return m
  }
}
export type Measures = ReturnType<typeof measures>

/** Counting: active, or breached and not yet met (its later steps still come). */
export const counts = (c: Pick<ClockRow, 'state'>) => c.state === 'active' || c.state === 'breached'
/** Not met yet: counting or paused. */
export const isOpen = (c: Pick<ClockRow, 'state'>) => c.state !== 'met'

export function spentAt(c: ClockRow, m: TimeMeasure, at: Date): number {
  if (!counts(c)) return c.spent_minutes
  return c.spent_minutes + Math.max(0, m.minutesBetween(c.checkpoint_at, at))
}

/** The instant the clock reaches `minutes` spent, counting from its checkpoint (in the past when already spent). */
export const pointAt = (c: Pick<ClockRow, 'checkpoint_at' | 'spent_minutes'>, m: TimeMeasure, minutes: number) =>
  m.addMinutes(c.checkpoint_at, minutes - c.spent_minutes)

/** Where a step falls, in minutes spent. */
export const stepMinutes = (target: number, s: Pick<StepDefinition, 'percent' | 'offset_minutes'>) =>
  s.percent !== undefined ? (target * s.percent) / 100 : target + (s.offset_minutes ?? 0)

export type ClockFigures = {
  elapsed_pct: number
  remaining_seconds: number
}

export function figures(c: ClockRow, m: TimeMeasure, now: Date): ClockFigures {
  const at = c.state === 'met' && c.met_at ? c.met_at : now
  const spent = c.state === 'met' ? c.spent_minutes : spentAt(c, m, at)
  return {
    elapsed_pct: Math.round((spent / c.minutes) * 1000) / 10,
    remaining_seconds: Math.round((c.minutes - spent) * 60),
  }
}
