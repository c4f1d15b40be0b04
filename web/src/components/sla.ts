// SLA clocks as agents read them: a countdown to the due time, how long ago it was breached, how long it has been
// paused. Pure, so the unit test pins the words; the live components are in SlaTimers.tsx.

export type SlaState = 'active' | 'paused' | 'met' | 'breached'

/** What the console shows of one target's clock (GET /cases/:id/sla's targets[]). */
export type Clock = {
  target: string
  state: SlaState
  due_at: string
  remaining_seconds: number
  paused_seconds: number
  business_time: boolean
  paused_at: string | null
  met_at: string | null
  breached_at: string | null
}

const targetWords: Record<string, string> = {
  first_response: 'First response',
  next_response: 'Next response',
  resolution: 'Resolution',
}
/** "first_response" → "First response"; a custom milestone's key in words. */
export const targetLabel = (target: string) =>
  targetWords[target] ?? target.charAt(0).toUpperCase() + target.slice(1).replaceAll('_', ' ')

// Filled badges, each shade dark enough for white text at WCAG AA.
export const slaColor: Record<SlaState, string> = {
  active: 'indigo',
  paused: 'gray.7',
  met: 'teal.9',
  breached: 'red.9',
}

const pad = (n: number) => String(n).padStart(2, '0')

/** A countdown: "04:12:09" under a day, "2 d 04:12:09" beyond; seconds, so it visibly runs. */
export function countdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  const d = Math.floor(s / 86_400)
  const clock = `${pad(Math.floor((s % 86_400) / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`
  return d ? `${d} d ${clock}` : clock
}

/** A span in words for what is over: "45 s", "12 min", "3 h 20 min", "2 d 4 h". */
export function span(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`
  const d = Math.floor(h / 24)
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`
}

/** Seconds until `iso` (negative once past), at `now` (ms). */
export const secondsTo = (iso: string, now: number) => (Date.parse(iso) - now) / 1000

/**
 * One clock's line at `now`: running down to its due time (wall clock, even in business time: that is when it is
 * due), paused with its time left frozen and how long it has been paused, breached and how long ago, or met.
 */
export function clockText(c: Clock, now: number): string {
  switch (c.state) {
    case 'active': {
      const left = secondsTo(c.due_at, now)
      return left > 0 ? `due in ${countdown(left)}` : `overdue by ${span(-left)}`
    }
    case 'paused': {
      const since = c.paused_at ? Math.max(0, -secondsTo(c.paused_at, now)) : 0
      const left =
        c.remaining_seconds > 0 ? `${span(c.remaining_seconds)} left` : `overdue by ${span(-c.remaining_seconds)}`
      return `paused ${span(c.paused_seconds + since)}, ${left}`
    }
    case 'breached':
      return `breached ${span(-secondsTo(c.breached_at ?? c.due_at, now))} ago`
    case 'met':
      return c.breached_at ? 'met late' : 'met'
  }
}

/** An inbox row's SLA: the case's soonest running target (`sla_next_due_at`) and its state. */
export function rowText(state: SlaState | null, dueAt: string | null, now: number): string | null {
  if (!state) return null
  if (state === 'met') return 'SLA met'
  if (state === 'paused') return 'Paused'
  if (!dueAt) return state === 'breached' ? 'Breached' : null
  const left = secondsTo(dueAt, now)
  if (left > 0) return state === 'breached' ? `Breached · next ${countdown(left)}` : countdown(left)
  return `Overdue ${span(-left)}`
}

/** The inbox's "Breaching soon" windows: running targets due within this many hours. */
export const soonWindows = [1, 4, 24] as const
