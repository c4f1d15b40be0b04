import { Type } from 'typebox'
import { NullableTimestamp, Timestamp, Uuid } from '../http/schemas.js'

// The SLA module's wire shapes: policies (versioned), the clocks on a case, settings and the attainment report.
// The calendars' shapes are in calendars/schemas.ts.

export const slaTiers = ['high', 'medium', 'low'] as const
export const builtinTargets = ['first_response', 'next_response', 'resolution'] as const
export const clockStates = ['active', 'paused', 'met', 'breached'] as const
// The case statuses and priorities as the cases module names them (spelt here: db/schema.ts reads this module's
// types, so importing the cases module's would go round in a circle).
const casePriorities = ['low', 'normal', 'high', 'urgent'] as const
export const pauseStatuses = ['waiting_customer', 'waiting_carrier', 'on_hold'] as const

const TargetName = Type.String({
  pattern: '^[a-z][a-z0-9_]{0,39}$',
  description: 'first_response, next_response, resolution, or a custom milestone key',
})
const Money = Type.Object(
  { amount_minor: Type.Integer({ minimum: 0 }), currency: Type.String({ pattern: '^[A-Z]{3}$' }) },
  { additionalProperties: false },
)

export const conditionFields = [
  'case_type',
  'channel',
  'priority',
  'customer_segment',
  'carrier',
  'service',
  'fulfilment_centre',
  'product_category',
  'sku',
] as const

export const Condition = Type.Union([
  Type.Object(
    {
      field: Type.Enum([...conditionFields]),
      op: Type.Enum(['in', 'not_in']),
      values: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 100 }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      field: Type.Literal('value'),
      op: Type.Enum(['gte', 'lt'], { description: "Value at stake, converted with the workspace's exchange rates" }),
      amount: Money,
    },
    { additionalProperties: false },
  ),
])

export const StepAction = Type.Union([
  Type.Object(
    {
      type: Type.Literal('notify'),
      to: Type.Enum(['assignee', 'team', 'team_lead', 'user']),
      user_id: Type.Optional(Uuid),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('reassign'),
      team_id: Type.Optional(Uuid),
      strategy: Type.Enum(['round_robin', 'least_loaded', 'team_only']),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('raise_priority'), to: Type.Optional(Type.Enum([...casePriorities])) },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('add_tag'), tag: Type.String({ pattern: '^[^\\s,]{1,50}$' }) },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal('escalate') }, { additionalProperties: false }),
  Type.Object(
    {
      type: Type.Literal('remedy'),
      remedy: Type.Enum(['refund_authorisation', 'priority_return']),
      params: Type.Optional(Type.Record(Type.String({ maxLength: 50 }), Type.Unknown(), { maxProperties: 20 })),
    },
    { additionalProperties: false },
  ),
])

export const Step = Type.Object(
  {
    percent: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1000, description: 'Fires at this share of the target (50, 75, 100, 150)' }),
    ),
    offset_minutes: Type.Optional(
      Type.Integer({ minimum: -100_000, maximum: 100_000, description: 'Or this many minutes from the due time' }),
    ),
    urgent: Type.Optional(Type.Boolean({ description: "Alerts go out even in the team's off-hours" })),
    actions: Type.Array(StepAction, { minItems: 1, maxItems: 10 }),
  },
  { additionalProperties: false },
)

export const Target = Type.Object(
  {
    target: TargetName,
    minutes: Type.Integer({ minimum: 1, maximum: 525_600 }),
    calendar_id: Type.Union([Uuid, Type.Null()], {
      description: 'Business time on this calendar; null: calendar time (24/7)',
    }),
    milestone_event: Type.Optional(
      Type.String({
        pattern: '^[a-z][a-z0-9_]*\\.[a-z][a-z0-9_]*$',
        description: 'A custom milestone: the event type that meets it (e.g. case.evidence_complete)',
      }),
    ),
    steps: Type.Optional(Type.Array(Step, { maxItems: 10 })),
  },
  { additionalProperties: false },
)

export const PolicyDefinition = Type.Object(
  {
    tier: Type.Enum([...slaTiers]),
    conditions: Type.Array(Condition, { maxItems: 20, description: 'All must hold; the fallback has none' }),
    targets: Type.Array(Target, { minItems: 1, maxItems: 10 }),
    alert_calendar_id: Type.Union([Uuid, Type.Null()], {
      description: 'Alerts that are not urgent wait for this calendar to be open (the team hours); null: never held',
    }),
  },
  { additionalProperties: false },
)

export const PolicyView = Type.Object({
  id: Uuid,
  name: Type.String(),
  position: Type.Integer({ description: 'Policies are tried in this order; the fallback comes last' }),
  fallback: Type.Boolean(),
  live_version: Type.Integer({ description: 'The version new cases get' }),
  draft: PolicyDefinition,
  live: PolicyDefinition,
  created_at: Timestamp,
  updated_at: Timestamp,
})

export const PolicyVersionView = Type.Object({
  policy_id: Uuid,
  version: Type.Integer(),
  definition: PolicyDefinition,
  published_at: Timestamp,
  published_by: Type.Union([Type.String(), Type.Null()]),
})

export const PolicyParams = Type.Object({ id: Uuid })
export const PolicyVersionParams = Type.Object({ id: Uuid, version: Type.Integer({ minimum: 1 }) })

export const CreatePolicyBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
    ...PolicyDefinition.properties,
  },
  { additionalProperties: false },
)

export const UpdatePolicyBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
    draft: Type.Optional(PolicyDefinition),
  },
  { additionalProperties: false },
)

export const PreviewBody = Type.Object({ case_id: Uuid }, { additionalProperties: false })

export const PreviewView = Type.Object({
  policy_id: Uuid,
  policy_name: Type.String(),
  policy_version: Type.Integer(),
  tier: Type.Enum([...slaTiers]),
  tried: Type.Array(
    Type.Object({
      policy_id: Uuid,
      name: Type.String(),
      matched: Type.Boolean(),
      conditions: Type.Array(
        Type.Object({
          field: Type.String(),
          op: Type.String(),
          matched: Type.Boolean(),
          actual: Type.Unknown({ description: "The case's value the condition was judged on" }),
        }),
      ),
    }),
    { description: 'Each policy tried in order, up to the one that matched, with each condition and why' },
  ),
})

export const ClockView = Type.Object({
  target: Type.String(),
  episode: Type.Integer(),
  state: Type.Enum([...clockStates]),
  started_at: Timestamp,
  due_at: Timestamp,
  elapsed_pct: Type.Number({ description: 'Share of the target spent, paused time excluded (100 = due)' }),
  remaining_seconds: Type.Integer({ description: 'Business (or calendar) seconds left; negative once overdue' }),
  paused_seconds: Type.Integer({ description: 'Time excluded while paused' }),
  business_time: Type.Boolean(),
  calendar_id: Type.Union([Uuid, Type.Null()]),
  minutes: Type.Integer(),
  met_at: NullableTimestamp,
  breached_at: NullableTimestamp,
  paused_at: NullableTimestamp,
})

/** GET /cases/:id/sla: the case's applied SLA and every clock (each target's episodes). */
export const CaseSlaView = Type.Object({
  tier: Type.Union([Type.Enum([...slaTiers]), Type.Null()]),
  policy_id: Type.Union([Uuid, Type.Null()]),
  policy_version: Type.Union([Type.Integer(), Type.Null()]),
  targets: Type.Array(ClockView),
  next_due_at: NullableTimestamp,
})

export const CaseParams = Type.Object({ id: Uuid })
export const CaseTargetParams = Type.Object({ id: Uuid, target: TargetName })

export const ApplyBody = Type.Object(
  { policy_id: Type.Optional(Uuid) },
  { additionalProperties: false, description: 'No policy_id: the policy that matches the case now' },
)

export const TargetBody = Type.Object(
  {
    minutes: Type.Integer({ minimum: 1, maximum: 525_600 }),
    business: Type.Boolean({ description: "Business time on the target's calendar (or calendar_id's)" }),
    calendar_id: Type.Optional(Uuid),
  },
  { additionalProperties: false },
)

export const SettingsView = Type.Object({
  pause_statuses: Type.Array(Type.Enum([...pauseStatuses]), {
    description: 'Case statuses that pause the clocks (waiting on the customer or the carrier)',
  }),
})

export const SettingsBody = Type.Object(
  {
    pause_statuses: Type.Array(Type.Enum([...pauseStatuses]), {
      maxItems: 3,
      uniqueItems: true,
    }),
  },
  { additionalProperties: false },
)

export const attainmentGroups = ['carrier', 'fulfilment_centre', 'case_type', 'team', 'week'] as const

export const AttainmentQuery = Type.Object(
  {
    group_by: Type.Enum([...attainmentGroups]),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
)

export const AttainmentView = Type.Object({
  group_by: Type.Enum([...attainmentGroups]),
  rows: Type.Array(
    Type.Object({
      group: Type.Union([Type.String(), Type.Null()], { description: 'The carrier, centre, type, team id or week' }),
      target: Type.String(),
      met: Type.Integer(),
      breached: Type.Integer({ description: 'Breached, whether met late or still open' }),
      active: Type.Integer({ description: 'Running (or paused) and not yet breached' }),
      breach_rate: Type.Union([Type.Number(), Type.Null()], {
        description: 'breached / (met + breached); null when none has finished',
      }),
    }),
  ),
})
