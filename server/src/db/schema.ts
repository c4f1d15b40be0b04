import type { ColumnType, Generated } from 'kysely'
import type { AuditTables } from '../audit/tables.js'
import type { AuthTables } from '../auth/tables.js'
import type { CarrierTables } from '../carriers/tables.js'
import type { CaseTables } from '../cases/tables.js'
import type { CsatTables } from '../csat/tables.js'
import type { RetentionTables } from '../retention/tables.js'
import type { CustomerTables } from '../customers/tables.js'
import type { EvidenceRequestTables } from '../evidence-requests/tables.js'
import type { EvidenceTables } from '../evidence/tables.js'
import type { InboxTables } from '../intake/tables.js'
import type { IntegrationTables } from '../integrations/tables.js'
import type { LinkTables } from '../links/tables.js'
import type { MerchantTables } from '../merchants/tables.js'
import type { MessagingTables } from '../messaging/tables.js'
import type { OrderTables } from '../orders/tables.js'
import type { RoleTables } from '../roles/tables.js'
import type { RuleTables } from '../rules/tables.js'
import type { ShipmentTables } from '../shipments/tables.js'
import type { SlaTables } from '../sla/tables.js'
import type { TeamTables } from '../teams/tables.js'
import type { UserTables } from '../users/tables.js'

// Instants are written as Date and read as Date.
type Instant = ColumnType<Date, Date, Date>
type Json<T = unknown> = ColumnType<T, string, string>

// The platform's own tables (idempotency keys for http/, the outbox and clock for jobs/); each module declares its
// tables in its tables.ts, and the Database is their union.
export interface PlatformTables {
  idempotency_keys: {
    merchant_id: string
    key: string
    actor_type: 'user' | 'api_key' | 'system' | 'rule'
    actor_id: string
    request_hash: string
    state: 'in_progress' | 'done'
    status_code: number | null
    response_body: string | null
    created_at: Instant
  }
  /** Fixed-window hit counters of public routes (http/request-limits.ts; 0029). */
  request_limits: {
    key: string
    window_ends_at: Instant
    hits: number
  }
  outbox: {
    merchant_id: string
    id: string
    type: string
    subject_id: string | null
    occurred_at: Instant
    data: Json<Record<string, unknown>>
    published_at: Instant | null
    /** How deep in a chain of rule-caused changes it was written (0033) */
    rule_depth: Generated<number>
  }
  job_workers: { worker_id: string; seen_at: Instant }
  scheduled_actions: {
    merchant_id: string
    id: string
    key: string
    task: string
    payload: Json<Record<string, unknown>>
    run_at: Instant
    state: Generated<ActionState>
    created_at: Instant
    fired_at: Instant | null
    attempts: Generated<number>
    last_error: string | null
    claimed_by: string | null
    claim_until: Instant | null
    ended_at: Instant | null
  }
}

/** A clock action's life: pending, then fired, cancelled, or failed (its handler threw on every attempt). */
export type ActionState = 'scheduled' | 'fired' | 'cancelled' | 'failed'

export interface Database
  extends PlatformTables,
    MerchantTables,
    RoleTables,
    UserTables,
    AuthTables,
    TeamTables,
    AuditTables,
    IntegrationTables,
    InboxTables,
    CustomerTables,
    OrderTables,
    ShipmentTables,
    CarrierTables,
    CaseTables,
    MessagingTables,
    SlaTables,
    CsatTables,
    RetentionTables,
    LinkTables,
    EvidenceRequestTables,
    EvidenceTables,
    RuleTables {}
