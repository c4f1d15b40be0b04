import { Type } from 'typebox'
import { NullableTimestamp, Page, Timestamp, Uuid } from '../../http/schemas.js'
import { ageBuckets, caseSorts } from '../store/case-list.js'
import { caseStatuses, priorities } from '../tables.js'
import {
  EntityRef,
  Key,
  MoneyT,
  NullableMoney,
  NullableString,
  PriorityT,
  Resolution,
  RootCauseT,
  Status,
  Tag,
  Text,
} from './common.js'

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
  missing_evidence: Type.Array(Type.String(), {
    description: 'Evidence types the case type requires that the case does not have yet (kept by the evidence module)',
  }),
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
  first_response_at: NullableTimestamp,
  sla_next_due_at: Type.Union([Timestamp, Type.Null()], { description: 'When the soonest running SLA target is due' }),
  sla_state: Type.Union([Type.Enum(['active', 'paused', 'met', 'breached']), Type.Null()], {
    description: 'breached if any running target is, else active, paused or met; null: no SLA',
  }),
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
    sla_state: Type.Optional(
      csv('(active|paused|met|breached)', 'Comma-separated SLA states (breached: any target is)'),
    ),
    sla_due_before: Type.Optional(
      Type.String({ format: 'date-time', description: 'Soonest running SLA target due before this: breaching soon' }),
    ),
    has_evidence: Type.Optional(Type.Boolean({ description: 'true: cases with evidence; false: cases with none' })),
    missing_evidence: Type.Optional(
      Type.Boolean({ description: 'true: cases lacking an evidence type their case type requires; false: complete' }),
    ),
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

export const CaseListPage = Type.Object({ ...Page(CaseView).properties, counts: Type.Optional(AgeCounts) })

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
    links: Type.Optional(Type.Array(EntityRef, { maxItems: 50 })),
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

export const CaseStatsQuery = Type.Object(
  { days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: 30 })) },
  { additionalProperties: false },
)
export const CaseStatsView = Type.Object({
  time_zone: Type.String(),
  open_by_type: Type.Array(Type.Object({ case_type: Type.String(), ...AgeCounts.properties })),
  new_by_day: Type.Array(
    Type.Object({
      day: Type.String({ format: 'date' }),
      carrier: Type.Union([Type.String(), Type.Null()]),
      count: Type.Integer(),
    }),
  ),
})
