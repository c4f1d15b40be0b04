import { Type, type Static } from 'typebox'
import { compilePayloadSchema } from '../../http/validation.js'
import { generateSecret, secretProblem, verifyStandardWebhook } from '../../intake/providers/standard-webhooks.js'
import { resolveCarrier } from '../../shipments/carriers.js'
import {
  emptyToNull,
  latestEvent,
  location,
  MalformedPayload,
  parseEventTime,
  reconcile,
  trackingStatuses,
  type NormalizedEvent,
  type NormalizedTracking,
} from '../model.js'
import type { CarrierProvider } from './types.js'

// Claimdesk's own tracking event (docs/carriers/generic.md), for in-house systems and carriers with no
// adapter yet: statuses are already canonical, so nothing is guessed; signed the Standard Webhooks way.

const Text = (max: number) => Type.String({ minLength: 1, maxLength: max })
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()])
const Status = Type.Enum(trackingStatuses)
const Location = Type.Object(
  {
    city: Type.Optional(Nullable(Text(200))),
    region: Type.Optional(Nullable(Text(200))),
    postal_code: Type.Optional(Nullable(Text(40))),
    country: Type.Optional(Nullable(Type.String({ pattern: '^[A-Za-z]{2}$' }))),
    latitude: Type.Optional(Type.Union([Type.Number({ minimum: -90, maximum: 90 }), Type.Null()])),
    longitude: Type.Optional(Type.Union([Type.Number({ minimum: -180, maximum: 180 }), Type.Null()])),
  },
  { additionalProperties: false },
)
const Event = Type.Object(
  {
    id: Type.Optional(Text(200)),
    status: Status,
    sub_status: Type.Optional(Nullable(Text(100))),
    code: Type.Optional(Nullable(Text(100))),
    message: Type.Optional(Nullable(Text(2000))),
    occurred_at: Type.String({ minLength: 10, maxLength: 40 }),
    location: Type.Optional(Type.Union([Location, Type.Null()])),
    facility: Type.Optional(Nullable(Text(200))),
    device: Type.Optional(Nullable(Text(200))),
    driver: Type.Optional(Nullable(Text(200))),
    signed_by: Type.Optional(Nullable(Text(200))),
  },
  { additionalProperties: false },
)
const Proof = Type.Object(
  {
    kind: Type.Union([Type.Literal('signature'), Type.Literal('photo'), Type.Literal('document')]),
    content_type: Text(100),
    data_base64: Type.String({ minLength: 4, maxLength: 4 * 1024 * 1024, pattern: '^[A-Za-z0-9+/]+={0,2}$' }),
  },
  { additionalProperties: false },
)
const Tracking = Type.Object(
  {
    carrier: Text(100),
    tracking_number: Text(100),
    carrier_ref: Type.Optional(Nullable(Text(200))),
    status: Type.Optional(Status),
    sub_status: Type.Optional(Nullable(Text(100))),
    estimated_delivery_at: Type.Optional(Nullable(Type.String({ minLength: 10, maxLength: 40 }))),
    signed_by: Type.Optional(Nullable(Text(200))),
    events: Type.Array(Event, { maxItems: 500 }),
    proof_of_delivery: Type.Optional(Type.Array(Proof, { maxItems: 10 })),
  },
  { additionalProperties: false },
)
export const GenericPayload = Type.Object(
  {
    type: Type.String({ minLength: 1, maxLength: 100 }),
    timestamp: Type.Optional(Type.String({ maxLength: 40 })),
    data: Type.Union([
      Tracking,
      Type.Object({ trackings: Type.Array(Tracking, { minItems: 1, maxItems: 100 }) }, { additionalProperties: false }),
    ]),
  },
  { additionalProperties: false },
)
type Payload = Static<typeof GenericPayload>
type TrackingInput = Static<typeof Tracking>

const validate = compilePayloadSchema<Payload>(GenericPayload)
export const trackingEventTypes = new Set(['tracking.updated', 'tracking.created'])

function time(value: string, path: string) {
  const t = parseEventTime(value)
  if (!t) throw new MalformedPayload(`${path} is not an ISO 8601 time`)
  return t
}

function toTracking(t: TrackingInput, path: string): NormalizedTracking {
  const carrier = resolveCarrier(t.carrier)
  const events = t.events.map((e, i): NormalizedEvent => {
    const at = time(e.occurred_at, `${path}.events[${i}].occurred_at`)
    return {
      id: e.id ?? null,
      status: e.status,
      sub_status: e.sub_status ?? null,
      provider_status: e.status,
      provider_sub_status: e.sub_status ?? null,
      code: e.code ?? null,
      message: e.message ?? null,
      occurred_at: at.iso,
      utc_offset_minutes: at.offset,
      location: e.location ? location(e.location) : null,
      facility: e.facility ?? null,
      device: e.device ?? null,
      driver: e.driver ?? null,
      signed_by: e.signed_by ?? null,
    }
  })
  const newest = latestEvent(events)
  const status = t.status ?? newest?.status ?? 'unknown'
  return reconcile({
    carrier: carrier.code,
    carrier_name: carrier.name,
    tracking_number: t.tracking_number.trim(),
    carrier_ref: emptyToNull(t.carrier_ref),
    provider_tracker_id: null,
    status,
    sub_status: t.sub_status ?? (t.status ? null : (newest?.sub_status ?? null)),
    provider_status: status,
    provider_sub_status: t.sub_status ?? null,
    estimated_delivery_at: t.estimated_delivery_at
      ? new Date(time(t.estimated_delivery_at, `${path}.estimated_delivery_at`).iso).toISOString()
      : null,
    signed_by: t.signed_by ?? newest?.signed_by ?? null,
    events,
    proof_of_delivery: t.proof_of_delivery ?? [],
  })
}

export const generic: CarrierProvider = {
  provider: 'generic',
  label: 'Generic signed tracking events (Standard Webhooks)',
  verify: verifyStandardWebhook,
  dedupKey: (input) => input.headers['webhook-id']!,
  normalize(payload) {
    if (!validate(payload)) {
      const first = validate.errors?.[0]
      throw new MalformedPayload(
        `the payload does not match the generic tracking event: ${first?.instancePath || '/'} ${first?.message ?? ''}`.trim(),
      )
    }
    if (!trackingEventTypes.has(payload.type))
      return { kind: 'ignored', reason: `event type ${payload.type} carries no tracking` }
    const list = 'trackings' in payload.data ? payload.data.trackings : [payload.data]
    return {
      kind: 'tracking',
      shipments: list.map((t, i) => toTracking(t, 'trackings' in payload.data ? `data.trackings[${i}]` : 'data')),
    }
  },
  statusTable: trackingStatuses.map((s) => ({
    provider_status: s,
    provider_sub_status: null,
    status: s,
    note: 'canonical already',
  })),
  secrets: { generate: generateSecret, problem: secretProblem },
}
