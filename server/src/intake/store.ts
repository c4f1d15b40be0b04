import type pg from 'pg'
import { sql, type Insertable, type Selectable, type Updateable } from 'kysely'
import {
  type Db,
  type Trx,
  keyedRows,
  keysetPage,
  ownedRows,
  selectOwned,
  updateKeyed,
  updateOwned,
} from '../db/owned.js'
import type { Database } from '../db/schema.js'
import { unnest } from '../db/multi-row.js'
import { countWhere, deleteBatch } from '../db/purge.js'
import type { DeliveryStatus } from './tables.js'

export type DeliveryRow = Selectable<Database['webhook_deliveries']>
export type DeliverySummaryRow = Omit<DeliveryRow, 'headers' | 'body' | 'request_id'> & { body_size: number }

/** Returns the new row's id, or undefined when this connection already has the dedup key. */
export async function insertDelivery(
  trx: Trx,
  row: Insertable<Database['webhook_deliveries']>,
): Promise<string | undefined> {
  const inserted = await trx
    .insertInto('webhook_deliveries')
    .values(row)
    .onConflict((oc) => oc.columns(['merchant_id', 'connection_id', 'dedup_key']).doNothing())
    .returning('id')
    .executeTakeFirst()
  return inserted?.id
}

export async function findDeliveryIdByDedupKey(
  db: Db,
  merchantId: string,
  connectionId: string,
  dedupKey: string,
): Promise<string | undefined> {
  const row = await selectOwned(db, 'webhook_deliveries', merchantId)
    .select('id')
    .where('connection_id', '=', connectionId)
    .where('dedup_key', '=', dedupKey)
    .executeTakeFirst()
  return row?.id
}

const byKey = keyedRows('webhook_deliveries')

export const findDelivery = byKey.find

export async function findDeliveryBody(db: Db, merchantId: string, id: string): Promise<Buffer | undefined> {
  const row = await selectOwned(db, 'webhook_deliveries', merchantId)
    .select('body')
    .where('id', '=', id)
    .executeTakeFirst()
  return row?.body
}

/** Empties deliveries' bodies and headers (the row, its status and dedup key stay); returns how many changed. */
export async function eraseDeliveryBodies(trx: Trx, merchantId: string, ids: string[]): Promise<number> {
  if (!ids.length) return 0
  const rows = await updateOwned(trx, 'webhook_deliveries', merchantId)
    .set({ body: Buffer.alloc(0), headers: '{}' })
    .where('id', 'in', ids)
    .where((eb) => eb.or([eb(sql`octet_length(body)`, '>', 0), eb(sql`headers`, '<>', sql`'{}'::jsonb`)]))
    .returning('id')
    .execute()
  return rows.length
}

// Held until commit: a retry, a replay and a second worker never process one delivery at once.
export const lockDelivery = byKey.lock

export async function updateDelivery(
  trx: Trx,
  merchantId: string,
  id: string,
  patch: Updateable<Database['webhook_deliveries']>,
): Promise<void> {
  await updateKeyed(trx, 'webhook_deliveries', merchantId, id).set(patch).execute()
}

/** Marks processed deliveries done, counting the attempt; one statement for a batch. */
export async function settleDeliveries(
  trx: Trx,
  rows: { merchant_id: string; id: string; status: 'processed' | 'ignored' }[],
  now: Date,
): Promise<void> {
  if (!rows.length) return
  await sql`update webhook_deliveries d set status = u.status, processed_at = ${now}, attempts = d.attempts + 1, last_error = null
    from ${unnest(rows, [
      ['merchant_id', 'uuid'],
      ['id', 'uuid'],
      ['status', 'text'],
    ])} where d.merchant_id = u.merchant_id and d.id = u.id`.execute(trx)
}

/** Counts a failed attempt, unless the delivery was settled meanwhile (processed by another run). */
export async function markDeliveryFailed(
  trx: Trx,
  merchantId: string,
  id: string,
  status: 'failed' | 'dead',
  error: string,
): Promise<Pick<DeliveryRow, 'source' | 'provider'> | undefined> {
  return updateKeyed(trx, 'webhook_deliveries', merchantId, id)
    .set((eb) => ({ status, last_error: error, attempts: eb('attempts', '+', 1) }))
    .where('status', 'in', ['received', 'failed'])
    .returning(['source', 'provider'])
    .executeTakeFirst()
}

export async function listDeliveries(
  db: Db,
  merchantId: string,
  filter: { status?: DeliveryStatus; connectionId?: string; after?: string; limit: number },
): Promise<DeliverySummaryRow[]> {
  let q = db
    .selectFrom('webhook_deliveries')
    .select([
      'merchant_id',
      'id',
      'connection_id',
      'source',
      'provider',
      'dedup_key',
      'received_at',
      'content_type',
      'status',
      'attempts',
      'last_error',
      'processed_at',
      'body_purged_at',
    ])
    .select(sql<number>`octet_length(body)`.as('body_size'))
    .where('merchant_id', '=', merchantId)
  if (filter.status) q = q.where('status', '=', filter.status)
  if (filter.connectionId) q = q.where('connection_id', '=', filter.connectionId)
  return keysetPage(q, filter).execute()
}

/** Re-opens every delivery in `status` (row-locked by the update); returns what the caller must re-enqueue. */
export async function reopenDeliveries(
  trx: Trx,
  merchantId: string,
  filter: { status: 'dead' | 'failed'; connectionId?: string },
): Promise<Pick<DeliveryRow, 'id' | 'source' | 'provider'>[]> {
  let q = updateOwned(trx, 'webhook_deliveries', merchantId)
    .set({ status: 'received', processed_at: null })
    .where('status', '=', filter.status)
  if (filter.connectionId) q = q.where('connection_id', '=', filter.connectionId)
  return q.returning(['id', 'source', 'provider']).execute()
}

export async function addRejections(
  db: Db,
  rows: { merchant_id: string; connection_id: string; hour: Date; reason: string; count: number }[],
): Promise<void> {
  if (!rows.length) return
  await db
    .insertInto('webhook_rejections')
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(['merchant_id', 'connection_id', 'hour', 'reason'])
        .doUpdateSet((eb) => ({ count: sql`webhook_rejections.count + ${eb.ref('excluded.count')}` })),
    )
    .execute()
}

export type ConnectionStatsRow = {
  connection_id: string
  last_received_at: Date | null
  last_processed_at: Date | null
  deliveries_24h: number
  processed_24h: number
  ignored_24h: number
  waiting: number
  failing: number
  dead: number
  dead_1h: number
  p99_lag_seconds: number | null
  signature_failures_24h: number
  signature_failures_1h: number
  malformed_24h: number
}

/** Delivery and rejection figures per connection over the last 24 hours (and the last hour, for alerts). */
export async function connectionStats(
  db: Db,
  merchantId: string,
  connectionIds: string[],
  now: Date,
): Promise<ConnectionStatsRow[]> {
  if (!connectionIds.length) return []
  const day = new Date(now.getTime() - 86_400_000)
  const hour = new Date(now.getTime() - 3_600_000)
  const { rows } = await sql<ConnectionStatsRow>`
    select c.id as connection_id,
      (select max(received_at) from webhook_deliveries d where d.merchant_id = ${merchantId}::uuid and d.connection_id = c.id) as last_received_at,
      (select max(processed_at) from webhook_deliveries d where d.merchant_id = ${merchantId}::uuid and d.connection_id = c.id and d.status = 'processed') as last_processed_at,
      coalesce(s.deliveries, 0)::int as deliveries_24h, coalesce(s.processed, 0)::int as processed_24h, coalesce(s.ignored, 0)::int as ignored_24h,
      coalesce(s.waiting, 0)::int as waiting, coalesce(s.failing, 0)::int as failing, coalesce(s.dead, 0)::int as dead, coalesce(s.dead_1h, 0)::int as dead_1h,
      s.p99 as p99_lag_seconds,
      coalesce((select sum(count) from webhook_rejections r where r.merchant_id = ${merchantId}::uuid and r.connection_id = c.id and r.reason = 'signature_invalid' and r.hour > ${day}), 0)::int as signature_failures_24h,
      coalesce((select sum(count) from webhook_rejections r where r.merchant_id = ${merchantId}::uuid and r.connection_id = c.id and r.reason = 'signature_invalid' and r.hour >= date_trunc('hour', ${hour}::timestamptz)), 0)::int as signature_failures_1h,
      coalesce((select sum(count) from webhook_rejections r where r.merchant_id = ${merchantId}::uuid and r.connection_id = c.id and r.reason <> 'signature_invalid' and r.hour > ${day}), 0)::int as malformed_24h
    from unnest(${connectionIds}::uuid[]) as c(id)
    left join lateral (
      select count(*) filter (where received_at > ${day}) as deliveries, count(*) filter (where status = 'processed' and received_at > ${day}) as processed,
        count(*) filter (where status = 'ignored' and received_at > ${day}) as ignored, count(*) filter (where status = 'received') as waiting,
        count(*) filter (where status = 'failed') as failing, count(*) filter (where status = 'dead') as dead,
        count(*) filter (where status = 'dead' and received_at > ${hour}) as dead_1h,
        percentile_cont(0.99) within group (order by extract(epoch from processed_at - received_at)) filter (where processed_at is not null and received_at > ${day}) as p99
      from webhook_deliveries d where d.merchant_id = ${merchantId}::uuid and d.connection_id = c.id and (d.received_at > ${day} or d.status in ('received', 'failed', 'dead'))
    ) s on true`.execute(db)
  return rows
}

export async function findHealth(db: Db, merchantId: string, connectionId: string) {
  return ownedRows(db, 'connection_health', merchantId).where('connection_id', '=', connectionId).executeTakeFirst()
}

export async function saveHealth(db: Db, row: Insertable<Database['connection_health']>): Promise<void> {
  await db
    .insertInto('connection_health')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['merchant_id', 'connection_id']).doUpdateSet((eb) => ({
        state: eb.ref('excluded.state'),
        reasons: eb.ref('excluded.reasons'),
        since: eb.ref('excluded.since'),
        checked_at: eb.ref('excluded.checked_at'),
      })),
    )
    .execute()
}

export type NewDelivery = Omit<Insertable<Database['webhook_deliveries']>, 'headers'> & {
  received_at: Date
  headers: Record<string, string>
}

// One JSON parameter for the whole batch: JSON.stringify is native, where pg's array literals escape
// every element in JavaScript (a third of the acknowledgement's database-client time at 5,000/s).
const insertDeliveriesText = `insert into webhook_deliveries (merchant_id, id, connection_id, source, provider, dedup_key, received_at, headers, body, content_type, request_id)
  select merchant_id, id, connection_id, source, provider, dedup_key, received_at, headers, decode(body, 'base64'), content_type, request_id
  from json_to_recordset($1::json) as r(merchant_id uuid, id uuid, connection_id uuid, source text, provider text, dedup_key text,
    received_at timestamptz, headers jsonb, body text, content_type text, request_id text)
  on conflict (merchant_id, connection_id, dedup_key) do nothing returning id`

/**
 * Stores the deliveries whose dedup keys are new, in one statement; returns their ids. This is the
 * acknowledgement's only query, run hundreds of times a second: a named statement with fixed text
 * is parsed and planned once per connection, not once per batch, and skips the query builder.
 */
export async function insertDeliveries(pool: pg.Pool, rows: NewDelivery[]): Promise<{ id: string }[]> {
  const json = JSON.stringify(rows.map((r) => ({ ...r, body: r.body.toString('base64') })))
  return (
    await pool.query<{ id: string }>({ name: 'inbox_insert_deliveries', text: insertDeliveriesText, values: [json] })
  ).rows
}

/** Locks up to `limit` deliveries waiting to be processed, oldest first, skipping those another transaction holds. */
export async function claimWaitingDeliveries(trx: Trx, limit: number): Promise<DeliveryRow[]> {
  return trx
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('status', '=', 'received')
    .orderBy('received_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute()
}

export async function findDeliveryIdsByDedupKeys(
  db: Db,
  keys: { merchant_id: string; connection_id: string; dedup_key: string }[],
): Promise<{ merchant_id: string; connection_id: string; dedup_key: string; id: string }[]> {
  if (!keys.length) return []
  const { rows } = await sql<{
    merchant_id: string
    connection_id: string
    dedup_key: string
    id: string
  }>`select d.merchant_id, d.connection_id, d.dedup_key, d.id
    from ${unnest(keys, [
      ['merchant_id', 'uuid'],
      ['connection_id', 'uuid'],
      ['dedup_key', 'text'],
    ])}
    join webhook_deliveries d on d.merchant_id = u.merchant_id and d.connection_id = u.connection_id and d.dedup_key = u.dedup_key`.execute(
    db,
  )
  return rows
}

// Settled deliveries no replay needs: processed or ignored. Failed and dead ones keep their body for a replay.
const settledBodyBefore = (before: Date) =>
  sql<boolean>`status in ('processed', 'ignored') and body_purged_at is null and received_at < ${before}`

/** Up to `limit` settled deliveries received before `before` lose their raw body and headers; the rows stay. */
export async function purgeDeliveryBodies(db: Db, before: Date, limit: number, now: Date): Promise<number> {
  const res = await sql`update webhook_deliveries set body = ''::bytea, headers = '{}'::jsonb, body_purged_at = ${now}
    where ctid = any(array(select ctid from webhook_deliveries where ${settledBodyBefore(before)}
      limit ${limit} for update skip locked))`.execute(db)
  return Number(res.numAffectedRows ?? 0n)
}

export const countDeliveryBodies = (db: Db, before: Date) =>
  countWhere(db, 'webhook_deliveries', settledBodyBefore(before))

/** Refused-request counters (bad signatures, unknown connections) of hours before `before`. */
export const purgeRejections = (db: Db, before: Date, limit: number) =>
  deleteBatch(db, 'webhook_rejections', sql`hour < ${before}`, limit)
export const countRejections = (db: Db, before: Date) => countWhere(db, 'webhook_rejections', sql`hour < ${before}`)
