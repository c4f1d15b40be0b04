// The one tracking-event model every provider's payload is normalised into.

// The exception statuses (below), in their place among all statuses.
const actionable = [
  'attempt_failed',
  'delayed',
  'customs_hold',
  'exception',
  'damaged',
  'lost',
  'returned_to_sender',
] as const

export const trackingStatuses = [
  'info_received',
  'in_transit',
  'out_for_delivery',
  'available_for_pickup',
  'delivered',
  ...actionable,
  'cancelled',
  'unknown',
] as const
export type TrackingStatus = (typeof trackingStatuses)[number]

/** Statuses after which a parcel's journey is over: no staleness or lateness is announced for them. */
export const finalStatuses: ReadonlySet<TrackingStatus> = new Set([
  'delivered',
  'returned_to_sender',
  'cancelled',
  'lost',
])

/** Statuses that call for someone to act (the cases module opens cases from them). */
export const exceptionStatuses: ReadonlySet<TrackingStatus> = new Set(actionable)

// Two events at the same instant (carriers often stamp a scan and its outcome alike): the one further
// along wins, so the outcome never depends on arrival order.
const rank: Record<TrackingStatus, number> = {
  unknown: 0,
  info_received: 1,
  in_transit: 2,
  delayed: 3,
  customs_hold: 4,
  attempt_failed: 5,
  out_for_delivery: 6,
  available_for_pickup: 7,
  exception: 8,
  damaged: 9,
  lost: 10,
  returned_to_sender: 11,
  cancelled: 12,
  delivered: 13,
}
export const statusRank = (s: TrackingStatus) => rank[s]

export type TrackingLocation = {
  city: string | null
  region: string | null
  postal_code: string | null
  country: string | null
  latitude: number | null
  longitude: number | null
}

export type ProofOfDelivery = { kind: 'signature' | 'photo' | 'document'; content_type: string; data_base64: string }

export type NormalizedEvent = {
  /** The provider's id for the event, when it has one. */
  id: string | null
  status: TrackingStatus
  sub_status: string | null
  provider_status: string | null
  provider_sub_status: string | null
  code: string | null
  message: string | null
  /** ISO 8601 with the offset the carrier gave (Z when it gave none). */
  occurred_at: string
  utc_offset_minutes: number | null
  location: TrackingLocation | null
  facility: string | null
  device: string | null
  driver: string | null
  signed_by: string | null
}

export type Confidence = 'high' | 'low'

export type NormalizedTracking = {
  /** Known carrier code, or null with the provider's name in carrier_name. */
  carrier: string | null
  carrier_name: string | null
  tracking_number: string
  /** The carrier's own parcel id, where it reuses tracking numbers. */
  carrier_ref: string | null
  provider_tracker_id: string | null
  status: TrackingStatus
  sub_status: string | null
  provider_status: string | null
  provider_sub_status: string | null
  confidence: Confidence
  /** Why a human should look before anything acts on this result. */
  review_reasons: string[]
  estimated_delivery_at: string | null
  signed_by: string | null
  events: NormalizedEvent[]
  proof_of_delivery: ProofOfDelivery[]
}

/** What a payload amounts to: tracking results, or nothing to record and why. */
export type Normalized = { kind: 'tracking'; shipments: NormalizedTracking[] } | { kind: 'ignored'; reason: string }

/** A payload the provider could never have meant: the 400's reason. */
export class MalformedPayload extends Error {}

/** The provider's status mapped, with what is known of it. */
export type StatusMapping = { status: TrackingStatus; sub_status: string | null }

const offsetPattern = /(Z|[+-]\d{2}:?\d{2})$/i

/**
 * An event time as ISO 8601, keeping the carrier's offset; a time without one is read as UTC
 * (offset null), since carriers that omit it mostly mean UTC and no better guess exists.
 */
export function parseEventTime(value: unknown): { iso: string; offset: number | null } | null {
  if (typeof value !== 'string' || !value.trim()) return null
  const text = value.trim()
  const match = offsetPattern.exec(text)
  const withZone = match ? text : `${text}Z`
  const ms = Date.parse(withZone)
  if (Number.isNaN(ms)) return null
  if (!match) return { iso: new Date(ms).toISOString(), offset: null }
  const zone = match[1]!.toUpperCase()
  const offset =
    zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)))
  return { iso: text.replace(offsetPattern, zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`), offset }
}

export const emptyToNull = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null)

export function location(fields: Partial<Record<keyof TrackingLocation, unknown>>): TrackingLocation | null {
  const text = (v: unknown) => emptyToNull(v)
  const num = (v: unknown) =>
    typeof v === 'number' && Number.isFinite(v)
      ? v
      : typeof v === 'string' && v.trim() && Number.isFinite(Number(v))
        ? Number(v)
        : null
  const loc = {
    city: text(fields.city),
    region: text(fields.region),
    postal_code: text(fields.postal_code),
    country: text(fields.country)?.toUpperCase() ?? null,
    latitude: num(fields.latitude),
    longitude: num(fields.longitude),
  }
  return Object.values(loc).some((v) => v !== null) ? loc : null
}

/**
 * The payload-level status against the newest event's: when they disagree on where the parcel is,
 * the result is low confidence and goes to a person instead of acting by itself.
 */
export function reconcile(
  t: Omit<NormalizedTracking, 'confidence' | 'review_reasons'>,
  extra: string[] = [],
): NormalizedTracking {
  const reasons = [...extra]
  const newest = latestEvent(t.events)
  if (newest && t.status !== 'unknown' && newest.status !== 'unknown' && newest.status !== t.status) {
    const terminal = (s: TrackingStatus) => finalStatuses.has(s)
    // A summary one step behind its events (a provider updates the summary last) is not a contradiction;
    // disagreeing about whether the journey is over is.
    if (terminal(newest.status) !== terminal(t.status) || (terminal(newest.status) && terminal(t.status))) {
      reasons.push(`the payload says ${t.status} but its newest event says ${newest.status}`)
    }
  }
  // What is recorded is the newest event's status (the payload's own summary stays in provider_status), so
  // normalising and recording always agree; a contradiction is flagged above, not resolved by guessing.
  const current =
    newest && newest.status !== 'unknown'
      ? { status: newest.status, sub_status: newest.sub_status }
      : { status: t.status, sub_status: t.sub_status }
  return { ...t, ...current, confidence: reasons.length ? 'low' : 'high', review_reasons: reasons }
}

export function latestEvent<E extends Pick<NormalizedEvent, 'occurred_at' | 'status'>>(
  events: readonly E[],
): E | undefined {
  let best: E | undefined
  for (const e of events) {
    if (!best) {
      best = e
      continue
    }
    const d = Date.parse(e.occurred_at) - Date.parse(best.occurred_at)
    if (d > 0 || (d === 0 && statusRank(e.status) > statusRank(best.status))) best = e
  }
  return best
}
