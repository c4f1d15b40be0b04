import type { ConnectionStatus, InboxSource } from './tables.js'
// The source vocabulary other modules name (the inbox stores a source per delivery): declared with the table.
export { type InboxSource, inboxSources } from './tables.js'
import type { ConnectionRow, SecretVersionRow } from './store.js'

/** When each live secret was made and until when it verifies (null: current). Never the secret. */
export type SecretVersion = { id: string; created_at: Date; expires_at: Date | null }

export type Connection = {
  id: string
  source: InboxSource
  provider: string
  name: string
  status: ConnectionStatus
  settings: Record<string, unknown>
  secret_versions: SecretVersion[]
  created_at: Date
  updated_at: Date
}

export function toConnection(row: ConnectionRow, versions: SecretVersionRow[]): Connection {
  return {
    id: row.id,
    source: row.source,
    provider: row.provider,
    name: row.name,
    status: row.status,
    settings: row.settings,
    secret_versions: versions
      .filter((v) => v.connection_id === row.id)
      .map((v) => ({ id: v.id, created_at: v.created_at, expires_at: v.expires_at })),
    created_at: row.created_at,
    updated_at: row.updated_at,
  }
}
