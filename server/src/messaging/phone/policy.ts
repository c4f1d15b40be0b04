import { DateTime } from 'luxon'

// When a phone message may go: quiet hours in the customer's zone, and WhatsApp's 24-hour customer-service window.
// Pure: the callers read the settings, the zone and the last inbound message, and pass `now`.

export type QuietHours = { enabled: boolean; start: string; end: string }

/** '21:00' or '21:00:00' → minutes past midnight. */
const minutes = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number)
  return h! * 60 + m!
}

/**
 * The end of the quiet hours `now` falls in, in `zone` (an instant), or null when `now` is outside them (or they
 * are off, or start equals end). Quiet hours may span midnight (21:00–08:00) or not (13:00–14:00).
 */
export function quietHoursEnd(quiet: QuietHours, zone: string, now: Date): Date | null {
  if (!quiet.enabled) return null
  const start = minutes(quiet.start)
  const end = minutes(quiet.end)
  if (start === end) return null
  const local = DateTime.fromJSDate(now, { zone })
  if (!local.isValid) return null
  const t = local.hour * 60 + local.minute + local.second / 60
  const inside = start < end ? t >= start && t < end : t >= start || t < end
  if (!inside) return null
  // The end today, or tomorrow when it is already past (evening side of a span over midnight).
  let at = local.startOf('day').plus({ minutes: end })
  if (at <= local) at = local.startOf('day').plus({ days: 1, minutes: end })
  return at.toJSDate()
}

export const whatsappWindowMs = 24 * 3600 * 1000

/** Until when free text may go to a WhatsApp number that last wrote at `lastInbound` (null: it never did). */
export const windowOpenUntil = (lastInbound: Date | null): Date | null =>
  lastInbound ? new Date(lastInbound.getTime() + whatsappWindowMs) : null

export const windowOpen = (lastInbound: Date | null, now: Date) => {
  const until = windowOpenUntil(lastInbound)
  return until !== null && until > now
}
