import type { Insertable, Selectable, Updateable } from 'kysely'
import { type Trx, deleteOwned, ownedRows, updateOwned } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import type { Db } from './cases.js'

export type CaseTypeRow = Selectable<Database['case_types']>

export async function insertCaseTypes(trx: Trx, rows: Insertable<Database['case_types']>[]): Promise<void> {
  if (rows.length)
    await trx
      .insertInto('case_types')
      .values(rows)
      .onConflict((oc) => oc.columns(['merchant_id', 'key']).doNothing())
      .execute()
}

export async function listCaseTypes(db: Db, merchantId: string, includeArchived: boolean): Promise<CaseTypeRow[]> {
  let q = ownedRows(db, 'case_types', merchantId)
  if (!includeArchived) q = q.where('archived_at', 'is', null)
  return q.orderBy('created_at').orderBy('key').execute()
}

const selectCaseType = (db: Db, merchantId: string, key: string) =>
  ownedRows(db, 'case_types', merchantId).where('key', '=', key)

export async function findCaseType(db: Db, merchantId: string, key: string): Promise<CaseTypeRow | undefined> {
  return selectCaseType(db, merchantId, key).executeTakeFirst()
}

export async function lockCaseType(trx: Trx, merchantId: string, key: string): Promise<CaseTypeRow | undefined> {
  return selectCaseType(trx, merchantId, key).forUpdate().executeTakeFirst()
}

export async function updateCaseType(
  trx: Trx,
  merchantId: string,
  key: string,
  patch: Updateable<Database['case_types']>,
): Promise<CaseTypeRow> {
  return updateOwned(trx, 'case_types', merchantId)
    .set(patch)
    .where('key', '=', key)
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function deleteCaseType(trx: Trx, merchantId: string, key: string): Promise<void> {
  await deleteOwned(trx, 'case_types', merchantId).where('key', '=', key).execute()
}
