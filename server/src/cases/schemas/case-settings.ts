import { Type } from 'typebox'
import { NullableTimestamp, Uuid } from '../../http/schemas.js'
import { policyTriggers } from '../defaults.js'
import { assignmentStrategies } from '../tables.js'
import { Key, PriorityT, Text } from './common.js'

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

export const SettingsBody = Type.Object(
  {
    exception_policy: Type.Optional(PolicyT),
    reopen_window_hours: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 365 })),
    auto_close_after_hours: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 24 * 365,
        description: 'Resolved cases close after this many hours; 0: never',
      }),
    ),
    routing: Type.Optional(
      Type.Array(RoutingRuleT, {
        maxItems: 100,
        description: 'The first matching rule assigns a new case: its team, and a member by the strategy',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
)
