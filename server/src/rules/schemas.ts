import { Type } from 'typebox'
import { PageQueryWith, Timestamp, Uuid } from '../http/schemas.js'
import { maxScan } from './service/test-rule.js'
import { actionNames, comparisons, ruleModes, triggerKinds } from './types.js'

/** The editor sends the text as the user types: a cap keeps parsing cheap. */
export const maxSourceLength = 10_000

const Mode = Type.Enum([...ruleModes], {
  description: 'active: runs and acts; shadow: runs and logs what it would have done; disabled: does not run',
})
const Trigger = Type.Enum([...triggerKinds])
const Source = Type.String({
  minLength: 1,
  maxLength: maxSourceLength,
  description: "IF <condition> THEN <action> [AND <action>]… (docs/rules.md), e.g. IF case_type='Damaged' THEN …",
})
const Name = Type.String({ minLength: 1, maxLength: 200, description: 'Unique in the workspace (any case)' })
const Description = Type.String({ maxLength: 2000 })
const Priority = Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'Lower runs first' })

export const RuleParams = Type.Object({ id: Uuid })
export const RuleVersionParams = Type.Object({
  id: Uuid,
  version: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
})

export const RuleView = Type.Object({
  id: Uuid,
  name: Type.String(),
  description: Type.String(),
  source: Type.String(),
  version: Type.Integer(),
  mode: Mode,
  priority: Type.Integer(),
  stop_processing: Type.Boolean({ description: 'When it matches, rules after it do not run for that trigger' }),
  triggers: Type.Array(Trigger, { description: 'What makes it run, inferred from the fields it reads' }),
  pack: Type.Union([Type.String(), Type.Null()], { description: "'default' for the default pack's rules" }),
  created_at: Timestamp,
  updated_at: Timestamp,
  stats: Type.Object(
    {
      fired: Type.Integer(),
      shadow: Type.Integer(),
      failed: Type.Integer(),
      last_at: Type.Union([Timestamp, Type.Null()]),
    },
    { description: 'Executions over the last 30 days' },
  ),
})

export const CreateRuleBody = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    source: Source,
    mode: Type.Optional(Type.Enum([...ruleModes], { description: 'Default shadow: pilot it before switching it on' })),
    priority: Type.Optional(Priority),
    stop_processing: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)

export const UpdateRuleBody = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    source: Type.Optional(Type.String({ ...Source, description: 'A changed text becomes the next version' })),
    mode: Type.Optional(Mode),
    priority: Type.Optional(Priority),
    stop_processing: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
)

export const RuleVersionView = Type.Object({
  rule_id: Uuid,
  version: Type.Integer(),
  source: Type.String(),
  triggers: Type.Array(Trigger),
  created_by_type: Type.String({ description: 'user, api_key, system' }),
  created_by: Type.Union([Type.String(), Type.Null()]),
  created_at: Timestamp,
})

const Problem = Type.Object({
  line: Type.Integer(),
  column: Type.Integer(),
  end_line: Type.Integer(),
  end_column: Type.Integer(),
  message: Type.String(),
  expected: Type.Optional(Type.Array(Type.String())),
})

export const ValidateBody = Type.Object(
  { source: Type.String({ maxLength: maxSourceLength }) },
  {
    additionalProperties: false,
  },
)

export const ValidateView = Type.Object({
  ok: Type.Boolean(),
  problems: Type.Array(Problem, { description: '1-based line and column of each, and what was expected there' }),
  triggers: Type.Array(Trigger),
  fields: Type.Array(Type.String()),
  actions: Type.Array(Type.Object({ name: Type.Enum([...actionNames]), text: Type.String() })),
})

export const TestBody = Type.Object(
  {
    source: Type.Optional(Source),
    rule_id: Type.Optional(Uuid),
    from: Type.String({ format: 'date-time' }),
    to: Type.String({ format: 'date-time', description: 'At most 90 days after from' }),
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: maxScan, description: 'Events to scan at most (5000 by default)' }),
    ),
  },
  { additionalProperties: false },
)

const ConditionSeenView = Type.Object({
  field: Type.String(),
  op: Type.Enum([...comparisons]),
  expected: Type.Unknown(),
  seen: Type.Unknown(),
  matched: Type.Boolean(),
  note: Type.Optional(Type.String()),
})

const ActionOutcomeView = Type.Object({
  action: Type.Enum([...actionNames]),
  text: Type.String(),
  status: Type.Enum(['done', 'would', 'skipped', 'failed']),
  detail: Type.Optional(Type.String()),
  case_id: Type.Optional(Type.String()),
  result: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
})

export const DryRunView = Type.Object({
  from: Type.String(),
  to: Type.String(),
  events_scanned: Type.Integer(),
  evaluations: Type.Integer(),
  matched: Type.Integer(),
  cases_opened: Type.Integer(),
  cases_changed: Type.Integer(),
  actions: Type.Record(Type.String(), Type.Integer(), { description: 'Action name → times it would have run' }),
  truncated: Type.Boolean(),
  samples: Type.Array(
    Type.Object({
      event_id: Type.String(),
      event_type: Type.String(),
      occurred_at: Type.String(),
      case_id: Type.Union([Type.String(), Type.Null()]),
      shipment_id: Type.Union([Type.String(), Type.Null()]),
      conditions: Type.Array(ConditionSeenView),
      actions: Type.Array(ActionOutcomeView),
    }),
  ),
})

export const RulesFile = {
  description: 'Every rule of the workspace as one text file (docs/rules-file.md)',
  content: { 'text/plain': { schema: Type.String() } },
}

export const ImportQuery = Type.Object(
  {
    replace: Type.Optional(Type.Boolean({ description: 'Also delete the rules the file does not name' })),
    dry_run: Type.Optional(Type.Boolean({ description: 'Report what would change without changing it' })),
  },
  { additionalProperties: false },
)

const Names = Type.Array(Type.String())
export const ImportView = Type.Object({
  created: Names,
  updated: Names,
  unchanged: Names,
  deleted: Names,
  dry_run: Type.Boolean(),
})

export const ExecutionQuery = PageQueryWith({
  rule_id: Type.Optional(Uuid),
  case_id: Type.Optional(Uuid),
  outcome: Type.Optional(Type.Enum(['fired', 'shadow', 'failed', 'skipped'])),
  trigger: Type.Optional(Trigger),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
})

export const ExecutionView = Type.Object({
  id: Uuid,
  rule_id: Uuid,
  rule_name: Type.String(),
  rule_version: Type.Integer(),
  outcome: Type.Enum(['fired', 'shadow', 'failed', 'skipped']),
  skip_reason: Type.Union([Type.String(), Type.Null()]),
  trigger: Trigger,
  trigger_key: Type.String(),
  event_id: Type.Union([Type.String(), Type.Null()]),
  event_type: Type.Union([Type.String(), Type.Null()]),
  case_id: Type.Union([Type.String(), Type.Null()]),
  shipment_id: Type.Union([Type.String(), Type.Null()]),
  depth: Type.Integer(),
  conditions: Type.Array(ConditionSeenView),
  actions: Type.Array(ActionOutcomeView),
  error: Type.Union([Type.String(), Type.Null()]),
  occurred_at: Timestamp,
  created_at: Timestamp,
})

export const SettingsView = Type.Object({
  max_depth: Type.Integer({ description: 'Rule-caused events run rules again up to this depth' }),
  repeat_limit: Type.Integer({ description: 'A rule fires at most this many times on one case within the window' }),
  repeat_window_minutes: Type.Integer(),
})

export const SettingsBody = Type.Object(
  {
    max_depth: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
    repeat_limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    repeat_window_minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_080 })),
  },
  { additionalProperties: false },
)
