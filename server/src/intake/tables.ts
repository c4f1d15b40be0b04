import type { ColumnType, Generated } from 'kysely'
import type { InboxSource } from '../integrations/tables.js'

type Instant = ColumnType<Date, Date, Date>
type Json<T> = ColumnType<T, string, string>

export const deliveryStatuses = ['received', 'processed', 'failed', 'dead', 'ignored'] as const
export type DeliveryStatus = (typeof deliveryStatuses)[number]

// Tables of migration 0003_inbox.sql: deliveries, refusals and connection health (connections are integrations/').
export interface InboxTables {
  webhook_deliveries: {
    merchant_id: string
    id: string
    connection_id: string
    source: InboxSource
    provider: string
    dedup_key: string
    received_at: Instant
    headers: Json<Record<string, string>>
    body: Buffer
    content_type: string | null
    request_id: string | null
    status: Generated<DeliveryStatus>
    attempts: Generated<number>
    last_error: string | null
    processed_at: Instant | null
    /** The platform retention took its raw body (the row stays; a replay is refused) (0031). */
    body_purged_at: Generated<Date | null>
  }
  webhook_rejections: { merchant_id: string; connection_id: string; hour: Instant; reason: string; count: number }
  connection_health: {
    merchant_id: string
    connection_id: string
    state: 'healthy' | 'unhealthy'
    reasons: Json<string[]>
    since: Instant
    checked_at: Instant
  }
}
