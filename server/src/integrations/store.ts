import type { Insertable, Selectable } from 'kysely'
import {
  type Db,
  type Trx,
  deleteOwned,
  keyedRows,
  keysetPage,
  ownedRows,
  selectOwned,
  updateOwned,
} from '../db/owned.js'
import type { Database } from '../db/schema.js'
import type { InboxSource } from './tables.js'

export type ConnectionRow = Selectable<Database['integration_connections']>
export type SecretVersionRow = Pick<
  Selectable<Database['integration_secrets']>,
  'connection_id' | 'id' | 'created_at' | 'expires_at'
>

export async function insertConnection(
  trx: Trx,
  row: Insertable<Database['integration_connections']>,
): Promise<ConnectionRow> {
  return trx.insertInto('integration_connections').values(row).returningAll().executeTakeFirstOrThrow()
}

const byKey = keyedRows('integration_connections')

export const findConnection = byKey.find

// The webhook URL carries only the connection id; the merchant is whatever that id belongs to.
export async function findConnectionById(db: Db, id: string): Promise<ConnectionRow | undefined> {
  return db.selectFrom('integration_connections').selectAll().where('id', '=', id).executeTakeFirst()
}

// Held until commit, so two rotations of one connection never both keep a "current" secret.
export const lockConnection = byKey.lock

export const updateConnection = byKey.update

export async function listConnections(
  db: Db,
  merchantId: string,
  filter: { source?: InboxSource; provider?: string; after?: string; limit: number },
): Promise<ConnectionRow[]> {
  let q = ownedRows(db, 'integration_connections', merchantId)
  if (filter.source) q = q.where('source', '=', filter.source)
  if (filter.provider) q = q.where('provider', '=', filter.provider)
  return keysetPage(q, filter).execute()
}

export async function insertSecret(trx: Trx, row: Insertable<Database['integration_secrets']>): Promise<void> {
  await trx.insertInto('integration_secrets').values(row).execute()
}

/** Secrets that still verify (not expired), newest first. */
const liveSecrets = (db: Db, merchantId: string, now: Date) =>
  selectOwned(db, 'integration_secrets', merchantId)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('id', 'desc')

/** Metadata only: the ciphertext never leaves this file except through `listLiveCiphertexts`. */
export async function listSecretVersions(
  db: Db,
  merchantId: string,
  connectionIds: string[],
  now: Date,
): Promise<SecretVersionRow[]> {
  if (!connectionIds.length) return []
  return liveSecrets(db, merchantId, now)
    .select(['connection_id', 'id', 'created_at', 'expires_at'])
    .where('connection_id', 'in', connectionIds)
    .execute()
}

export async function listLiveCiphertexts(
  db: Db,
  merchantId: string,
  connectionId: string,
  now: Date,
): Promise<{ ciphertext: string; expires_at: Date | null }[]> {
  return liveSecrets(db, merchantId, now)
    .select(['ciphertext', 'expires_at'])
    .where('connection_id', '=', connectionId)
    .execute()
}

/** Starts the grace period of the current secret(s); returns their ids. */
export async function expireCurrentSecrets(
  trx: Trx,
  merchantId: string,
  connectionId: string,
  expiresAt: Date,
): Promise<string[]> {
  const rows = await updateOwned(trx, 'integration_secrets', merchantId)
    .set({ expires_at: expiresAt })
    .where('connection_id', '=', connectionId)
    .where('expires_at', 'is', null)
    .returning('id')
    .execute()
  return rows.map((r) => r.id)
}

// Expired secrets verify nothing; keeping their ciphertext would only widen what a leak exposes.
export async function deleteExpiredSecrets(
  trx: Trx,
  merchantId: string,
  connectionId: string,
  now: Date,
): Promise<void> {
  await deleteOwned(trx, 'integration_secrets', merchantId)
    .where('connection_id', '=', connectionId)
    .where('expires_at', '<=', now)
    .execute()
}

/** Active connections of every workspace, for sweeps that look at each (health checks). */
export async function listAllActive(db: Db): Promise<ConnectionRow[]> {
  return db
    .selectFrom('integration_connections')
    .selectAll()
    .where('status', '=', 'active')
    .orderBy('merchant_id')
    .orderBy('id')
    .execute()
}
