import { sql, type Insertable, type Selectable } from 'kysely'
import { insertRows, unnest, type Columns } from '../db/multi-row.js'
import {
  insertReturning,
  keyedRows,
  keysetPage,
  ownedRows,
  selectOwned,
  type Db,
  type Trx,
  updateOwned,
} from '../db/owned.js'
import type { Database } from '../db/schema.js'

export type CustomerRow = Selectable<Database['customers']>

const byKey = keyedRows('customers')

export const findCustomer = byKey.find

export const lockCustomer = byKey.lock

export async function findByExternalId(db: Db, merchantId: string, source: string, externalId: string) {
  return selectOwned(db, 'customer_external_ids', merchantId)
    .select('customer_id')
    .where('source', '=', source)
    .where('external_id', '=', externalId)
    .executeTakeFirst()
}

/** A live (not merged) customer with this email or phone, oldest first. */
export async function findByContact(
  db: Db,
  merchantId: string,
  contact: { email?: string | null; phone?: string | null },
) {
  if (contact.email) {
    const row = await selectOwned(db, 'customers', merchantId)
      .select('id')
      .where('merged_into_id', 'is', null)
      .where((eb) => eb(eb.fn('lower', ['email']), '=', contact.email!.toLowerCase()))
      .orderBy('id')
      .limit(1)
      .executeTakeFirst()
    if (row) return row
  }
  if (contact.phone) {
    return selectOwned(db, 'customers', merchantId)
      .select('id')
      .where('merged_into_id', 'is', null)
      .where('phone', '=', contact.phone)
      .orderBy('id')
      .limit(1)
      .executeTakeFirst()
  }
  return undefined
}

export async function insertCustomer(trx: Trx, row: Insertable<Database['customers']>) {
  return insertReturning(trx, 'customers', row)
}

export const updateCustomer = byKey.update

export async function addExternalId(
  trx: Trx,
  merchantId: string,
  customerId: string,
  source: string,
  externalId: string,
) {
  await trx
    .insertInto('customer_external_ids')
    .values({ merchant_id: merchantId, source, external_id: externalId, customer_id: customerId })
    .onConflict((oc) => oc.columns(['merchant_id', 'source', 'external_id']).doUpdateSet({ customer_id: customerId }))
    .execute()
}

export async function listExternalIds(db: Db, merchantId: string, customerIds: string[]) {
  if (!customerIds.length) return []
  return ownedRows(db, 'customer_external_ids', merchantId)
    .where('customer_id', 'in', customerIds)
    .orderBy('source')
    .orderBy('external_id')
    .execute()
}

export async function moveExternalIds(trx: Trx, merchantId: string, fromId: string, toId: string) {
  await updateOwned(trx, 'customer_external_ids', merchantId)
    .set({ customer_id: toId })
    .where('customer_id', '=', fromId)
    .execute()
}

export type CustomerFilter = { email?: string; phone?: string; segment?: string; after?: string; limit: number }

export async function listCustomers(db: Db, merchantId: string, f: CustomerFilter) {
  let q = ownedRows(db, 'customers', merchantId).where('merged_into_id', 'is', null)
  if (f.email) q = q.where((eb) => eb(eb.fn('lower', ['email']), '=', f.email!.toLowerCase()))
  if (f.phone) q = q.where('phone', '=', f.phone)
  if (f.segment) q = q.where('segment', '=', f.segment)
  return keysetPage(q, f).execute()
}

/** Groups of live customers sharing an email or a phone: merge candidates. */
export async function findDuplicateGroups(db: Db, merchantId: string, limit: number) {
  const byEmail = await db
    .selectFrom('customers')
    .select((eb) => [
      eb.fn('lower', ['email']).as('key'),
      eb.fn.agg<string[]>('array_agg', ['id']).orderBy('id').as('ids'),
    ])
    .where('merchant_id', '=', merchantId)
    .where('merged_into_id', 'is', null)
    .where('email', 'is not', null)
    .groupBy((eb) => eb.fn('lower', ['email']))
    .having((eb) => eb.fn.countAll(), '>', 1)
    .limit(limit)
    .execute()
  const byPhone = await selectOwned(db, 'customers', merchantId)
    .select((eb) => ['phone as key', eb.fn.agg<string[]>('array_agg', ['id']).orderBy('id').as('ids')])
    .where('merged_into_id', 'is', null)
    .where('phone', 'is not', null)
    .groupBy('phone')
    .having((eb) => eb.fn.countAll(), '>', 1)
    .limit(limit)
    .execute()
  return [
    ...byEmail.map((g) => ({ match: 'email' as const, key: String(g.key), ids: g.ids })),
    ...byPhone.map((g) => ({ match: 'phone' as const, key: String(g.key), ids: g.ids })),
  ]
}

/** The customer and every record merged into it, directly or through earlier merges. */
export async function findMergedIds(db: Db, merchantId: string, id: string): Promise<string[]> {
  const rows = await selectOwned(db, 'customers', merchantId)
    .select('id')
    .where((eb) => eb.or([eb('id', '=', id), eb('merged_into_id', '=', id)]))
    .execute()
  return rows.map((r) => r.id)
}

export async function repointMerged(trx: Trx, merchantId: string, fromId: string, toId: string) {
  await updateOwned(trx, 'customers', merchantId)
    .set({ merged_into_id: toId })
    .where('merged_into_id', '=', fromId)
    .execute()
}

// Set-based SQL for bulk imports (db/multi-row.ts): a batch of 1,000 customers is a few round trips, not thousands.

export async function lockCustomersByExternalId(
  trx: Trx,
  merchantId: string,
  source: string,
  externalIds: string[],
): Promise<(CustomerRow & { external_id: string })[]> {
  if (!externalIds.length) return []
  const { rows } = await sql<CustomerRow & { external_id: string }>`
    select c.*, e.external_id from customer_external_ids e
    join customers c on c.merchant_id = e.merchant_id and c.id = e.customer_id
    where e.merchant_id = ${merchantId} and e.source = ${source} and e.external_id = any(${externalIds}::text[])
    order by c.id for update of c`.execute(trx)
  return rows
}

export async function lockCustomers(trx: Trx, merchantId: string, ids: string[]): Promise<CustomerRow[]> {
  if (!ids.length) return []
  return ownedRows(trx, 'customers', merchantId).where('id', 'in', ids).orderBy('id').forUpdate().execute()
}

export type NewCustomer = Pick<
  CustomerRow,
  'merchant_id' | 'id' | 'name' | 'email' | 'phone' | 'locale' | 'time_zone' | 'segment' | 'created_at' | 'updated_at'
>
const customerColumns: Columns<NewCustomer> = [
  ['merchant_id', 'uuid'],
  ['id', 'uuid'],
  ['name', 'text'],
  ['email', 'text'],
  ['phone', 'text'],
  ['locale', 'text'],
  ['time_zone', 'text'],
  ['segment', 'text'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
]

export async function insertCustomers(trx: Trx, rows: NewCustomer[]): Promise<void> {
  await insertRows(trx, 'customers', rows, customerColumns)
}

export async function updateCustomers(trx: Trx, rows: NewCustomer[]): Promise<void> {
  if (!rows.length) return
  await sql`update customers c set name = u.name, email = u.email, phone = u.phone, locale = u.locale, time_zone = u.time_zone,
      segment = u.segment, updated_at = u.updated_at
    from ${unnest(rows, customerColumns)} where c.merchant_id = u.merchant_id and c.id = u.id`.execute(trx)
}

type ExternalId = Database['customer_external_ids']
const externalIdColumns: Columns<ExternalId> = [
  ['merchant_id', 'uuid'],
  ['source', 'text'],
  ['external_id', 'text'],
  ['customer_id', 'uuid'],
]

export async function insertExternalIds(trx: Trx, rows: ExternalId[]): Promise<void> {
  await insertRows(trx, 'customer_external_ids', rows, externalIdColumns)
}

/** Live, unerased customers unchanged since `before`, by id after `after`: candidates of the customer_data policy. */
export async function listCustomersUnchangedSince(
  db: Db,
  merchantId: string,
  f: { before: Date; after: string | null; limit: number },
): Promise<string[]> {
  let q = selectOwned(db, 'customers', merchantId)
    .select('id')
    .where('redacted_at', 'is', null)
    .where('merged_into_id', 'is', null)
    .where('updated_at', '<', f.before)
    .orderBy('id')
    .limit(f.limit)
  if (f.after) q = q.where('id', '>', f.after)
  return (await q.execute()).map((r) => r.id)
}
