import type { Insertable, Transaction, Updateable } from 'kysely'
import { type Db, deleteOwned, keysetPage, ownedRows } from '../db/owned.js'
import type { Database } from '../db/schema.js'

export async function insertMerchant(trx: Transaction<Database>, row: Insertable<Database['merchants']>) {
  return trx.insertInto('merchants').values(row).returningAll().executeTakeFirstOrThrow()
}

export async function findMerchant(db: Db, id: string) {
  return db.selectFrom('merchants').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function findMerchantBySlug(db: Db, slug: string) {
  return db.selectFrom('merchants').selectAll().where('slug', '=', slug).executeTakeFirst()
}

export async function lockMerchant(trx: Transaction<Database>, id: string) {
  return trx.selectFrom('merchants').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
}

export async function updateMerchant(trx: Transaction<Database>, id: string, patch: Updateable<Database['merchants']>) {
  return trx.updateTable('merchants').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}

export async function findCurrencies(db: Db, codes?: string[]) {
  let q = db.selectFrom('currencies').selectAll().orderBy('code')
  if (codes) q = q.where('code', 'in', codes.length ? codes : [''])
  return q.execute()
}

export async function insertRate(trx: Transaction<Database>, row: Insertable<Database['exchange_rates']>) {
  return trx
    .insertInto('exchange_rates')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['merchant_id', 'base_currency', 'quote_currency', 'effective_on']).doUpdateSet({ rate: row.rate }),
    )
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function listRates(db: Db, merchantId: string, page: { after?: string; limit: number }) {
  const q = ownedRows(db, 'exchange_rates', merchantId)
  return keysetPage(q, page).execute()
}

export async function findRateOn(db: Db, merchantId: string, base: string, quote: string, on: string) {
  return ownedRows(db, 'exchange_rates', merchantId)
    .where('base_currency', '=', base)
    .where('quote_currency', '=', quote)
    .where('effective_on', '<=', on)
    .orderBy('effective_on', 'desc')
    .limit(1)
    .executeTakeFirst()
}

export async function deleteRate(trx: Transaction<Database>, merchantId: string, id: string) {
  return deleteOwned(trx, 'exchange_rates', merchantId).where('id', '=', id).returningAll().executeTakeFirst()
}

export async function listMerchantIds(db: Db) {
  return (await db.selectFrom('merchants').select('id').orderBy('id').execute()).map((r) => r.id)
}

export async function findFirstMerchantId(db: Db) {
  return (await db.selectFrom('merchants').select('id').orderBy('id').limit(1).executeTakeFirst())?.id
}

export async function listMerchantSlugs(db: Db, page: { ids?: string[]; limit?: number }) {
  let q = db.selectFrom('merchants').select(['id', 'slug'])
  if (page.ids) q = q.where('id', 'in', page.ids)
  if (page.limit) q = q.limit(page.limit)
  return q.execute()
}
