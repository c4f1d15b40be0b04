import type { Insertable, Transaction } from 'kysely'
import type { Database } from '../db/schema.js'

export async function insertEntry(trx: Transaction<Database>, row: Insertable<Database['audit_entries']>): Promise<void> {
  await trx.insertInto('audit_entries').values(row).execute()
  await trx.insertInto('audit_pending').values({ merchant_id: row.merchant_id, entry_id: row.id }).execute()
}

export async function findPepper(trx: Transaction<Database>, merchantId: string): Promise<Buffer | undefined> {
  const row = await trx.selectFrom('merchants').select('audit_pepper').where('id', '=', merchantId).executeTakeFirst()
  return row?.audit_pepper
}
