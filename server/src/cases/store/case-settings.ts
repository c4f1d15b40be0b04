import type { Insertable } from 'kysely'
import { type Trx, ownedRows } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import type { Db } from './cases.js'

export async function findSettings(db: Db, merchantId: string) {
  return ownedRows(db, 'case_settings', merchantId).executeTakeFirst()
}

export async function upsertSettings(trx: Trx, row: Insertable<Database['case_settings']>): Promise<void> {
  const { merchant_id: _m, ...rest } = row
  await trx
    .insertInto('case_settings')
    .values(row)
    .onConflict((oc) => oc.column('merchant_id').doUpdateSet(rest))
    .execute()
}
