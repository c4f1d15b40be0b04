import { sql, type Insertable, type Kysely, type Selectable, type Transaction, type Updateable } from 'kysely'
import type { Database } from '../db/schema.js'
import type { DeliveryStatus } from './tables.js'

type Trx = Transaction<Database>
type Db = Kysely<Database> | Trx

export type DeliveryRow = Selectable<Database['webhook_deliveries']>
export type DeliverySummaryRow = Omit<DeliveryRow, 'headers' | 'body' | 'request_id'> & { body_size: number }

/** Returns the new row's id, or undefined when this connection already has the dedup key. */
export async function insertDelivery(trx: Trx, row: Insertable<Database['webhook_deliveries']>): Promise<string | undefined> {
  const inserted = await trx.insertInto('webhook_deliveries').values(row)
    .onConflict((oc) => oc.columns(['merchant_id', 'connection_id', 'dedup_key']).doNothing())
    .returning('id').executeTakeFirst()
  return inserted?.id
}

export async function findDeliveryIdByDedupKey(db: Db, merchantId: string, connectionId: string, dedupKey: string): Promise<string | undefined> {
  const row = await db.selectFrom('webhook_deliveries').select('id')
    .where('merchant_id', '=', merchantId).where('connection_id', '=', connectionId).where('dedup_key', '=', dedupKey).executeTakeFirst()
  return row?.id
}

export async function findDelivery(db: Db, merchantId: string, id: string): Promise<DeliveryRow | undefined> {
  return db.selectFrom('webhook_deliveries').selectAll().where('merchant_id', '=', merchantId).where('id', '=', id).executeTakeFirst()
}

// Held until commit: a retry, a replay and a second worker never process one delivery at once.
export async function lockDelivery(trx: Trx, merchantId: string, id: string): Promise<DeliveryRow | undefined> {
  return trx.selectFrom('webhook_deliveries').selectAll()
    .where('merchant_id', '=', merchantId).where('id', '=', id).forUpdate().executeTakeFirst()
}

export async function updateDelivery(trx: Trx, merchantId: string, id: string, patch: Updateable<Database['webhook_deliveries']>): Promise<void> {
  await trx.updateTable('webhook_deliveries').set(patch).where('merchant_id', '=', merchantId).where('id', '=', id).execute()
}

/** Counts a failed attempt, unless the delivery was settled meanwhile (processed by another run). */
export async function markDeliveryFailed(
  trx: Trx, merchantId: string, id: string, status: 'failed' | 'dead', error: string,
): Promise<Pick<DeliveryRow, 'source' | 'provider'> | undefined> {
  return trx.updateTable('webhook_deliveries')
    .set((eb) => ({ status, last_error: error, attempts: eb('attempts', '+', 1) }))
    .where('merchant_id', '=', merchantId).where('id', '=', id).where('status', 'in', ['received', 'failed'])
    .returning(['source', 'provider']).executeTakeFirst()
}

export async function listDeliveries(
  db: Db,
  merchantId: string,
  filter: { status?: DeliveryStatus; connectionId?: string; after?: string; limit: number },
): Promise<DeliverySummaryRow[]> {
  let q = db.selectFrom('webhook_deliveries')
    .select(['merchant_id', 'id', 'connection_id', 'source', 'provider', 'dedup_key', 'received_at', 'content_type', 'status', 'attempts', 'last_error', 'processed_at'])
    .select(sql<number>`octet_length(body)`.as('body_size'))
    .where('merchant_id', '=', merchantId).orderBy('id').limit(filter.limit)
  if (filter.status) q = q.where('status', '=', filter.status)
  if (filter.connectionId) q = q.where('connection_id', '=', filter.connectionId)
  if (filter.after) q = q.where('id', '>', filter.after)
  return q.execute()
}

/** Re-opens every delivery in `status` (row-locked by the update); returns what the caller must re-enqueue. */
export async function reopenDeliveries(
  trx: Trx, merchantId: string, filter: { status: 'dead' | 'failed'; connectionId?: string },
): Promise<Pick<DeliveryRow, 'id' | 'source' | 'provider'>[]> {
  let q = trx.updateTable('webhook_deliveries').set({ status: 'received', processed_at: null })
    .where('merchant_id', '=', merchantId).where('status', '=', filter.status)
  if (filter.connectionId) q = q.where('connection_id', '=', filter.connectionId)
  return q.returning(['id', 'source', 'provider']).execute()
}
