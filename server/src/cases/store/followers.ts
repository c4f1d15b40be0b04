import { type Trx, deleteOwned, selectOwned } from '../../db/owned.js'
import type { Db } from './cases.js'

export async function insertFollowers(
  trx: Trx,
  merchantId: string,
  caseId: string,
  userIds: string[],
  now: Date,
): Promise<void> {
  if (!userIds.length) return
  await trx
    .insertInto('case_followers')
    .values(userIds.map((u) => ({ merchant_id: merchantId, case_id: caseId, user_id: u, created_at: now })))
    .onConflict((oc) => oc.columns(['merchant_id', 'case_id', 'user_id']).doNothing())
    .execute()
}

export async function deleteFollower(trx: Trx, merchantId: string, caseId: string, userId: string): Promise<void> {
  await deleteOwned(trx, 'case_followers', merchantId)
    .where('case_id', '=', caseId)
    .where('user_id', '=', userId)
    .execute()
}

export async function listFollowers(db: Db, merchantId: string, caseId: string): Promise<string[]> {
  const rows = await selectOwned(db, 'case_followers', merchantId)
    .select('user_id')
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .execute()
  return rows.map((r) => r.user_id)
}
