import type { Insertable, Updateable } from 'kysely'
import { type Db, type Trx, keysetPage, selectKeyed, selectOwned, updateKeyed } from '../db/owned.js'
import type { Database } from '../db/schema.js'

const columns = ['id', 'email', 'name', 'role_id', 'status', 'created_at', 'updated_at', 'last_login_at'] as const

export async function findUser(db: Db, merchantId: string, id: string) {
  return selectKeyed(db, 'users', merchantId, id).select(columns).executeTakeFirst()
}

export async function lockUser(trx: Trx, merchantId: string, id: string) {
  return selectKeyed(trx, 'users', merchantId, id).select(columns).forUpdate().executeTakeFirst()
}

export async function listUsers(
  db: Db,
  merchantId: string,
  page: { after?: string; limit: number; status?: 'active' | 'disabled'; roleIds?: string[] },
) {
  let q = selectOwned(db, 'users', merchantId).select(columns)
  if (page.status) q = q.where('status', '=', page.status)
  if (page.roleIds) q = q.where('role_id', 'in', page.roleIds)
  return keysetPage(q, page).execute()
}

export async function findIdsIn(db: Db, merchantId: string, ids: string[]) {
  const rows = await selectOwned(db, 'users', merchantId).select('id').where('id', 'in', ids).execute()
  return rows.map((r) => r.id)
}

export async function findIdByEmail(db: Db, merchantId: string, email: string) {
  return selectOwned(db, 'users', merchantId)
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .executeTakeFirst()
}

/** Everyone with this email, in every workspace (sign-in names the workspace only when it must). */
export async function listByEmail(db: Db, email: string) {
  return db
    .selectFrom('users')
    .select(['merchant_id', 'id', 'password_hash', 'status'])
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .execute()
}

export async function insertUser(trx: Trx, row: Insertable<Database['users']>) {
  await trx.insertInto('users').values(row).execute()
}

export async function updateUser(trx: Trx, merchantId: string, id: string, patch: Updateable<Database['users']>) {
  return updateKeyed(trx, 'users', merchantId, id).set(patch).returning(columns).executeTakeFirstOrThrow()
}

export async function setLastLogin(trx: Trx, merchantId: string, id: string, now: Date) {
  await updateKeyed(trx, 'users', merchantId, id).set({ last_login_at: now }).execute()
}

export async function lockPasswordHash(trx: Trx, merchantId: string, id: string) {
  return selectKeyed(trx, 'users', merchantId, id).select(['password_hash']).forUpdate().executeTakeFirstOrThrow()
}

export async function setPasswordHash(trx: Trx, merchantId: string, id: string, hash: string, now: Date) {
  await updateKeyed(trx, 'users', merchantId, id)
    .set({ password_hash: hash, password_changed_at: now, updated_at: now })
    .execute()
}

/** Locked so two concurrent demotions cannot each see the other as the remaining admin. */
export async function lockOtherActiveHolders(trx: Trx, merchantId: string, roleId: string, exceptId: string) {
  return selectOwned(trx, 'users', merchantId)
    .select('id')
    .where('role_id', '=', roleId)
    .where('status', '=', 'active')
    .where('id', '<>', exceptId)
    .forUpdate()
    .execute()
}
