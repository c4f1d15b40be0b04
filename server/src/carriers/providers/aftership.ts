import { resolveCarrier } from '../../shipments/carriers.js'
import {
  emptyToNull,
  location,
  MalformedPayload,
  parseEventTime,
  reconcile,
  type NormalizedEvent,
  type StatusMapping,
  type TrackingStatus,
} from '../model.js'
import { eventIdOrHash, hmacSha256, matchesAny, obj, readEvents, refuse, statusRows, subStatusRows } from './shared.js'
import type { CarrierProvider } from './types.js'

// AfterShip tracking webhooks: { event, event_id, is_tracking_first_tag, msg: Tracking, ts } as the
// webhook specification describes it; signed with aftership-hmac-sha256 = base64 HMAC-SHA256 of the
// raw body keyed with the webhook secret (no timestamp in the scheme). Tags and subtags:
// fixtures/STATUS-LISTS.md; the mapping is documented in docs/carriers/aftership.md.

const tags: Record<string, TrackingStatus> = {
  Pending: 'unknown',
  InfoReceived: 'info_received',
  InTransit: 'in_transit',
  OutForDelivery: 'out_for_delivery',
  AttemptFail: 'attempt_failed',
  Delivered: 'delivered',
  AvailableForPickup: 'available_for_pickup',
  Exception: 'exception',
  Expired: 'unknown',
}

// Subtags that name a more precise canonical status than their tag.
const subtags: Record<string, TrackingStatus> = {
  InTransit_006: 'customs_hold', // customs clearance started
  InTransit_005: 'in_transit', // customs clearance completed: the journey resumes
  Exception_003: 'returned_to_sender', // customer refused delivery
  Exception_004: 'customs_hold', // delayed (customs clearance)
  Exception_005: 'delayed', // delayed (external factors)
  Exception_010: 'returned_to_sender', // returning to sender
  Exception_011: 'returned_to_sender', // returned to sender
  Exception_012: 'damaged',
  Exception_013: 'lost',
  Exception_018: 'customs_hold', // held for regulatory documents
}
const customsSubStatus: Record<string, string> = {
  InTransit_006: 'customs_clearance_started',
  InTransit_005: 'customs_released',
  Exception_004: 'customs_delay',
  Exception_018: 'regulatory_documents',
}

export function mapAfterShip(tag: string | null, subtag: string | null): StatusMapping {
  const status = (subtag && subtags[subtag]) || tags[tag ?? ''] || 'unknown'
  const sub = subtag ? (customsSubStatus[subtag] ?? subtag) : tag === 'Expired' ? 'expired' : null
  return { status, sub_status: sub }
}

function toEvent(c: Record<string, unknown>, index: number): NormalizedEvent {
  const at = parseEventTime(c.checkpoint_time)
  if (!at) throw new MalformedPayload(`checkpoints[${index}].checkpoint_time is not a time`)
  const tag = emptyToNull(c.tag)
  const subtag = emptyToNull(c.subtag)
  const mapped = mapAfterShip(tag, subtag)
  const coords = Array.isArray(c.coordinates) && c.coordinates.length === 2 ? c.coordinates : [null, null]
  return {
    id: null,
    status: mapped.status,
    sub_status: mapped.sub_status,
    provider_status: tag,
    provider_sub_status: subtag,
    code: emptyToNull(c.raw_tag),
    message: emptyToNull(c.message) ?? emptyToNull(c.subtag_message),
    occurred_at: at.iso,
    utc_offset_minutes: at.offset,
    location: location({
      city: c.city ?? c.location,
      region: c.state,
      postal_code: c.zip,
      country: c.country_iso3 ?? c.country_region,
      latitude: coords[0],
      longitude: coords[1],
    }),
    facility: null,
    device: null,
    driver: null,
    signed_by: null,
  }
}

function estimated(t: Record<string, unknown>): string | null {
  // AfterShip's own estimate, else the carrier's expected date.
  const aed = obj(t.aftership_estimated_delivery_date) ?? obj(t.latest_estimated_delivery)
  const at = parseEventTime(aed?.datetime ?? aed?.estimated_delivery_date ?? t.expected_delivery)
  return at ? new Date(at.iso).toISOString() : null
}

function normalizeTracking(t: Record<string, unknown>) {
  const number = emptyToNull(t.tracking_number)
  if (!number) throw new MalformedPayload('the tracking has no tracking_number')
  const events = readEvents(t.checkpoints, 'checkpoints', toEvent)
  const tag = emptyToNull(t.tag)
  const subtag = emptyToNull(t.subtag)
  const mapped = mapAfterShip(tag, subtag)
  const carrier = resolveCarrier(emptyToNull(t.slug))
  return reconcile({
    carrier: carrier.code,
    carrier_name: carrier.name,
    tracking_number: number,
    carrier_ref: null,
    provider_tracker_id: emptyToNull(t.id),
    status: mapped.status,
    sub_status: mapped.sub_status,
    provider_status: tag,
    provider_sub_status: subtag,
    estimated_delivery_at: estimated(t),
    signed_by: emptyToNull(t.signed_by),
    events,
    proof_of_delivery: [],
  })
}

export const aftership: CarrierProvider = {
  provider: 'aftership',
  label: 'AfterShip',
  verify({ headers, rawBody, secrets }) {
    const header = headers['aftership-hmac-sha256']
    if (!header) throw refuse('missing_header', 'The aftership-hmac-sha256 header is missing')
    if (!matchesAny(header.trim(), (secret) => hmacSha256(secret, rawBody).digest('base64'), secrets))
      throw refuse('mismatch', 'The webhook signature does not match')
  },
  dedupKey: ({ rawBody }) => eventIdOrHash(rawBody, 'event_id'),
  normalize(payload) {
    const body = obj(payload)
    if (!body) throw new MalformedPayload('the body is not a JSON object')
    // A bare Tracking (a tracking-API response) or a webhook carrying one in msg.
    if (body.tracking_number !== undefined && body.event === undefined)
      return { kind: 'tracking', shipments: [normalizeTracking(body)] }
    const event = emptyToNull(body.event)
    if (!event) throw new MalformedPayload('the webhook has no event')
    if (event !== 'tracking_update') return { kind: 'ignored', reason: `${event} events carry no tracking` }
    const msg = obj(body.msg)
    if (!msg) throw new MalformedPayload('the tracking_update has no msg object')
    return { kind: 'tracking', shipments: [normalizeTracking(msg)] }
  },
  statusTable: [
    ...statusRows(tags, (tag) => (tag === 'Expired' ? 'sub-status expired' : undefined)),
    ...subStatusRows(
      subtags,
      (sub) => sub.split('_')[0]!,
      (sub) => (customsSubStatus[sub] ? `sub-status ${customsSubStatus[sub]}` : undefined),
    ),
  ],
}
