import type { ColumnType, Generated } from 'kysely'
import type { AuditTables } from '../audit/tables.js'
import type { CarrierTables } from '../carriers/tables.js'
import type { CaseTables } from '../cases/tables.js'
import type { CustomerTables } from '../customers/tables.js'
import type { InboxTables } from '../intake/tables.js'
import type { IntegrationTables } from '../integrations/tables.js'
import type { OrderTables } from '../orders/tables.js'
import type { ShipmentTables } from '../shipments/tables.js'

// Instants are written as Date and read as Date.
type Instant = ColumnType<Date, Date, Date>
type Json<T = unknown> = ColumnType<T, string, string>

export interface PlatformTables {
  currencies: { code: string; exponent: number }
  merchants: {
    id: string
    slug: string
    name: string
    brand_name: string
    time_zone: string
    default_currency: string
    currencies: string[]
    audit_pepper: Buffer
    created_at: Instant
    updated_at: Instant
  }
  exchange_rates: {
    merchant_id: string
    id: string
    base_currency: string
    quote_currency: string
    rate: string // numeric: kept as an exact decimal string
    effective_on: string
    created_at: Instant
  }
  roles: {
    merchant_id: string
    id: string
    builtin_key: string | null
    name: string
    description: Generated<string>
    created_at: Instant
    updated_at: Instant
  }
  role_permissions: {
    merchant_id: string
    role_id: string
    permission: string
    limit_amount_minor: number | null
    limit_currency: string | null
  }
  users: {
    merchant_id: string
    id: string
    email: string
    name: string
    password_hash: string
    role_id: string
    status: Generated<'active' | 'disabled'>
    created_at: Instant
    updated_at: Instant
    password_changed_at: Instant
    last_login_at: Instant | null
  }
  sessions: {
    merchant_id: string
    id: string
    user_id: string
    token_hash: Buffer
    csrf_token: string
    ip: string | null
    user_agent: string | null
    created_at: Instant
    last_seen_at: Instant
    expires_at: Instant
    revoked_at: Instant | null
  }
  api_keys: {
    merchant_id: string
    id: string
    name: string
    prefix: string
    secret_hash: Buffer
    role_id: string
    created_by: string | null
    created_at: Instant
    last_used_at: Instant | null
    expires_at: Instant | null
    revoked_at: Instant | null
  }
  login_attempts: { id: string; email_key: string; ip: string; succeeded: boolean; at: Instant }
  teams: {
    merchant_id: string
    id: string
    name: string
    description: Generated<string>
    lead_user_id: string | null
    created_at: Instant
    updated_at: Instant
  }
  team_members: { merchant_id: string; team_id: string; user_id: string; added_at: Instant }
  idempotency_keys: {
    merchant_id: string
    key: string
    actor_type: 'user' | 'api_key' | 'system'
    actor_id: string
    request_hash: string
    state: 'in_progress' | 'done'
    status_code: number | null
    response_body: string | null
    created_at: Instant
  }
  outbox: {
    merchant_id: string
    id: string
    type: string
    subject_id: string | null
    occurred_at: Instant
    data: Json<Record<string, unknown>>
    published_at: Instant | null
  }
  job_workers: { worker_id: string; seen_at: Instant }
  scheduled_actions: {
    merchant_id: string
    id: string
    key: string
    task: string
    payload: Json<Record<string, unknown>>
    run_at: Instant
    state: Generated<'scheduled' | 'fired' | 'cancelled'>
    created_at: Instant
    fired_at: Instant | null
  }
}

export interface Database
  extends PlatformTables,
    AuditTables,
    IntegrationTables,
    InboxTables,
    CustomerTables,
    OrderTables,
    ShipmentTables,
    CarrierTables,
    CaseTables {}
