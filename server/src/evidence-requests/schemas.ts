import { Type } from 'typebox'
import { NullableTimestamp, Timestamp, Uuid } from '../http/schemas.js'
import { AddressInput } from '../messaging/schemas.js'
import { requestChannels, requestStatuses } from './tables.js'

const NullableText = Type.Union([Type.String(), Type.Null()])
export const TypeKey = Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$', description: 'An evidence type key' })

export const CaseParams = Type.Object({ id: Uuid })
export const RequestParams = Type.Object({ id: Uuid })
export const TokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 1000 }) })

export const RequestBody = Type.Object(
  {
    types: Type.Array(TypeKey, { minItems: 1, maxItems: 20, description: 'The evidence types asked for' }),
    message: Type.String({ minLength: 1, maxLength: 2000, description: 'Why it is needed, in words for the customer' }),
    deadline_hours: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 720, description: 'Hours from now (or give due_at)' }),
    ),
    due_at: Type.Optional(Type.String({ format: 'date-time', description: 'The deadline (or give deadline_hours)' })),
    channel: Type.Optional(
      Type.Enum([...requestChannels], { description: "Send by this channel (default: the workspace's order)" }),
    ),
  },
  { additionalProperties: false },
)

const Received = Type.Object({
  evidence_id: Uuid,
  type_key: Type.String(),
  name: Type.String(),
  received_at: Timestamp,
})

export const RequestView = Type.Object({
  id: Uuid,
  case_id: Uuid,
  type_keys: Type.Array(Type.String()),
  message: Type.String(),
  due_at: Timestamp,
  status: Type.Enum([...requestStatuses]),
  link_id: Uuid,
  link_state: Type.Enum(['active', 'expired', 'revoked', 'completed'], {
    description: 'The upload link: a link revoked on its own leaves the request open but unreachable',
  }),
  channel: Type.Union([Type.Enum([...requestChannels]), Type.Null()]),
  message_id: Type.Union([Uuid, Type.Null()]),
  created_by: NullableText,
  created_at: Timestamp,
  reminded_at: NullableTimestamp,
  overdue_at: NullableTimestamp,
  completed_at: NullableTimestamp,
  cancelled_at: NullableTimestamp,
  cancelled_by: NullableText,
  missing: Type.Array(Type.String(), { description: 'Types asked for that have not come in' }),
  received: Type.Array(Received, { description: 'What came in through this request (sensitive types if allowed)' }),
})

export const CreatedRequestView = Type.Intersect([
  RequestView,
  Type.Object({
    url: Type.String({
      description: 'The upload link, shown this once (it is a credential: give it only to the customer)',
    }),
    delivery: Type.Array(
      Type.Object({ channel: Type.String(), message_id: Type.Union([Uuid, Type.Null()]), skipped: NullableText }),
      { description: 'How the request went out: the message sent, or why a channel was skipped' },
    ),
  }),
])

export const RequestList = Type.Object({ data: Type.Array(RequestView) })

export const PortalRequestView = Type.Object({
  store: Type.String(),
  case_number: Type.String(),
  message: Type.String(),
  due_at: Timestamp,
  overdue: Type.Boolean(),
  types: Type.Array(
    Type.Object({
      key: Type.String(),
      label: Type.String(),
      kind: Type.String(),
      formats: Type.Array(Type.String()),
      max_bytes: Type.Integer(),
      received: Type.Boolean(),
    }),
  ),
  received: Type.Array(Type.Object({ name: Type.String(), type_key: Type.String(), received_at: Timestamp })),
})

const ActionKey = Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$', description: 'carrier_claim, refund_approval, …' })
export const RequirementsView = Type.Object({
  actions: Type.Record(ActionKey, Type.Array(Type.String()), {
    description: "Per action, the evidence types it needs ('case' is each case type's required_evidence)",
  }),
})
export const RequirementsBody = Type.Object(
  {
    actions: Type.Record(ActionKey, Type.Array(TypeKey, { maxItems: 50 }), {
      maxProperties: 50,
      description: 'Per action, the evidence types it needs; replaces them all',
    }),
  },
  { additionalProperties: false },
)
export const CheckQuery = Type.Object(
  {
    for: Type.Optional({ ...ActionKey, description: "The action: 'case' (the default) or one with requirements" }),
  },
  { additionalProperties: false },
)
export const CheckView = Type.Object({
  action: Type.String(),
  complete: Type.Boolean(),
  required: Type.Array(Type.String()),
  present: Type.Array(Type.String()),
  missing: Type.Array(Type.String()),
  unknown: Type.Array(Type.String(), {
    description: "Keys in the case type's required_evidence that name no evidence type: nothing satisfies them",
  }),
})

export const PackFile = {
  description: 'A ZIP: the evidence files under evidence/, manifest.json (type, times, uploader, SHA-256), summary.pdf',
  content: { 'application/zip': { schema: Type.String({ format: 'binary' }) } },
}

export const EvidenceItemView = Type.Object({
  id: Uuid,
  case_id: Uuid,
  type_key: Type.String(),
  source: Type.String(),
  uploader_kind: Type.String(),
  uploaded_by: NullableText,
  captured_at: NullableTimestamp,
  created_at: Timestamp,
  sha256: Type.String(),
  size_bytes: Type.Integer(),
  content_type: Type.String(),
  original_name: Type.String(),
  request_id: Type.Union([Uuid, Type.Null()]),
})

export const PackEmailBody = Type.Object(
  {
    to: Type.Optional(
      Type.Array(AddressInput, { minItems: 1, maxItems: 50, description: "Default: the case's customer" }),
    ),
    subject: Type.Optional(Type.String({ minLength: 1, maxLength: 998, pattern: '^[^\\r\\n]*$' })),
    text: Type.String({ minLength: 1, maxLength: 20_000 }),
  },
  { additionalProperties: false },
)
