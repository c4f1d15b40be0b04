import { Type, type TSchema } from 'typebox'
import { NullableTimestamp, Timestamp, Uuid } from '../http/schemas.js'
import { GraceSeconds } from '../integrations/schemas.js'
import { trackingStatuses } from './model.js'

const Provider = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,39}$', description: 'easypost, aftership or generic' })
const Name = Type.String({ minLength: 1, maxLength: 100 })
const Secret = Type.String({
  minLength: 1,
  maxLength: 1000,
  description: 'The signing secret the provider shows you (generic: generated when omitted, whsec_ + base64)',
})
const Settings = Type.Record(Type.String(), Type.Unknown(), {
  maxProperties: 100,
  description: 'Non-secret settings, e.g. quiet_hours (health alert after this many hours without a webhook)',
})
const Status = Type.Union([Type.Literal('active'), Type.Literal('disabled')])
export const ConnectionParams = Type.Object({ id: Uuid })

const Health = Type.Object({
  state: Type.Union([Type.Literal('healthy'), Type.Literal('unhealthy'), Type.Literal('awaiting_first_event')]),
  reasons: Type.Array(Type.String()),
  last_received_at: NullableTimestamp,
  last_processed_at: NullableTimestamp,
  deliveries_24h: Type.Integer(),
  processed_24h: Type.Integer(),
  ignored_24h: Type.Integer(),
  waiting: Type.Integer(),
  failing: Type.Integer(),
  dead_letters: Type.Integer(),
  signature_failures_24h: Type.Integer(),
  malformed_24h: Type.Integer(),
  p99_processing_lag_seconds: Type.Union([Type.Number(), Type.Null()]),
})
export const CarrierConnection = Type.Object({
  id: Uuid,
  provider: Type.String(),
  name: Type.String(),
  status: Status,
  settings: Settings,
  webhook_url: Type.String(),
  secret_versions: Type.Array(Type.Object({ id: Uuid, created_at: Timestamp, expires_at: NullableTimestamp })),
  health: Health,
  created_at: Timestamp,
  updated_at: Timestamp,
})
export const WithSecret = Type.Object({
  connection: CarrierConnection,
  webhook_secret: Type.Optional(Type.String({ description: 'A generated secret, shown this once' })),
})

const Location = Type.Union([
  Type.Object({
    city: Type.Union([Type.String(), Type.Null()]),
    region: Type.Union([Type.String(), Type.Null()]),
    postal_code: Type.Union([Type.String(), Type.Null()]),
    country: Type.Union([Type.String(), Type.Null()]),
    latitude: Type.Union([Type.Number(), Type.Null()]),
    longitude: Type.Union([Type.Number(), Type.Null()]),
  }),
  Type.Null(),
])
const StatusSchema = Type.Enum(trackingStatuses)
const NullableText = Type.Union([Type.String(), Type.Null()])
/** A tracking event's fields, as normalized from a payload or as stored (then with a UUID and an instant). */
const eventFields = <I extends TSchema, T extends TSchema>(id: I, occurredAt: T) => ({
  id,
  status: StatusSchema,
  sub_status: NullableText,
  provider_status: NullableText,
  provider_sub_status: NullableText,
  code: NullableText,
  message: NullableText,
  occurred_at: occurredAt,
  utc_offset_minutes: Type.Union([Type.Integer(), Type.Null()]),
  location: Location,
  facility: NullableText,
  device: NullableText,
  driver: NullableText,
  signed_by: NullableText,
})
const NormalizedEvent = Type.Object(eventFields(NullableText, Type.String()))
const NormalizedTracking = Type.Object({
  carrier: NullableText,
  carrier_name: NullableText,
  tracking_number: Type.String(),
  carrier_ref: NullableText,
  provider_tracker_id: NullableText,
  status: StatusSchema,
  sub_status: NullableText,
  provider_status: NullableText,
  provider_sub_status: NullableText,
  confidence: Type.Union([Type.Literal('high'), Type.Literal('low')]),
  review_reasons: Type.Array(Type.String()),
  estimated_delivery_at: NullableText,
  signed_by: NullableText,
  events: Type.Array(NormalizedEvent),
  proof_of_delivery: Type.Array(
    Type.Object({ kind: Type.String(), content_type: Type.String(), bytes: Type.Integer() }),
  ),
})
const StoredEvent = Type.Object({ ...eventFields(Uuid, Timestamp), recorded_at: Timestamp })
export const Tracker = Type.Object({
  id: Uuid,
  carrier_code: NullableText,
  carrier_name: NullableText,
  tracking_number: Type.String(),
  carrier_ref: Type.String(),
  provider: Type.String(),
  provider_tracker_id: NullableText,
  status: StatusSchema,
  sub_status: NullableText,
  provider_status: NullableText,
  provider_sub_status: NullableText,
  status_at: NullableTimestamp,
  confidence: Type.Union([Type.Literal('high'), Type.Literal('low')]),
  review_reasons: Type.Array(Type.String()),
  estimated_delivery_at: NullableTimestamp,
  signed_by: NullableText,
  last_event_at: NullableTimestamp,
  last_received_at: Timestamp,
  shipment_ids: Type.Array(Uuid),
  events: Type.Array(StoredEvent),
  created_at: Timestamp,
  updated_at: Timestamp,
  proofs: Type.Array(
    Type.Object({
      id: Uuid,
      kind: Type.String(),
      content_type: Type.String(),
      size_bytes: Type.Integer(),
      created_at: Timestamp,
    }),
    { description: 'Proofs of delivery kept from the carrier: GET /trackers/{id}/proofs/{proof_id}' },
  ),
})
export const Overdue = Type.Object({
  id: Uuid,
  order_id: Uuid,
  carrier_code: NullableText,
  carrier_name: NullableText,
  service: NullableText,
  tracking_number: NullableText,
  tracking_status: NullableText,
  last_tracking_event_at: NullableTimestamp,
  shipped_at: NullableTimestamp,
  due_at: NullableTimestamp,
  announced_at: NullableTimestamp,
})
const StaleRule = Type.Object(
  {
    carrier: Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()]),
    service: Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()]),
    hours: Type.Integer({ minimum: 1, maximum: 2160 }),
  },
  { additionalProperties: false },
)
export const SettingsView = Type.Object(
  {
    stale_after_hours: Type.Integer({ minimum: 1, maximum: 2160 }),
    stale_rules: Type.Array(StaleRule, { maxItems: 200 }),
  },
  { additionalProperties: false },
)

export const ConnectionBody = Type.Object(
  { provider: Provider, name: Name, webhook_secret: Type.Optional(Secret), settings: Type.Optional(Settings) },
  { additionalProperties: false },
)
export const ConnectionPatch = Type.Object(
  { name: Type.Optional(Name), status: Type.Optional(Status), settings: Type.Optional(Settings) },
  { additionalProperties: false, minProperties: 1 },
)
export const SecretRotation = Type.Object(
  {
    webhook_secret: Type.Optional(Secret),
    grace_seconds: Type.Optional(GraceSeconds),
  },
  { additionalProperties: false },
)
export const ProviderList = Type.Object({
  data: Type.Array(
    Type.Object({
      provider: Type.String(),
      label: Type.String(),
      status_table: Type.Array(
        Type.Object({
          provider_status: Type.String(),
          provider_sub_status: NullableText,
          status: StatusSchema,
          note: Type.Optional(Type.String()),
        }),
      ),
    }),
  ),
})
export const NormalizeParams = Type.Object({ provider: Provider })
export const RawPayload = Type.Object(
  {},
  {
    additionalProperties: true,
    description: 'One raw payload (a webhook body) exactly as the provider sends it',
  },
)
export const NormalizeReply = Type.Object({
  provider: Type.String(),
  ignored: Type.Union([Type.String(), Type.Null()]),
  shipments: Type.Array(NormalizedTracking),
})
export const TrackerList = Type.Object({ data: Type.Array(Tracker) })
export const ProofParams = Type.Object({ id: Uuid, proofId: Uuid })
export const ProofFile = {
  description: 'The file',
  content: {
    'image/*': { schema: Type.String({ format: 'binary' }) },
    'application/pdf': { schema: Type.String({ format: 'binary' }) },
  },
}
