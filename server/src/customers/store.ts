import type { Insertable, Kysely, Selectable, Transaction, Updateable } from 'kysely'
import type { Database } from '../db/schema.js'

type Db = Kysely<Database> | Transaction<Database>
type Trx = Transaction<Database>
export type CustomerRow = Selectable<Database['customers']>

export async function findCustomer(db: Db, merchantId: string, id: string) {
  return db.selectFrom('customers').selectAll().where('merchant_id', '=', merchantId).where('id', '=', id).executeTakeFirst()
}

export async function lockCustomer(trx: Trx, merchantId: string, id: string) {
  return trx.selectFrom('customers').selectAll().where('merchant_id', '=', merchantId).where('id', '=', id).forUpdate().executeTakeFirst()
}

export async function findByExternalId(db: Db, merchantId: string, source: string, externalId: string) {
  return db.selectFrom('customer_external_ids').select('customer_id').where('merchant_id', '=', merchantId)
    .where('source', '=', source).where('external_id', '=', externalId).executeTakeFirst()
}

/** A live (not merged) customer with this email or phone, oldest first. */
export async function findByContact(db: Db, merchantId: string, contact: { email?: string | null; phone?: string | null }) {
  if (contact.email) {
    const row = await db.selectFrom('customers').select('id').where('merchant_id', '=', merchantId).where('merged_into_id', 'is', null)
      .where((eb) => eb(eb.fn('lower', ['email']), '=', contact.email!.toLowerCase())).orderBy('id').limit(1).executeTakeFirst()
    if (row) return row
  }
  if (contact.phone) {
    return db.selectFrom('customers').select('id').where('merchant_id', '=', merchantId).where('merged_into_id', 'is', null)
      .where('phone', '=', contact.phone).orderBy('id').limit(1).executeTakeFirst()
  }
  return undefined
}

export async function insertCustomer(trx: Trx, row: Insertable<Database['customers']>) {
  return trx.insertInto('customers').values(row).returningAll().executeTakeFirstOrThrow()
}

export async function updateCustomer(trx: Trx, merchantId: string, id: string, patch: Updateable<Database['customers']>) {
  return trx.updateTable('customers').set(patch).where('merchant_id', '=', merchantId).where('id', '=', id).returningAll().executeTakeFirstOrThrow()
}

export async function addExternalId(trx: Trx, merchantId: string, customerId: string, source: string, externalId: string) {
  await trx.insertInto('customer_external_ids').values({ merchant_id: merchantId, source, external_id: externalId, customer_id: customerId })
    .onConflict((oc) => oc.columns(['merchant_id', 'source', 'external_id']).doUpdateSet({ customer_id: customerId })).execute()
}

export async function listExternalIds(db: Db, merchantId: string, customerIds: string[]) {
  if (!customerIds.length) return []
  return db.selectFrom('customer_external_ids').selectAll().where('merchant_id', '=', merchantId).where('customer_id', 'in', customerIds)
    .orderBy('source').orderBy('external_id').execute()
}

export async function moveExternalIds(trx: Trx, merchantId: string, fromId: string, toId: string) {
  await trx.updateTable('customer_external_ids').set({ customer_id: toId }).where('merchant_id', '=', merchantId).where('customer_id', '=', fromId).execute()
}

export type CustomerFilter = { email?: string; phone?: string; segment?: string; after?: string; limit: number }

export async function listCustomers(db: Db, merchantId: string, f: CustomerFilter) {
  let q = db.selectFrom('customers').selectAll().where('merchant_id', '=', merchantId).where('merged_into_id', 'is', null).orderBy('id').limit(f.limit)
  if (f.email) q = q.where((eb) => eb(eb.fn('lower', ['email']), '=', f.email!.toLowerCase()))
  if (f.phone) q = q.where('phone', '=', f.phone)
  if (f.segment) q = q.where('segment', '=', f.segment)
  if (f.after) q = q.where('id', '>', f.after)
  return q.execute()
}

/** Groups of live customers sharing an email or a phone: merge candidates. */
export async function findDuplicateGroups(db: Db, merchantId: string, limit: number) {
  const byEmail = await db.selectFrom('customers').select((eb) => [eb.fn('lower', ['email']).as('key'), eb.fn.agg<string[]>('array_agg', ['id']).orderBy('id').as('ids')])
    .where('merchant_id', '=', merchantId).where('merged_into_id', 'is', null).where('email', 'is not', null)
    .groupBy((eb) => eb.fn('lower', ['email'])).having((eb) => eb.fn.countAll(), '>', 1).limit(limit).execute()
  const byPhone = await db.selectFrom('customers').select((eb) => ['phone as key', eb.fn.agg<string[]>('array_agg', ['id']).orderBy('id').as('ids')])
    .where('merchant_id', '=', merchantId).where('merged_into_id', 'is', null).where('phone', 'is not', null)
    .groupBy('phone').having((eb) => eb.fn.countAll(), '>', 1).limit(limit).execute()
  return [...byEmail.map((g) => ({ match: 'email' as const, key: String(g.key), ids: g.ids })), ...byPhone.map((g) => ({ match: 'phone' as const, key: String(g.key), ids: g.ids }))]
}

/** The customer and every record merged into it, directly or through earlier merges. */
export async function findMergedIds(db: Db, merchantId: string, id: string): Promise<string[]> {
  const rows = await db.selectFrom('customers').select('id').where('merchant_id', '=', merchantId)
    .where((eb) => eb.or([eb('id', '=', id), eb('merged_into_id', '=', id)])).execute()
  return rows.map((r) => r.id)
}

export async function repointMerged(trx: Trx, merchantId: string, fromId: string, toId: string) {
  await trx.updateTable('customers').set({ merged_into_id: toId }).where('merchant_id', '=', merchantId).where('merged_into_id', '=', fromId).execute()
}
