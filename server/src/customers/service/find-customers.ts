import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import * as store from '../store.js'
import { toCustomer, type Customer } from '../types.js'
import { normalisePhone } from './customer-fields.js'
import { findSurvivorRow } from './survivor.js'

type Db = Kysely<Database> | Transaction<Database>

export async function getCustomer(db: Db, merchantId: string, id: string): Promise<Customer> {
  const row = await store.findCustomer(db, merchantId, id)
  if (!row) throw new AppError('customer_not_found', 'No such customer', { customer_id: id })
  return toCustomer(row, await store.listExternalIds(db, merchantId, [id]))
}

/**
 * When the customer's personal data was erased: undefined for a customer not erased, or unknown here. What each
 * module's erasure consumer starts from (data recorded after it is new, and stays).
 */
export async function findErasedAt(db: Db, merchantId: string, id: string): Promise<Date | undefined> {
  return (await store.findCustomer(db, merchantId, id))?.redacted_at ?? undefined
}

/** The customer a record stands for: itself, or the customer it was merged into (through any earlier merges). */
export async function findSurvivor(db: Db, merchantId: string, id: string): Promise<Customer | undefined> {
  const row = await findSurvivorRow(db, merchantId, id)
  return row ? toCustomer(row, await store.listExternalIds(db, merchantId, [row.id])) : undefined
}

/** The live customer holding this source id: a merged record resolves to the customer it became. */
export async function findCustomerByExternalId(
  db: Db,
  merchantId: string,
  source: string,
  externalId: string,
): Promise<Customer | undefined> {
  const hit = await store.findByExternalId(db, merchantId, source, externalId)
  return hit ? findSurvivor(db, merchantId, hit.customer_id) : undefined
}

export async function listCustomers(db: Db, merchantId: string, filter: store.CustomerFilter): Promise<Customer[]> {
  const rows = await store.listCustomers(db, merchantId, {
    ...filter,
    phone: filter.phone ? (normalisePhone(filter.phone) ?? undefined) : undefined,
  })
  const ids = await store.listExternalIds(
    db,
    merchantId,
    rows.map((r) => r.id),
  )
  return rows.map((r) =>
    toCustomer(
      r,
      ids.filter((e) => e.customer_id === r.id),
    ),
  )
}

/** This customer's id and the ids of every record merged into it: their orders are its orders. */
export async function customerIdentity(db: Db, merchantId: string, id: string): Promise<string[]> {
  const ids = await store.findMergedIds(db, merchantId, id)
  if (!ids.includes(id)) throw new AppError('customer_not_found', 'No such customer', { customer_id: id })
  return ids
}

export async function findDuplicateCustomers(db: Db, merchantId: string, limit = 100) {
  return store.findDuplicateGroups(db, merchantId, limit)
}

/** Customers whose record has not changed since `before` (not erased or merged): retention's erasure candidates. */
export const listCustomersUnchangedSince = (
  db: Db,
  merchantId: string,
  f: { before: Date; after: string | null; limit: number },
) => store.listCustomersUnchangedSince(db, merchantId, f)
