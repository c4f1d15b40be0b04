import { Type } from 'typebox'
import { NullableTimestamp, Timestamp, Uuid } from '../http/schemas.js'
import { policyTriggers } from './defaults.js'
import { ageBuckets, caseSorts } from './store/case-list.js'
import { assignmentStrategies, caseStatuses, fieldTypes, priorities, resolutionCodes, rootCauses } from './tables.js'

const NullableString = Type.Union([Type.String(), Type.Null()])
export const Text = (max: number) => Type.String({ minLength: 1, maxLength: max })
export const Key = Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' })
export const Status = Type.Enum([...caseStatuses])
export const PriorityT = Type.Enum([...priorities])
export const Resolution = Type.Enum([...resolutionCodes])
export const RootCauseT = Type.Enum([...rootCauses])
export const Tag = Type.String({ pattern: '^[^\\s,]{1,50}$' })
export const MoneyT = Type.Object(
  {
    amount_minor: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  },
  { additionalProperties: false },
)
const NullableMoney = Type.Union([MoneyT, Type.Null()])

export const CustomFieldDefT = Type.Object(
  {
    key: Key,
    label: Text(100),
    type: Type.Enum([...fieldTypes]),
    required: Type.Optional(Type.Boolean()),
    options: Type.Optional(Type.Array(Text(100), { minItems: 1, maxItems: 100 })),
  },
  { additionalProperties: false },
)
export const TemplateT = Type.Object(
  {
    subject: Type.Optional(Text(300)),
    priority: Type.Optional(PriorityT),
    tags: Type.Optional(Type.Array(Tag, { maxItems: 20 })),
    custom_fields: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    checklist: Type.Optional(Type.Array(Text(200), { maxItems: 30 })),
  },
  { additionalProperties: false },
)

export const CaseTypeView = Type.Object({
  id: Uuid,
  key: Type.String(),
  label: Type.String(),
  description: Type.String(),
  default_priority: PriorityT,
  custom_fields: Type.Array(CustomFieldDefT),
  required_evidence: Type.Array(Type.String()),
  sla_tier: NullableString,
  template_keys: Type.Record(Type.String(), Type.String()),
  template: TemplateT,
  builtin: Type.Boolean(),
  archived_at: NullableTimestamp,
  created_at: Timestamp,
  updated_at: Timestamp,
})

export const LinkView = Type.Object({
  entity_type: Type.String(),
  entity_id: Uuid,
  summary: Type.Record(Type.String(), Type.Unknown()),
  created_at: Timestamp,
})

const caseProperties = {
  id: Uuid,
  number: Type.String({ description: 'Per workspace, e.g. CD-1042' }),
  case_type: Type.String(),
  subject: Type.String(),
  status: Status,
  priority: PriorityT,
  channel: Type.String(),
  source: Type.String(),
  sla_tier: NullableString,
  customer_id: Type.Union([Uuid, Type.Null()]),
  order_id: Type.Union([Uuid, Type.Null()]),
  shipment_id: Type.Union([Uuid, Type.Null()]),
  carrier_code: NullableString,
  carrier_name: NullableString,
  tracking_number: NullableString,
  product_sku: NullableString,
  product_category: NullableString,
  fulfilment_centre: NullableString,
  value: NullableMoney,
  team_id: Type.Union([Uuid, Type.Null()]),
  assignee_id: Type.Union([Uuid, Type.Null()]),
  tags: Type.Array(Type.String()),
  custom_fields: Type.Record(Type.String(), Type.Unknown()),
  checklist: Type.Array(Type.Object({ key: Type.String(), label: Type.String(), done: Type.Boolean() })),
  evidence_count: Type.Integer(),
  refund_authorised_by: Type.Union([Uuid, Type.Null()]),
  resolution_code: Type.Union([Resolution, Type.Null()]),
  resolution_note: NullableString,
  root_cause: Type.Union([RootCauseT, Type.Null()]),
  fault_party: NullableString,
  escalation_level: Type.Integer(),
  escalation_reason: NullableString,
  parent_id: Type.Union([Uuid, Type.Null()]),
  merged_into_id: Type.Union([Uuid, Type.Null()]),
  follow_up_of_id: Type.Union([Uuid, Type.Null()]),
  split_from_id: Type.Union([Uuid, Type.Null()]),
  external_id: Type.Union([Type.String(), Type.Null()], {
    description: "The source system's id, for imported history",
  }),
  reopen_count: Type.Integer(),
  first_acted_at: NullableTimestamp,
  resolved_at: NullableTimestamp,
  closed_at: NullableTimestamp,
  created_at: Timestamp,
  updated_at: Timestamp,
}
export const CaseView = Type.Object(caseProperties)
export const CaseDetailView = Type.Object({
  ...caseProperties,
  links: Type.Array(LinkView),
  followers: Type.Array(Uuid),
  children: Type.Array(Uuid),
})

export const AgeCounts = Type.Object(
  Object.fromEntries(ageBuckets.map((b) => [b, Type.Integer()])) as Record<
    (typeof ageBuckets)[number],
    ReturnType<typeof Type.Integer>
  >,
)

const csv = (pattern: string, description: string) =>
  Type.String({ pattern: `^${pattern}(,${pattern})*$`, maxLength: 500, description })
export const CaseQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(
      Type.String({ maxLength: 500, description: 'next_cursor from the previous page (same sort)' }),
    ),
    status: Type.Optional(
      csv(`(${caseStatuses.join('|')}|unresolved)`, 'Comma-separated; "unresolved" is every status before resolved'),
    ),
    case_type: Type.Optional(csv('[a-z][a-z0-9_]{0,39}', 'Comma-separated case type keys')),
    priority: Type.Optional(csv(`(${priorities.join('|')})`, 'Comma-separated')),
    team_id: Type.Optional(Uuid),
    assignee_id: Type.Optional(
      Type.Union([Uuid, Type.Literal('none'), Type.Literal('me')], {
        description: '"none": unassigned; "me": the caller',
      }),
    ),
    carrier: Type.Optional(Text(40)),
    fulfilment_centre: Type.Optional(Text(100)),
    tag: Type.Optional(csv('[^\\s,]{1,50}', 'Comma-separated; cases carrying all of them')),
    customer_id: Type.Optional(Uuid),
    order_id: Type.Optional(Uuid),
    shipment_id: Type.Optional(Uuid),
    parent_id: Type.Optional(Uuid),
    created_from: Type.Optional(Type.String({ format: 'date-time' })),
    created_to: Type.Optional(Type.String({ format: 'date-time' })),
    updated_from: Type.Optional(Type.String({ format: 'date-time' })),
    updated_to: Type.Optional(Type.String({ format: 'date-time' })),
    age: Type.Optional(Type.Enum([...ageBuckets])),
    q: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Full text (web search syntax) over subjects, notes and timeline texts; "CD-1042" finds that case',
      }),
    ),
    sort: Type.Optional(Type.Enum([...caseSorts], { default: 'created_desc' })),
    counts: Type.Optional(Type.Boolean({ description: 'Add counts per age bucket for the same filter' })),
  },
  { additionalProperties: false },
)

export const OpenCaseBody = Type.Object(
  {
    case_type: Key,
    subject: Type.Optional(Text(300)),
    priority: Type.Optional(PriorityT),
    channel: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' })),
    customer_id: Type.Optional(Uuid),
    order_id: Type.Optional(Uuid),
    shipment_id: Type.Optional(Uuid),
    product_sku: Type.Optional(Text(100)),
    value: Type.Optional(MoneyT),
    team_id: Type.Optional(Uuid),
    assignee_id: Type.Optional(Uuid),
    tags: Type.Optional(Type.Array(Tag, { maxItems: 30 })),
    custom_fields: Type.Optional(Type.Record(Type.String({ maxLength: 40 }), Type.Unknown(), { maxProperties: 50 })),
    parent_id: Type.Optional(Uuid),
    links: Type.Optional(
      Type.Array(Type.Object({ entity_type: Key, entity_id: Uuid }, { additionalProperties: false }), { maxItems: 50 }),
    ),
    description: Type.Optional(Text(10_000)),
  },
  { additionalProperties: false },
)

export const PatchCaseBody = Type.Object(
  {
    subject: Type.Optional(Text(300)),
    priority: Type.Optional(PriorityT),
    team_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
    tags: Type.Optional(Type.Array(Tag, { maxItems: 30 })),
    add_tags: Type.Optional(Type.Array(Tag, { maxItems: 30 })),
    remove_tags: Type.Optional(Type.Array(Tag, { maxItems: 30 })),
    custom_fields: Type.Optional(Type.Record(Type.String({ maxLength: 40 }), Type.Unknown(), { maxProperties: 50 })),
    root_cause: Type.Optional(Type.Union([RootCauseT, Type.Null()])),
    fault_party: Type.Optional(Type.Union([Text(100), Type.Null()])),
    product_sku: Type.Optional(Type.Union([Text(100), Type.Null()])),
    value: Type.Optional(NullableMoney),
    checklist: Type.Optional(
      Type.Array(Type.Object({ key: Text(40), done: Type.Boolean() }, { additionalProperties: false }), {
        maxItems: 50,
      }),
    ),
    parent_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
)

export const TimelineEntryView = Type.Object({
  id: Uuid,
  case_id: Uuid,
  type: Type.String(),
  occurred_at: Timestamp,
  actor: Type.Object({ type: Type.String(), id: Type.Union([Uuid, Type.Null()]) }),
  data: Type.Record(Type.String(), Type.Unknown()),
  text: Type.String(),
  created_at: Timestamp,
  // The people and teams the entry names (actor, assignee, team, mentions), by id, as they are called now.
  names: Type.Record(Type.String(), Type.String()),
})

export const NotificationView = Type.Object({
  id: Uuid,
  case_id: Type.Union([Uuid, Type.Null()]),
  cause: Type.String(),
  title: Type.String(),
  body: Type.String(),
  created_at: Timestamp,
  read_at: NullableTimestamp,
})

export const PolicyRuleT = Type.Object(
  {
    on: Type.Enum([...policyTriggers]),
    case_type: Key,
    priority: Type.Union([PriorityT, Type.Null()]),
    watch_hours: Type.Number({ minimum: 0, maximum: 24 * 60 }),
    carrier_watch_hours: Type.Record(Type.String({ maxLength: 40 }), Type.Number({ minimum: 0, maximum: 24 * 60 }), {
      maxProperties: 100,
    }),
    enabled: Type.Boolean(),
  },
  { additionalProperties: false },
)
export const PolicyT = Type.Object(
  {
    rules: Type.Array(PolicyRuleT, { maxItems: 50 }),
    lost_after_days: Type.Integer({ minimum: 1, maximum: 365 }),
    carrier_lost_after_days: Type.Record(Type.String({ maxLength: 40 }), Type.Integer({ minimum: 1, maximum: 365 }), {
      maxProperties: 100,
    }),
    on_delivered: Type.Enum(['review', 'resolve']),
    review_low_confidence: Type.Boolean(),
  },
  { additionalProperties: false },
)
export const RoutingRuleT = Type.Object(
  {
    name: Text(80),
    when: Type.Object(
      {
        case_types: Type.Optional(Type.Array(Key, { maxItems: 50 })),
        carriers: Type.Optional(Type.Array(Text(40), { maxItems: 50 })),
        fulfilment_centres: Type.Optional(Type.Array(Text(100), { maxItems: 50 })),
        product_categories: Type.Optional(Type.Array(Text(100), { maxItems: 50 })),
        priorities: Type.Optional(Type.Array(PriorityT, { maxItems: 4 })),
      },
      {
        additionalProperties: false,
        description: 'Every condition given must match; an empty object matches every case',
      },
    ),
    team_id: Uuid,
    strategy: Type.Enum([...assignmentStrategies]),
  },
  { additionalProperties: false },
)

export const SettingsView = Type.Object({
  exception_policy: PolicyT,
  reopen_window_hours: Type.Integer(),
  auto_close_after_hours: Type.Integer(),
  routing: Type.Array(RoutingRuleT),
  updated_at: NullableTimestamp,
})

export const ReviewView = Type.Object({
  id: Uuid,
  shipment_id: Uuid,
  status: Type.String(),
  case_type: NullableString,
  reasons: Type.Array(Type.String()),
  event: Type.Record(Type.String(), Type.Unknown()),
  state: Type.Enum(['pending', 'opened', 'dismissed']),
  case_id: Type.Union([Uuid, Type.Null()]),
  decided_by: Type.Union([Uuid, Type.Null()]),
  decided_at: NullableTimestamp,
  created_at: Timestamp,
})

// Working many cases: bulk actions, incidents, routing, saved views

export const BulkActionT = Type.Union(
  [
    Type.Object(
      {
        type: Type.Literal('assign'),
        assignee_id: Type.Union([Uuid, Type.Null()]),
        team_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        type: Type.Literal('status'),
        status: Status,
        resolution_code: Type.Optional(Resolution),
        resolution_note: Type.Optional(Text(2000)),
        root_cause: Type.Optional(RootCauseT),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        type: Type.Literal('tags'),
        add: Type.Optional(Type.Array(Tag, { maxItems: 30 })),
        remove: Type.Optional(Type.Array(Tag, { maxItems: 30 })),
      },
      { additionalProperties: false },
    ),
    Type.Object({ type: Type.Literal('priority'), priority: PriorityT }, { additionalProperties: false }),
    Type.Object({ type: Type.Literal('note'), body: Text(10_000) }, { additionalProperties: false }),
    Type.Object({ type: Type.Literal('escalate'), reason: Text(500) }, { additionalProperties: false }),
  ],
  { description: 'One action: assign, status, tags, priority, note or escalate' },
)

export const BulkResultView = Type.Object({
  results: Type.Array(
    Type.Object({
      id: Uuid,
      ok: Type.Boolean(),
      case: Type.Optional(CaseView),
      error: Type.Optional(
        Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Unknown()) }),
      ),
    }),
  ),
  succeeded: Type.Integer(),
  failed: Type.Integer(),
})

export const AgentView = Type.Object({
  user_id: Uuid,
  name: Type.String(),
  capacity: Type.Integer(),
  away: Type.Boolean(),
  away_until: NullableTimestamp,
  open_cases: Type.Integer(),
  last_assigned_at: NullableTimestamp,
  available: Type.Boolean(),
})

const { limit: _l, cursor: _c, counts: _n, sort: _s, ...filterProperties } = CaseQuery.properties
export const ViewFilters = Type.Object(filterProperties, {
  additionalProperties: false,
  description: 'GET /cases filters',
})
export const SavedViewT = Type.Object({
  id: Type.String({ description: 'A UUID, or the key of a built-in view (mine, unassigned, all_open, new_today)' }),
  name: Type.String(),
  shared: Type.Boolean(),
  builtin: Type.Boolean(),
  owner_id: Type.Union([Uuid, Type.Null()]),
  filters: Type.Record(Type.String(), Type.Unknown()),
  sort: Type.Enum([...caseSorts]),
  position: Type.Integer(),
  created_at: NullableTimestamp,
  updated_at: NullableTimestamp,
})
