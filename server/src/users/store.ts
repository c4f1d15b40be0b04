import type { Insertable, Kysely, Transaction, Updateable } from 'kysely'
import type { Database } from '../db/schema.js'

type Trx = Transaction<Database>
type Db = Kysely<Database> | Trx

const columns = ['id', 'email', 'name', 'role_id', 'status', 'created_at', 'updated_at', 'last_login_at'] as const

export async function findUser(db: Db, merchantId: string, id: string) {
  return db
    .selectFrom('users')
    .select(columns)
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function lockUser(trx: Trx, merchantId: string, id: string) {
  return trx
    .selectFrom('users')
    .select(columns)
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()
}

export async function listUsers(
  db: Db,
  merchantId: string,
  page: { after?: string; limit: number; status?: 'active' | 'disabled'; roleIds?: string[] },
) {
  let q = db.selectFrom('users').select(columns).where('merchant_id', '=', merchantId).orderBy('id').limit(page.limit)
  if (page.after) q = q.where('id', '>', page.after)
  if (page.status) q = q.where('status', '=', page.status)
  if (page.roleIds) q = q.where('role_id', 'in', page.roleIds)
  return q.execute()
}

export async function findIdsIn(db: Db, merchantId: string, ids: string[]) {
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('merchant_id', '=', merchantId)
    .where('id', 'in', ids)
    .execute()
  return rows.map((r) => r.id)
}

export async function findIdByEmail(db: Db, merchantId: string, email: string) {
  return db
    .selectFrom('users')
    .select('id')
    .where('merchant_id', '=', merchantId)
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
  return trx
    .updateTable('users')
    .set(patch)
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .returning(columns)
    .executeTakeFirstOrThrow()
}

export async function setLastLogin(trx: Trx, merchantId: string, id: string, now: Date) {
  await trx
    .updateTable('users')
    .set({ last_login_at: now })
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .execute()
}

export async function lockPasswordHash(trx: Trx, merchantId: string, id: string) {
  return trx
    .selectFrom('users')
    .select(['password_hash'])
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirstOrThrow()
}

export async function setPasswordHash(trx: Trx, merchantId: string, id: string, hash: string, now: Date) {
  await trx
    .updateTable('users')
    .set({ password_hash: hash, password_changed_at: now, updated_at: now })
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .execute()
}

/** Locked so two concurrent demotions cannot each see the other as the remaining admin. */
export async function lockOtherActiveHolders(trx: Trx, merchantId: string, roleId: string, exceptId: string) {
  return trx
    .selectFrom('users')
    .select('id')
    .where('merchant_id', '=', merchantId)
    .where('role_id', '=', roleId)
    .where('status', '=', 'active')
    .where('id', '<>', exceptId)
    .forUpdate()
    .execute()
}
