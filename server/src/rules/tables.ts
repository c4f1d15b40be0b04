import type { ColumnType, Generated } from 'kysely'
import type { CompiledRule, ConditionSeen, ExecutionOutcome, ActionOutcome, RuleMode, TriggerKind } from './model.js'

type Instant = ColumnType<Date, Date, Date>
type Json<T> = ColumnType<T, string, string>

// Tables of migration 0033_rules.sql.
export interface RuleTables {
  rules: {
    merchant_id: string
    id: string
    name: string
    description: Generated<string>
    priority: number
    mode: RuleMode
    stop_processing: Generated<boolean>
    version: number
    source: string
    compiled: Json<CompiledRule>
    triggers: TriggerKind[]
    pack: string | null
    created_at: Instant
    updated_at: Instant
    deleted_at: Instant | null
  }
  rule_versions: {
    merchant_id: string
    rule_id: string
    version: number
    source: string
    compiled: Json<CompiledRule>
    created_by_type: string
    created_by: string | null
    created_at: Instant
  }
  rule_executions: {
    merchant_id: string
    id: string
    rule_id: string
    rule_version: number
    outcome: ExecutionOutcome
    skip_reason: string | null
    trigger: TriggerKind
    trigger_key: string
    event_id: string | null
    event_type: string | null
    subject_key: string
    case_id: string | null
    shipment_id: string | null
    depth: Generated<number>
    conditions: Json<ConditionSeen[]>
    actions: Json<ActionOutcome[]>
    error: string | null
    occurred_at: Instant
    created_at: Instant
  }
  rule_events_handled: { merchant_id: string; event_id: string; handled_at: Instant }
  rule_settings: {
    merchant_id: string
    revision: Generated<string>
    max_depth: Generated<number>
    repeat_limit: Generated<number>
    repeat_window_minutes: Generated<number>
    seeded_at: Instant | null
  }
}
