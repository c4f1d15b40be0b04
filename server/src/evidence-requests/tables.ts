import type { ColumnType, Generated } from 'kysely'

type Instant = ColumnType<Date, Date, Date>

export const requestStatuses = ['open', 'completed', 'overdue', 'cancelled'] as const
export type RequestStatus = (typeof requestStatuses)[number]
export const requestChannels = ['email', 'sms', 'whatsapp'] as const
export type RequestChannel = (typeof requestChannels)[number]

// Tables of migration 0032_links_requests.sql.
export interface EvidenceRequestTables {
  evidence_requests: {
    merchant_id: string
    id: string
    case_id: string
    type_keys: string[]
    message: string
    due_at: Instant
    status: Generated<RequestStatus>
    link_id: string
    channel: RequestChannel | null
    message_id: string | null
    created_by: string | null
    created_at: Instant
    reminded_at: Instant | null
    overdue_at: Instant | null
    completed_at: Instant | null
    cancelled_at: Instant | null
    cancelled_by: string | null
  }
  evidence_requirements: {
    merchant_id: string
    /** carrier_claim, refund_approval, …; never 'case' (the case type's required_evidence) */
    action: string
    type_keys: string[]
    updated_at: Instant
    updated_by: string | null
  }
}
