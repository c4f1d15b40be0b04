import { sql, type Insertable, type Selectable, type SqlBool } from 'kysely'
import { type Trx, ownedRows, selectOwned, updateOwned } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import type { Db } from './cases.js'

export type NotificationRow = Selectable<Database['notifications']>

/** One unread notification per recipient and dedup key: a second cause saying the same thing adds nothing. */
export async function insertNotifications(
  trx: Trx,
  rows: Insertable<Database['notifications']>[],
): Promise<NotificationRow[]> {
  if (!rows.length) return []
  return trx
    .insertInto('notifications')
    .values(rows)
    .onConflict((oc) => oc.columns(['merchant_id', 'user_id', 'dedup_key']).where('read_at', 'is', null).doNothing())
    .returningAll()
    .execute()
}

export async function listNotifications(
  db: Db,
  merchantId: string,
  userId: string,
  f: { unread?: boolean; after?: string; limit: number },
): Promise<NotificationRow[]> {
  let q = ownedRows(db, 'notifications', merchantId).where('user_id', '=', userId)
  if (f.unread) q = q.where('read_at', 'is', null)
  // Newest by when it happened: a consumer acting on an older event writes (and mints the id) later.
  if (f.after) {
    const after = f.after
    q = q.where(sql<SqlBool>`(created_at, id) < (select a.created_at, a.id from notifications a
      where a.merchant_id = ${merchantId} and a.user_id = ${userId} and a.id = ${after})`)
  }
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute()
}

export async function countUnread(db: Db, merchantId: string, userId: string): Promise<number> {
  const r = await selectOwned(db, 'notifications', merchantId)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(r.n)
}

export async function markNotificationsRead(
  trx: Trx,
  merchantId: string,
  userId: string,
  ids: string[] | 'all',
  now: Date,
): Promise<number> {
  let q = updateOwned(trx, 'notifications', merchantId)
    .set({ read_at: now })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
  if (ids !== 'all') q = q.where('id', 'in', ids.length ? ids : ['00000000-0000-0000-0000-000000000000'])
  return Number((await q.executeTakeFirst()).numUpdatedRows)
}
