import type { Insertable, Kysely } from 'kysely'
import { type Trx, keysetPage, selectKeyed, selectOwned, updateKeyed, updateOwned } from '../db/owned.js'
import type { Database } from '../db/schema.js'

type Db = Kysely<Database>

export async function findSessionByTokenHash(db: Db, tokenHash: Buffer) {
  return db
    .selectFrom('sessions')
    .select(['merchant_id', 'id', 'user_id', 'csrf_token', 'expires_at', 'revoked_at', 'last_seen_at', 'created_at'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst()
}

export async function insertSession(trx: Trx, row: Insertable<Database['sessions']>) {
  await trx.insertInto('sessions').values(row).execute()
}

export async function touchSession(db: Db, merchantId: string, id: string, now: Date, expiresAt: Date) {
  await updateKeyed(db, 'sessions', merchantId, id).set({ last_seen_at: now, expires_at: expiresAt }).execute()
}

export async function revokeSessions(
  trx: Trx,
  merchantId: string,
  filter: { id?: string; userId?: string; exceptId?: string },
  now: Date,
) {
  let q = updateOwned(trx, 'sessions', merchantId).set({ revoked_at: now }).where('revoked_at', 'is', null)
  if (filter.id) q = q.where('id', '=', filter.id)
  if (filter.userId) q = q.where('user_id', '=', filter.userId)
  if (filter.exceptId) q = q.where('id', '<>', filter.exceptId)
  await q.execute()
}

export async function findApiKeyByHash(db: Db, secretHash: Buffer) {
  return db
    .selectFrom('api_keys')
    .select(['merchant_id', 'id', 'name', 'role_id', 'revoked_at', 'expires_at', 'last_used_at'])
    .where('secret_hash', '=', secretHash)
    .executeTakeFirst()
}

export async function touchApiKey(db: Db, merchantId: string, id: string, now: Date) {
  await updateKeyed(db, 'api_keys', merchantId, id).set({ last_used_at: now }).execute()
}

export async function insertApiKey(trx: Trx, row: Insertable<Database['api_keys']>) {
  await trx.insertInto('api_keys').values(row).execute()
}

export async function listApiKeys(db: Db | Trx, merchantId: string, page: { after?: string; limit: number }) {
  const q = selectOwned(db, 'api_keys', merchantId).select([
    'id',
    'name',
    'prefix',
    'role_id',
    'created_by',
    'created_at',
    'last_used_at',
    'expires_at',
    'revoked_at',
  ])
  return keysetPage(q, page).execute()
}

export async function lockApiKey(trx: Trx, merchantId: string, id: string) {
  return selectKeyed(trx, 'api_keys', merchantId, id)
    .select(['id', 'name', 'prefix', 'role_id', 'created_by', 'created_at', 'last_used_at', 'expires_at', 'revoked_at'])
    .forUpdate()
    .executeTakeFirst()
}

export async function revokeApiKey(trx: Trx, merchantId: string, id: string, now: Date) {
  await updateKeyed(trx, 'api_keys', merchantId, id).set({ revoked_at: now }).execute()
}

export async function countRecentFailures(db: Db, by: { emailKey?: string; ip?: string }, since: Date) {
  let q = db
    .selectFrom('login_attempts')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('succeeded', '=', false)
    .where('at', '>=', since)
  if (by.emailKey) q = q.where('email_key', '=', by.emailKey)
  if (by.ip) q = q.where('ip', '=', by.ip)
  return Number((await q.executeTakeFirstOrThrow()).n)
}

export async function insertLoginAttempt(db: Db | Trx, row: Insertable<Database['login_attempts']>) {
  await db.insertInto('login_attempts').values(row).execute()
}

export async function clearFailures(trx: Trx, emailKey: string) {
  await trx.deleteFrom('login_attempts').where('email_key', '=', emailKey).where('succeeded', '=', false).execute()
}

export async function deleteLoginAttemptsBefore(db: Db, before: Date) {
  await db.deleteFrom('login_attempts').where('at', '<', before).execute()
}

export async function deleteSessionsExpiredBefore(db: Db, before: Date) {
  await db.deleteFrom('sessions').where('expires_at', '<', before).execute()
}
