import { api, ok } from '../../api/client'

// The rules API's shapes (server/src/rules/types.ts and schemas.ts), until `npm run web:api` generates them.
export type RuleMode = 'active' | 'shadow' | 'disabled'
export type Outcome = 'fired' | 'shadow' | 'failed' | 'skipped'
export type Trigger =
  | 'carrier_status'
  | 'case_opened'
  | 'case_changed'
  | 'sla_threshold'
  | 'message_received'
  | 'evidence'
  | 'carrier_silence'
  | 'shipment_stale'
  | 'shipment_late'
  | 'connection_unhealthy'
export type RuleProblem = {
  line: number
  column: number
  end_line: number
  end_column: number
  message: string
  expected?: string[]
}
export type Rule = {
  id: string
  name: string
  description: string
  source: string
  version: number
  mode: RuleMode
  priority: number
  stop_processing: boolean
  triggers: string[]
  pack: string | null
  created_at: string
  updated_at: string
  stats: { fired: number; shadow: number; failed: number; last_at: string | null }
}
export type RuleVersion = { version: number; source: string; created_at: string; created_by_type?: string }
export type Validation = {
  ok: boolean
  problems: RuleProblem[]
  triggers: string[]
  fields: string[]
  actions: { name: string; text: string }[]
}
export type ConditionSeen = {
  field: string
  op: string
  expected: unknown
  seen: unknown
  matched: boolean
  note?: string
}
export type ActionOutcome = {
  action: string
  text: string
  status: 'done' | 'would' | 'skipped' | 'failed'
  detail?: string
  case_id?: string
}
export type DryRunReport = {
  from: string
  to: string
  events_scanned: number
  evaluations: number
  matched: number
  cases_opened: number
  cases_changed: number
  actions: Record<string, number>
  truncated: boolean
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
export type Execution = {
  id: string
  rule_id: string
  rule_name: string
  rule_version: number
  outcome: Outcome
  skip_reason: string | null
  trigger: string
  event_id: string | null
  event_type: string | null
  case_id: string | null
  case_number?: string | null
  depth: number
  conditions: ConditionSeen[]
  actions: ActionOutcome[]
  error: string | null
  occurred_at: string
  created_at: string
}
export type ExecutionFilter = { rule_id?: string; outcome?: Outcome; trigger?: Trigger; from?: string; to?: string }
export type ImportResult = Record<'created' | 'updated' | 'unchanged' | 'deleted', string[]> & { dry_run: boolean }
export type RuleBody = {
  name: string
  description: string
  source: string
  mode: RuleMode
  stop_processing: boolean
  priority?: number
}

type Call = { data?: unknown; error?: unknown; response: Response }
type Untyped = {
  GET(path: string, init?: object): Promise<Call>
  POST(path: string, init?: object): Promise<Call>
  PATCH(path: string, init?: object): Promise<Call>
  DELETE(path: string, init?: object): Promise<Call>
}
const untyped = api as unknown as Untyped
const got = <T>(call: Promise<Call>) => ok(call) as Promise<T>

export const ruleKeys = { all: ['rules'], one: (id: string) => ['rules', id], log: ['rule-executions'] }

export const listRules = () => got<{ data: Rule[] }>(untyped.GET('/api/v1/rules'))
export const getRule = (id: string) => got<Rule>(untyped.GET(`/api/v1/rules/${encodeURIComponent(id)}`))
export const createRule = (body: RuleBody) => got<Rule>(untyped.POST('/api/v1/rules', { body }))
export const updateRule = (id: string, body: Partial<RuleBody>) =>
  got<Rule>(untyped.PATCH(`/api/v1/rules/${encodeURIComponent(id)}`, { body }))
export const deleteRule = (id: string) => got<unknown>(untyped.DELETE(`/api/v1/rules/${encodeURIComponent(id)}`))
export const listVersions = (id: string) =>
  got<{ data: RuleVersion[] }>(untyped.GET(`/api/v1/rules/${encodeURIComponent(id)}/versions`))
export const validateRule = (source: string) =>
  got<Validation>(untyped.POST('/api/v1/rules/validate', { body: { source } }))
export const testRule = (body: { source: string; from: string; to: string }) =>
  got<DryRunReport>(untyped.POST('/api/v1/rules/test', { body }))
export const listExecutions = (filter: ExecutionFilter, cursor: string | undefined) =>
  got<{ data: Execution[]; next_cursor: string | null }>(
    untyped.GET('/api/v1/rule-executions', {
      params: { query: { ...filter, limit: 50, ...(cursor ? { cursor } : {}) } },
    }),
  )
/** The rules file goes up as it is: text, not JSON. */
export const importRules = (text: string, options: { replace: boolean; dryRun: boolean }) =>
  got<ImportResult>(
    untyped.POST('/api/v1/rules/import', {
      params: { query: { replace: options.replace, dry_run: options.dryRun } },
      body: text,
      bodySerializer: (b: string) => b,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    }),
  )
export const exportUrl = '/api/v1/rules/export'
