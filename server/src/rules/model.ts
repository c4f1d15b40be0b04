// The rules module's shared shapes that need nothing else (tables.ts reads them): the language, compiled rules,
// triggers, facts and executions. types.ts adds the ones that carry a transaction or the app.

export const ruleModes = ['active', 'shadow', 'disabled'] as const
/** active: runs and acts; shadow: runs and logs what it would have done; disabled: does not run. */
export type RuleMode = (typeof ruleModes)[number]

// ---------------------------------------------------------------------------------------------------------------
// The language (parsed by language/parse.ts; names resolved by language/compile.ts)

export type Position = { offset: number; line: number; column: number }
export type Span = { start: Position; end: Position }

/** A problem in a rule's text: 1-based line and column of where it starts and ends, and what was expected there. */
export type RuleProblem = {
  line: number
  column: number
  end_line: number
  end_column: number
  message: string
  /** Tokens the parser would have taken (syntax errors only) */
  expected?: string[]
}

export type Literal =
  | { kind: 'string'; value: string; span: Span }
  | { kind: 'number'; value: number; span: Span }
  /** `100 GBP`: the amount in minor units of the currency */
  | { kind: 'money'; amountMinor: number; currency: string; text: string; span: Span }
  /** `30m`, `24h`, `2d` */
  | { kind: 'duration'; minutes: number; text: string; span: Span }
  /** `75%` */
  | { kind: 'percent'; value: number; span: Span }
  /** A bare word used as a value: `team_lead`, `customer`, `true` */
  | { kind: 'word'; value: string; span: Span }
  | { kind: 'list'; items: Literal[]; span: Span }

export const comparisons = ['=', '!=', '>', '>=', '<', '<=', 'in', 'contains'] as const
export type Comparison = (typeof comparisons)[number]

export type Condition =
  | { kind: 'and' | 'or'; items: Condition[]; span: Span }
  | { kind: 'not'; item: Condition; span: Span }
  /**
   * `field op value`. After compile, `field` is the canonical field key (Facts key) and `resolved` holds the value
   * the engine compares with (a case type's key for its label, a status list for a carrier-event label, …).
   */
  | {
      kind: 'compare'
      field: string
      fieldText: string
      op: Comparison
      value: Literal
      resolved?: unknown
      span: Span
    }

export type ActionArg = { name: string | null; value: Literal; span: Span }
/** One action as written: `send_template('Damage Ack') TO customer VIA sms, email`, `request_attachment('photo') WITH 48h deadline`. */
export type ActionCall = {
  /** As written (`auto-notify`, `set_SLA`) */
  nameText: string
  args: ActionArg[]
  to?: { target: string; via: string[]; span: Span }
  with?: { deadline: Literal; span: Span }
  span: Span
}
export type RuleAst = { condition: Condition; actions: ActionCall[]; span: Span }

// ---------------------------------------------------------------------------------------------------------------
// Compiled rules (what is stored in rules.compiled and evaluated)

export const actionNames = [
  'create_case',
  'update_case',
  'set_sla',
  'set_priority',
  'assign',
  'notify',
  'add_tag',
  'remove_tag',
  'send_template',
  'request_attachment',
  'escalate',
  'set_status',
  'set_root_cause',
  'link_order',
  'check_evidence',
] as const
export type ActionName = (typeof actionNames)[number]

export type NotifyTarget =
  | { kind: 'team_lead' }
  | { kind: 'assignee' }
  | { kind: 'followers' }
  | { kind: 'team'; team_id: string }
  | { kind: 'user'; user_id: string }

/** Each action's arguments once names are resolved to keys and ids (what actions/ receives). */
export type ActionArgs = {
  create_case: { case_type: string; priority?: string; subject?: string }
  update_case: {
    subject?: string
    priority?: string
    team_id?: string | null
    root_cause?: string
    fault_party?: string
  }
  set_sla: { minutes: number; target: 'resolution' | 'first_response' | 'next_response'; business: boolean }
  set_priority: { priority: string }
  assign:
    | { user_id: string }
    | { team_id: string; strategy: 'round_robin' | 'least_loaded' | 'team_only' }
    | { strategy: 'round_robin' | 'least_loaded' }
  notify: { to: NotifyTarget; message?: string }
  add_tag: { tag: string }
  remove_tag: { tag: string }
  /** channels null: the workspace's order of channels (the first that can go) */
  send_template: { template_id: string; purpose: string; channels: ('email' | 'sms' | 'whatsapp')[] | null }
  /** types: evidence type keys; 'photo' asks for the case type's required photo types (any photo satisfies it) */
  request_attachment: { types: string[]; any_photo: boolean; deadline_minutes: number; message?: string }
  escalate: { team_id?: string; reason?: string }
  set_status: { status: string }
  set_root_cause: { root_cause: string; fault_party?: string }
  /** by: the event's shipment's order, else an order number the message names, else the customer's latest */
  link_order: { number?: string }
  /** for: the action whose evidence requirements are checked (carrier_claim, refund, …) */
  check_evidence: { for: string; generate: boolean; request: boolean; deadline_minutes: number }
}
export type CompiledAction = {
  [N in ActionName]: { name: N; args: ActionArgs[N]; text: string; span: Span }
}[ActionName]

export type CompiledRule = {
  /** Always 1 today: a stored rule says which compiled shape it has */
  format: 1
  condition: Condition
  actions: CompiledAction[]
  triggers: TriggerKind[]
  /** Canonical field keys the condition reads */
  fields: FieldKey[]
  /** Thresholds the engine must arm: SLA crossings and carrier silences (see triggers) */
  thresholds: Threshold[]
}

export type Threshold =
  | { kind: 'sla'; target: 'resolution' | 'first_response'; percent: number }
  | { kind: 'sla'; target: 'resolution' | 'first_response'; offsetMinutes: number }
  | { kind: 'carrier_silence'; minutes: number }

/** Resolves the names a rule uses when it is saved (rules/service/resolver.ts implements it on the database). */
export type NameResolver = {
  caseType(name: string): Promise<string | null>
  team(name: string): Promise<string | null>
  user(nameOrEmail: string): Promise<string | null>
  template(name: string): Promise<{ id: string; purpose: string } | null>
  evidenceType(name: string): Promise<string | null>
  currency(code: string): Promise<{ exponent: number } | null>
}

// ---------------------------------------------------------------------------------------------------------------
// Triggers and facts (engine/)

/**
 * What makes the engine evaluate a rule, inferred from the fields it reads (language/fields.ts says which field
 * brings which): carrier_status ← shipment.status_changed; case_opened ← case.opened; case_changed ← case.updated
 * when case_type, priority or status changed; sla_threshold ← the SLA module's threshold hook; message_received ←
 * message.received; evidence ← evidence.added, evidence.request_overdue; carrier_silence ← the clock (no carrier
 * update for the rule's duration); shipment_stale, shipment_late, connection_unhealthy ← those events.
 */
export const triggerKinds = [
  'carrier_status',
  'case_opened',
  'case_changed',
  'sla_threshold',
  'message_received',
  'evidence',
  'carrier_silence',
  'shipment_stale',
  'shipment_late',
  'connection_unhealthy',
] as const
export type TriggerKind = (typeof triggerKinds)[number]

export type Money = { amount_minor: number; currency: string }

/** Everything a condition can read, by canonical field key. null: not known for this trigger. */
export type Facts = {
  /** The domain event type that triggered (or 'clock:carrier_silence', 'clock:sla_threshold') */
  event: string
  /** Canonical tracking status (carriers/model.ts); labels like 'Undeliverable' cover several */
  carrier_event: string | null
  carrier_sub_status: string | null
  carrier: string | null
  service: string | null
  /** Value at stake: the shipment's declared value, else its lines', else the order total */
  value: Money | null
  order_value: Money | null
  customer_segment: string | null
  case_type: string | null
  priority: string | null
  status: string | null
  source: string | null
  tags: string[]
  /** Percent of the running resolution target spent (0–100+) */
  sla_elapsed: number | null
  /** Minutes until the running resolution target is due (negative: overdue) */
  sla_remaining: number | null
  first_response_elapsed: number | null
  first_response_remaining: number | null
  product_category: string | null
  sku: string | null
  fulfilment_centre: string | null
  destination_country: string | null
  channel: string | null
  evidence_count: number | null
  /** Minutes since the newest carrier scan (or since it shipped) */
  time_since_carrier_update: number | null
  message_text: string | null
  connection_status: string | null
  connection_provider: string | null
}
export type FieldKey = keyof Facts

/** Facts that know nothing but the event (what the builder starts from; tests fill in what they need). */
export const blankFacts = (event: string): Facts => ({
  event,
  carrier_event: null,
  carrier_sub_status: null,
  carrier: null,
  service: null,
  value: null,
  order_value: null,
  customer_segment: null,
  case_type: null,
  priority: null,
  status: null,
  source: null,
  tags: [],
  sla_elapsed: null,
  sla_remaining: null,
  first_response_elapsed: null,
  first_response_remaining: null,
  product_category: null,
  sku: null,
  fulfilment_centre: null,
  destination_country: null,
  channel: null,
  evidence_count: null,
  time_since_carrier_update: null,
  message_text: null,
  connection_status: null,
  connection_provider: null,
})

/** One comparison as the engine saw it (the execution log shows these). */
export type ConditionSeen = {
  field: string
  op: Comparison
  expected: unknown
  seen: unknown
  matched: boolean
  /** e.g. "120.00 USD = 95.12 GBP at 0.7927 (rate of 2026-12-01)" */
  note?: string
}

// ---------------------------------------------------------------------------------------------------------------
// Executions

export type ExecutionOutcome = 'fired' | 'shadow' | 'failed' | 'skipped'

export type ActionOutcome = {
  action: ActionName
  text: string
  /** done: it acted; would: shadow or dry run; skipped: nothing to do (said why); failed: refused (said why) */
  status: 'done' | 'would' | 'skipped' | 'failed'
  detail?: string
  /** The case an action opened or acted on */
  case_id?: string
  /** Anything else worth showing (message ids, request id, …) */
  result?: Record<string, unknown>
}

/** The records an action works on; create_case sets caseId for the actions after it. */
export type ActionTarget = {
  caseId: string | null
  shipmentId: string | null
  orderId: string | null
  customerId: string | null
}

/** What a draft rule would have done over stored events in a time range (POST /rules/test, `rules test`). */
export type DryRunReport = {
  from: string
  to: string
  events_scanned: number
  /** Trigger occurrences the rule was evaluated on (an event may reach several cases) */
  evaluations: number
  matched: number
  /** Cases create_case would have opened (an existing case of the type counts as changed) */
  cases_opened: number
  /** Distinct existing cases it would have acted on */
  cases_changed: number
  /** Action name → how many times it would have run */
  actions: Partial<Record<ActionName, number>>
  /** The range held more events than the scan limit */
  truncated: boolean
  /** Up to 50 matches, oldest first */
  samples: {
    event_id: string
    event_type: string
    occurred_at: string
    case_id: string | null
    shipment_id: string | null
    conditions: ConditionSeen[]
    actions: ActionOutcome[]
  }[]
}
