import type { ColumnType, Generated } from 'kysely'

type Instant = ColumnType<Date, Date, Date>
type Json<T> = ColumnType<T, string, string>

export const inboxSources = ['carriers', 'messaging', 'payments', 'commerce', '3pl'] as const
export type InboxSource = (typeof inboxSources)[number]
export type ConnectionStatus = 'active' | 'disabled'

// Tables of migration 0003_inbox.sql: connections and their secrets (the deliveries are intake/'s).
export interface IntegrationTables {
  integration_connections: {
    merchant_id: string
    id: string
    source: InboxSource
    provider: string
    name: string
    status: Generated<ConnectionStatus>
    settings: Json<Record<string, unknown>>
    created_at: Instant
    updated_at: Instant
  }
  integration_secrets: {
    merchant_id: string
    id: string
    connection_id: string
    ciphertext: string
    created_at: Instant
    expires_at: Instant | null
  }
}
