import type { Insertable, Selectable } from 'kysely'
import { type Trx, keyedRows, keysetPage, ownedRows } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import type { Db } from './cases.js'

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

const byKey = keyedRows('case_reviews')

export const lockReview = byKey.lock

export const updateReview = byKey.update
