import type { ColumnType, Generated } from 'kysely'
import type { SlaCalendarTables } from './calendars/tables.js'
import type { PolicyDefinition, StepDefinition } from './types.js'

type Instant = ColumnType<Date, Date, Date>
/** jsonb: read as parsed JSON, written as its text. */
type Json<T> = ColumnType<T, string, string>

export type ClockState = 'active' | 'paused' | 'met' | 'breached'

// Tables of migration 0020_sla.sql (the calendars' are in calendars/tables.ts).
export interface SlaTables extends SlaCalendarTables {
  sla_policies: {
    merchant_id: string
    id: string
    name: string
    position: Generated<number>
    fallback: Generated<boolean>
    draft: Json<PolicyDefinition>
    live_version: number
    created_at: Instant
    updated_at: Instant
  }
  sla_policy_versions: {
    merchant_id: string
    policy_id: string
    version: number
    definition: Json<PolicyDefinition>
    published_at: Instant
    published_by: string | null
  }
  sla_clocks: {
    merchant_id: string
    id: string
    case_id: string
    target: string
    episode: number
    policy_id: string
    policy_version: number
    tier: string
    calendar_id: string | null
    minutes: number
    steps: Json<StepDefinition[]>
    fired_steps: Generated<string[]>
    alert_calendar_id: string | null
    milestone_event: string | null
    started_at: Instant
    checkpoint_at: Instant
    spent_minutes: number
    due_at: Instant
    state: ClockState
    paused_at: Instant | null
    paused_seconds: ColumnType<string, number | undefined, number>
    met_at: Instant | null
    breached_at: Instant | null
    source_event_id: string | null
    case_type: string | null
    carrier_code: string | null
    fulfilment_centre: string | null
    team_id: string | null
    updated_at: Instant
  }
  sla_watches: {
    merchant_id: string
    id: string
    case_id: string
    target: string
    percent: number | null
    offset_minutes: number | null
    task: string
    payload: Json<Record<string, unknown>>
    created_at: Instant
  }
  sla_settings: { merchant_id: string; pause_statuses: string[]; updated_at: Instant }
}
