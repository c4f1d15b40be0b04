import type { Insertable, Selectable, Transaction, Updateable } from 'kysely'
import { keysetPage, lockKeyed, ownedRows, updateKeyed } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import type { Db } from './cases.js'

type Trx = Transaction<Database>

export type ReviewRow = Selectable<Database['case_reviews']>

export async function insertReview(trx: Trx, row: Insertable<Database['case_reviews']>): Promise<boolean> {
  const r = await trx
    .insertInto('case_reviews')
    .values(row)
    .onConflict((oc) => oc.columns(['merchant_id', 'shipment_id', 'status', 'created_at']).doNothing())
    .executeTakeFirst()
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0
}

export async function listReviews(
  db: Db,
  merchantId: string,
  f: { state?: string; after?: string; limit: number },
): Promise<ReviewRow[]> {
  let q = ownedRows(db, 'case_reviews', merchantId)
  if (f.state) q = q.where('state', '=', f.state as 'pending')
  return keysetPage(q, f).execute()
}

export async function lockReview(trx: Trx, merchantId: string, id: string): Promise<ReviewRow | undefined> {
  return lockKeyed(trx, 'case_reviews', merchantId, id)
}

export async function updateReview(
  trx: Trx,
  merchantId: string,
  id: string,
  patch: Updateable<Database['case_reviews']>,
): Promise<ReviewRow> {
  return updateKeyed(trx, 'case_reviews', merchantId, id).set(patch).returningAll().executeTakeFirstOrThrow()
}
