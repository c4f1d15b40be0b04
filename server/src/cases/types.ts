import { toWireMoney, type WireMoney } from '../money.js'
import type { CaseTypeRow } from './store/case-types.js'
import type { CaseRow } from './store/cases.js'
import type { LinkRow } from './store/links.js'
import type { NotificationRow } from './store/notifications.js'
import type { ReviewRow } from './store/reviews.js'
import type { TimelineRow } from './store/timeline.js'
import type { CustomFieldDef, CaseTemplate, Priority, TimelineVisibility } from './tables.js'

// The case vocabulary other modules may name (statuses, resolution codes, root causes): declared with the table.
export {
  caseStatuses,
  type CaseStatus,
  priorities,
  type ResolutionCode,
  type RootCause,
  resolutionCodes,
  rootCauses,
  unresolvedStatuses,
} from './tables.js'

export type Money = WireMoney

export type CaseType = {
  id: string
  key: string
  label: string
  description: string
  default_priority: Priority
  custom_fields: CustomFieldDef[]
  required_evidence: string[]
  sla_tier: string | null
  template_keys: Record<string, string>
  template: CaseTemplate
  builtin: boolean
  archived_at: Date | null
  created_at: Date
  updated_at: Date
}

export const toCaseType = (r: CaseTypeRow): CaseType => ({
  id: r.id,
  key: r.key,
  label: r.label,
  description: r.description,
  default_priority: r.default_priority,
  custom_fields: r.custom_fields,
  required_evidence: r.required_evidence,
  sla_tier: r.sla_tier,
  template_keys: r.template_keys,
  template: r.template,
  builtin: r.builtin,
  archived_at: r.archived_at,
  created_at: r.created_at,
  updated_at: r.updated_at,
})

export type CaseLink = { entity_type: string; entity_id: string; summary: Record<string, unknown>; created_at: Date }
export const toLink = (r: LinkRow): CaseLink => ({
  entity_type: r.entity_type,
  entity_id: r.entity_id,
  summary: r.summary,
  created_at: r.created_at,
})

export const caseNumber = (n: number) => `CD-${n}`

/** A case as it leaves: its row, numbered for people, its type by key and its value as money. */
export type Case = Omit<CaseRow, 'merchant_id' | 'number' | 'type_key' | 'value_amount_minor' | 'value_currency'> & {
  number: string
  case_type: string
  value: Money | null
}

export function toCase(r: CaseRow): Case {
  return {
    id: r.id,
    number: caseNumber(r.number),
    case_type: r.type_key,
    subject: r.subject,
    status: r.status,
    priority: r.priority,
    channel: r.channel,
    source: r.source,
    sla_tier: r.sla_tier,
    customer_id: r.customer_id,
    order_id: r.order_id,
    shipment_id: r.shipment_id,
    carrier_code: r.carrier_code,
    carrier_name: r.carrier_name,
    tracking_number: r.tracking_number,
    product_sku: r.product_sku,
    product_category: r.product_category,
    fulfilment_centre: r.fulfilment_centre,
    value: toWireMoney(r.value_amount_minor, r.value_currency),
    team_id: r.team_id,
    assignee_id: r.assignee_id,
    tags: r.tags,
    custom_fields: r.custom_fields,
    checklist: r.checklist,
    evidence_count: r.evidence_count,
    missing_evidence: r.missing_evidence,
    refund_authorised_by: r.refund_authorised_by,
    resolution_code: r.resolution_code,
    resolution_note: r.resolution_note,
    root_cause: r.root_cause,
    fault_party: r.fault_party,
    escalation_level: r.escalation_level,
    escalation_reason: r.escalation_reason,
    parent_id: r.parent_id,
    merged_into_id: r.merged_into_id,
    follow_up_of_id: r.follow_up_of_id,
    split_from_id: r.split_from_id,
    external_id: r.external_id,
    reopen_count: r.reopen_count,
    first_acted_at: r.first_acted_at,
    first_response_at: r.first_response_at,
    sla_next_due_at: r.sla_next_due_at,
    sla_state: r.sla_state,
    resolved_at: r.resolved_at,
    closed_at: r.closed_at,
    created_at: r.created_at,
    updated_at: r.updated_at,
  }
}

export type CaseDetail = Case & { links: CaseLink[]; followers: string[]; children: string[] }

export type TimelineEntry = {
  id: string
  case_id: string
  type: string
  occurred_at: Date
  actor: { type: string; id: string | null }
  data: Record<string, unknown>
  text: string
  /** internal: the workspace only; public: the customer too (portal, conversation) */
  visibility: TimelineVisibility
  created_at: Date
}
export const toTimelineEntry = (r: TimelineRow): TimelineEntry => ({
  id: r.id,
  case_id: r.case_id,
  type: r.type,
  occurred_at: r.occurred_at,
  actor: { type: r.actor_type, id: r.actor_id },
  data: r.data,
  text: r.text,
  visibility: r.visibility,
  created_at: r.created_at,
})

export type Notification = {
  id: string
  case_id: string | null
  cause: string
  title: string
  body: string
  created_at: Date
  read_at: Date | null
}
export const toNotification = (r: NotificationRow): Notification => ({
  id: r.id,
  case_id: r.case_id,
  cause: r.cause,
  title: r.title,
  body: r.body,
  created_at: r.created_at,
  read_at: r.read_at,
})

export type Review = {
  id: string
  shipment_id: string
  status: string
  case_type: string | null
  reasons: string[]
  event: Record<string, unknown>
  state: 'pending' | 'opened' | 'dismissed'
  case_id: string | null
  decided_by: string | null
  decided_at: Date | null
  created_at: Date
}
export const toReview = (r: ReviewRow): Review => ({
  id: r.id,
  shipment_id: r.shipment_id,
  status: r.status,
  case_type: r.case_type_key,
  reasons: r.reasons,
  event: r.event,
  state: r.state,
  case_id: r.case_id,
  decided_by: r.decided_by,
  decided_at: r.decided_at,
  created_at: r.created_at,
})
