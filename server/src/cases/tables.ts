import type { ColumnType, Generated } from 'kysely'

type Instant = ColumnType<Date, Date, Date>
type Json<T> = ColumnType<T, string, string>

export const caseStatuses = [
  'new',
  'open',
  'waiting_customer',
  'waiting_carrier',
  'on_hold',
  'resolved',
  'closed',
] as const
export type CaseStatus = (typeof caseStatuses)[number]
/** Every status before resolved: the cases still being worked. */
export const unresolvedStatuses: CaseStatus[] = ['new', 'open', 'waiting_customer', 'waiting_carrier', 'on_hold']
export const priorities = ['low', 'normal', 'high', 'urgent'] as const
export type Priority = (typeof priorities)[number]
export const resolutionCodes = [
  'refunded',
  'reshipped',
  'carrier_credited',
  'replaced',
  'repaired',
  'no_action',
  'rejected',
  'duplicate',
] as const
export type ResolutionCode = (typeof resolutionCodes)[number]
export const rootCauses = [
  'carrier',
  'packaging',
  'pick_pack_error',
  'address',
  'customer',
  'fraud',
  'unknown',
] as const
export type RootCause = (typeof rootCauses)[number]
export const fieldTypes = ['text', 'number', 'money', 'date', 'enum', 'boolean'] as const
export type CustomFieldDef = {
  key: string
  label: string
  type: (typeof fieldTypes)[number]
  required?: boolean
  options?: string[]
}
export type ChecklistItem = { key: string; label: string; done: boolean }
export const assignmentStrategies = ['round_robin', 'least_loaded', 'team_only'] as const
export type AssignmentStrategy = (typeof assignmentStrategies)[number]
/** A routing rule: the first whose conditions all match a new case picks its team and how a member is chosen. */
export type RoutingRule = {
  name: string
  when: {
    case_types?: string[]
    carriers?: string[]
    fulfilment_centres?: string[]
    product_categories?: string[]
    priorities?: Priority[]
  }
  team_id: string
  strategy: AssignmentStrategy
}
export type CaseTemplate = {
  subject?: string
  priority?: Priority
  tags?: string[]
  custom_fields?: Record<string, unknown>
  checklist?: string[]
}

// Tables of migrations 0007_cases.sql and 0008_case_work.sql owned by the cases module.
/** Who may read a timeline entry: only the workspace, or the customer too (portal, conversation). */
export const timelineVisibilities = ['internal', 'public'] as const
export type TimelineVisibility = (typeof timelineVisibilities)[number]

export interface CaseTables {
  case_types: {
    merchant_id: string
    id: string
    key: string
    label: string
    description: Generated<string>
    default_priority: Generated<Priority>
    custom_fields: Json<CustomFieldDef[]>
    required_evidence: string[]
    sla_tier: string | null
    template_keys: Json<Record<string, string>>
    template: Json<CaseTemplate>
    builtin: Generated<boolean>
    archived_at: Instant | null
    created_at: Instant
    updated_at: Instant
  }
  case_counters: { merchant_id: string; last_number: number }
  cases: {
    merchant_id: string
    id: string
    number: number
    type_key: string
    subject: string
    status: Generated<CaseStatus>
    priority: Generated<Priority>
    channel: Generated<string>
    source: Generated<string>
    sla_tier: string | null
    customer_id: string | null
    order_id: string | null
    shipment_id: string | null
    carrier_code: string | null
    carrier_name: string | null
    tracking_number: string | null
    product_sku: string | null
    fulfilment_centre: string | null
    value_amount_minor: number | null
    value_currency: string | null
    team_id: string | null
    assignee_id: string | null
    tags: Generated<string[]>
    custom_fields: Json<Record<string, unknown>>
    checklist: Json<ChecklistItem[]>
    evidence_count: Generated<number>
    /** The required evidence types not on the case yet (the evidence module keeps it) */
    missing_evidence: Generated<string[]>
    refund_authorised_by: string | null
    resolution_code: ResolutionCode | null
    resolution_note: string | null
    root_cause: RootCause | null
    fault_party: string | null
    escalation_level: Generated<number>
    escalation_reason: string | null
    parent_id: string | null
    merged_into_id: string | null
    follow_up_of_id: string | null
    split_from_id: Generated<string | null>
    product_category: Generated<string | null>
    external_id: Generated<string | null>
    reopen_count: Generated<number>
    first_acted_at: Instant | null
    first_response_at: Instant | null
    /** The SLA module's summary of the case's clocks (recordCaseActivity writes it), for list filters and sorts */
    sla_next_due_at: Generated<Date | null>
    sla_state: Generated<'active' | 'paused' | 'met' | 'breached' | null>
    resolved_at: Instant | null
    closed_at: Instant | null
    created_at: Instant
    updated_at: Instant
  }
  case_links: {
    merchant_id: string
    case_id: string
    entity_type: string
    entity_id: string
    summary: Json<Record<string, unknown>>
    created_at: Instant
  }
  /** One row per tag of a case, kept by triggers on cases (migration 0010), for tag counts. */
  case_tags: { merchant_id: string; tag: string; created_at: Instant; case_id: string; status: CaseStatus }
  case_timeline: {
    merchant_id: string
    id: string
    case_id: string
    type: string
    occurred_at: Instant
    actor_type: string
    actor_id: string | null
    data: Json<Record<string, unknown>>
    text: string
    dedup_key: string | null
    visibility: Generated<TimelineVisibility>
    created_at: Instant
  }
  case_followers: { merchant_id: string; case_id: string; user_id: string; created_at: Instant }
  notifications: {
    merchant_id: string
    id: string
    user_id: string
    case_id: string | null
    cause: string
    title: string
    body: string
    dedup_key: string
    created_at: Instant
    read_at: Instant | null
  }
  case_settings: {
    merchant_id: string
    exception_policy: Json<unknown>
    reopen_window_hours: Generated<number>
    auto_close_after_hours: Generated<number>
    routing: ColumnType<RoutingRule[], string | undefined, string>
    updated_at: Instant
  }
  case_reviews: {
    merchant_id: string
    id: string
    shipment_id: string
    status: string
    case_type_key: string | null
    reasons: Json<string[]>
    event: Json<Record<string, unknown>>
    state: Generated<'pending' | 'opened' | 'dismissed'>
    case_id: string | null
    decided_by: string | null
    decided_at: Instant | null
    created_at: Instant
  }
  case_agents: {
    merchant_id: string
    user_id: string
    capacity: Generated<number>
    away: Generated<boolean>
    away_until: Instant | null
    last_assigned_at: Instant | null
    updated_at: Instant
  }
  case_presence: {
    merchant_id: string
    case_id: string
    user_id: string
    state: 'viewing' | 'replying'
    since: Instant
    seen_at: Instant
  }
  case_views: {
    merchant_id: string
    id: string
    owner_id: string | null
    name: string
    filters: Json<Record<string, unknown>>
    sort: string
    position: Generated<number>
    created_by: string | null
    created_at: Instant
    updated_at: Instant
  }
}
