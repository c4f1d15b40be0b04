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
import type { CarrierProvider, StatusTableRow } from './types.js'

// EasyPost tracker webhooks (Event objects whose result is a Tracker). Signing as EasyPost's SDKs verify
// it (fixtures/signatures.json): X-Hmac-Signature = "hmac-sha256-hex=" + hex HMAC-SHA256 of the raw body,
// keyed with the NFKD-normalised secret. EasyPost's scheme has no timestamp, so there is no tolerance.
// Status lists: fixtures/STATUS-LISTS.md; the mapping is documented in docs/carriers/easypost.md.

const statuses: Record<string, TrackingStatus> = {
  unknown: 'unknown',
  pre_transit: 'info_received',
  in_transit: 'in_transit',
  out_for_delivery: 'out_for_delivery',
  delivered: 'delivered',
  available_for_pickup: 'available_for_pickup',
  return_to_sender: 'returned_to_sender',
  failure: 'exception',
  cancelled: 'cancelled',
  error: 'unknown',
}

// A status_detail that says more than the status: it decides (the detail "damaged" under "failure" is damage).
const details: Record<string, TrackingStatus> = {
  damaged: 'damaged',
  lost: 'lost',
  delayed: 'delayed',
  weather_delay: 'delayed',
  arrived_at_pickup_location: 'available_for_pickup',
  return: 'returned_to_sender',
  cancelled: 'cancelled',
  delivery_exception: 'attempt_failed',
  refused: 'returned_to_sender',
  address_correction: 'delayed',
  missorted: 'delayed',
  held: 'delayed',
  transit_exception: 'exception',
  awaiting_information: 'delayed',
}
// Details that only describe progress under whatever the status is.
const progressDetails = [
  'arrived_at_destination',
  'arrived_at_facility',
  'departed_facility',
  'departed_origin_facility',
  'in_transit',
  'label_created',
  'out_for_delivery',
  'received_at_destination_facility',
  'received_at_origin_facility',
  'status_update',
  'transferred_to_destination_carrier',
  'unknown',
  'expired',
  'failure',
]

// EasyPost has no customs status: carriers say it in the message ("Held in customs", "Released by customs").
const customsHeld = /customs/i
const customsReleased = /(released|cleared|clearance (is )?complete)/i

export function mapEasyPost(status: string | null, detail: string | null, message: string | null): StatusMapping {
  if (message && customsHeld.test(message) && status !== 'delivered') {
    if (customsReleased.test(message)) return { status: 'in_transit', sub_status: 'customs_released' }
    if (
      detail === 'held' ||
      detail === 'delayed' ||
      status === 'failure' ||
      /(held|hold|detained|awaiting|delay)/i.test(message)
    )
      return { status: 'customs_hold', sub_status: detail ?? 'held' }
  }
  const base = statuses[status ?? ''] ?? 'unknown'
  const refined = detail ? details[detail] : undefined
  // A progress detail never overrides; an exception detail under a finished status does not reopen it.
  if (refined && !(base === 'delivered' && refined !== 'damaged')) return { status: refined, sub_status: detail }
  return {
    status: base,
    sub_status: detail && detail !== status ? detail : status === 'error' ? 'tracking_error' : null,
  }
}

function toEvent(d: Record<string, unknown>, index: number): NormalizedEvent {
  const at = parseEventTime(d.datetime)
  if (!at) throw new MalformedPayload(`tracking_details[${index}].datetime is not a time`)
  const status = emptyToNull(d.status)
  const detail = emptyToNull(d.status_detail)
  const message = emptyToNull(d.message) ?? emptyToNull(d.description)
  const mapped = mapEasyPost(status, detail, message)
  const loc = obj(d.tracking_location) ?? {}
  return {
    id: null,
    status: mapped.status,
    sub_status: mapped.sub_status,
    provider_status: status,
    provider_sub_status: detail,
    code: emptyToNull(d.carrier_code),
    message,
    occurred_at: at.iso,
    utc_offset_minutes: at.offset,
    location: location({ city: loc.city, region: loc.state, postal_code: loc.zip, country: loc.country }),
    facility: null,
    device: null,
    driver: null,
    signed_by: null,
  }
}

function normalizeTracker(t: Record<string, unknown>) {
  const trackingCode = emptyToNull(t.tracking_code)
  if (!trackingCode) throw new MalformedPayload('the Tracker has no tracking_code')
  const events = readEvents(t.tracking_details, 'tracking_details', toEvent)
  const status = emptyToNull(t.status)
  const detail = emptyToNull(t.status_detail)
  const mapped = mapEasyPost(status, detail, null)
  const carrier = resolveCarrier(emptyToNull(t.carrier))
  const est = parseEventTime(t.est_delivery_date)
  const reasons: string[] = []
  if (status === 'delivered' && !events.some((e) => e.status === 'delivered') && events.length)
    reasons.push('the tracker says delivered but no scan shows the delivery')
  return reconcile(
    {
      carrier: carrier.code,
      carrier_name: carrier.name,
      tracking_number: trackingCode,
      carrier_ref: null,
      provider_tracker_id: emptyToNull(t.id),
      status: mapped.status,
      sub_status: mapped.sub_status,
      provider_status: status,
      provider_sub_status: detail,
      estimated_delivery_at: est ? new Date(est.iso).toISOString() : null,
      signed_by: emptyToNull(t.signed_by),
      events,
      proof_of_delivery: [],
    },
    reasons,
  )
}

export const easypost: CarrierProvider = {
  provider: 'easypost',
  label: 'EasyPost',
  verify({ headers, rawBody, secrets }) {
    const header = headers['x-hmac-signature']
    if (!header) throw refuse('missing_header', 'The X-Hmac-Signature header is missing')
    const expected = (secret: string) =>
      `hmac-sha256-hex=${hmacSha256(Buffer.from(secret.normalize('NFKD'), 'utf8'), rawBody).digest('hex')}`
    if (!matchesAny(header.trim(), expected, secrets)) throw refuse('mismatch', 'The webhook signature does not match')
  },
  dedupKey: ({ rawBody }) => eventIdOrHash(rawBody, 'id'),
  normalize(payload) {
    const body = obj(payload)
    if (!body) throw new MalformedPayload('the body is not a JSON object')
    // A bare Tracker (a tracking-API response) or an Event carrying one.
    if (body.object === 'Tracker') return { kind: 'tracking', shipments: [normalizeTracker(body)] }
    if (body.object !== 'Event') throw new MalformedPayload('neither an Event nor a Tracker object')
    const description = emptyToNull(body.description)
    if (!description) throw new MalformedPayload('the Event has no description')
    if (!description.startsWith('tracker.'))
      return { kind: 'ignored', reason: `${description} events carry no tracking` }
    const result = obj(body.result)
    if (result?.object !== 'Tracker') return { kind: 'ignored', reason: `the ${description} event carries no Tracker` }
    return { kind: 'tracking', shipments: [normalizeTracker(result)] }
  },
  statusTable: [
    ...statusRows(statuses, (s) =>
      s === 'error' ? 'EasyPost could not track it: sub-status tracking_error' : undefined,
    ),
    ...subStatusRows(
      details,
      () => '*',
      () => 'status_detail decides, except under delivered (only damaged does)',
    ),
    ...progressDetails.map(
      (d): StatusTableRow => ({
        provider_status: '*',
        provider_sub_status: d,
        status: 'in_transit',
        note: 'progress only: the status decides',
      }),
    ),
    {
      provider_status: '*',
      provider_sub_status: null,
      status: 'customs_hold',
      note: 'message mentions customs with a hold or delay (held, hold, detained, awaiting, delay)',
    },
    {
      provider_status: '*',
      provider_sub_status: null,
      status: 'in_transit',
      note: 'message mentions customs release or clearance: sub-status customs_released',
    },
  ],
}
