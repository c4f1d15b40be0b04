import type { Kysely, Selectable } from 'kysely'
import type { Database } from '../db/schema.js'

type Db = Kysely<Database>
export type IdempotencyKeyRow = Selectable<Database['idempotency_keys']>
/** Whose key it is: one actor's keys are never another's, even in the same workspace. */
export type IdempotencyScope = {
  merchantId: string
  actorType: IdempotencyKeyRow['actor_type']
  actorId: string
  key: string
}

const columns = (s: IdempotencyScope) => ({
  merchant_id: s.merchantId,
  actor_type: s.actorType,
  actor_id: s.actorId,
  key: s.key,
})

/** True when this request now holds the key; false when the actor has used it already. */
export async function claimIdempotencyKey(
  db: Db,
  s: IdempotencyScope,
  requestHash: string,
  now: Date,
): Promise<boolean> {
  const row = await db
    .insertInto('idempotency_keys')
    .values({
      ...columns(s),
      request_hash: requestHash,
      state: 'in_progress',
      status_code: null,
      response_body: null,
      created_at: now,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('key')
    .executeTakeFirst()
  return row !== undefined
}

export async function findIdempotencyKey(db: Db, s: IdempotencyScope): Promise<IdempotencyKeyRow | undefined> {
  return db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where((eb) => eb.and(columns(s)))
    .executeTakeFirst()
}

export async function completeIdempotencyKey(
  db: Db,
  s: IdempotencyScope,
  statusCode: number,
  responseBody: string,
): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ state: 'done', status_code: statusCode, response_body: responseBody })
    .where((eb) => eb.and(columns(s)))
    .execute()
}

export async function releaseIdempotencyKey(db: Db, s: IdempotencyScope): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where((eb) => eb.and(columns(s)))
    .execute()
}

export async function deleteIdempotencyKeysBefore(db: Db, before: Date): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('created_at', '<', before).execute()
}
