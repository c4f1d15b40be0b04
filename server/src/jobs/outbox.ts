import { sql, type Selectable, type Transaction } from 'kysely'
import { executePrepared } from '../db/database.js'
import { heldWrites } from '../db/held-writes.js'
import { countWhere, deleteBatch, type PlatformPurge } from '../db/purge.js'
import type { Database } from '../db/schema.js'
import { newId } from '../ids.js'
import type { Drain, EventConsumer, JobHandler } from '../modules.js'
import type { DomainEvent, EventType, NewEvent } from './events.js'
import { addJobs } from './queue.js'

/** Writes a domain event in the caller's transaction; it is relayed to consumers only once that commits. */
export async function enqueueEvent(trx: Transaction<Database>, event: NewEvent): Promise<string> {
  return (await enqueueEvents(trx, [event]))[0]!
}

type OutboxRow = {
  merchant_id: string
  id: string
  type: EventType
  subject_id: string | null
  occurred_at: Date
  data: object
}

/**
 * Many events in one statement (a scan history of dozens of events is one webhook). No job is queued:
 * the relay drain finds unpublished events by themselves.
 */
export async function enqueueEvents(trx: Transaction<Database>, events: NewEvent[]): Promise<string[]> {
  if (!events.length) return []
  const rows = events.map((e) => ({
    merchant_id: e.merchant_id,
    id: newId(),
    type: e.type,
    subject_id: e.subject_id ?? null,
    occurred_at: e.occurred_at,
    data: e.data,
  }))
  await heldEvents.write(trx, rows)
  return rows.map((r) => r.id)
}

// One JSON parameter keeps the text the same for any number of events, so the statement is prepared.
async function insertEvents(trx: Transaction<Database>, rows: OutboxRow[]): Promise<void> {
  if (!rows.length) return
  await executePrepared(
    trx,
    // rule_depth: the rules engine sets claimdesk.rule_depth in a transaction where rules act (loop protection).
    sql`insert into outbox (merchant_id, id, type, subject_id, occurred_at, data, rule_depth)
    select merchant_id, id, type, subject_id, occurred_at, data,
      coalesce(nullif(current_setting('claimdesk.rule_depth', true), '')::smallint, 0)
    from json_to_recordset(${JSON.stringify(rows)}::json) as r(merchant_id uuid, id uuid, type text, subject_id uuid, occurred_at timestamptz, data jsonb)`,
  )
}

// Transactions whose events are held back and written together when their batch of work ends.
const heldEvents = heldWrites(insertEvents)

/** Runs a batch of work in `trx` with its events written in one statement at the end (see heldWrites). */
export const withEventsHeld = <T>(trx: Transaction<Database>, work: () => Promise<T>): Promise<T> =>
  heldEvents.hold(trx, work)

// The outbox holds only what enqueueEvents wrote, so a row's data is its type's payload.
const toDomainEvent = (row: Selectable<Database['outbox']>): DomainEvent =>
  ({
    id: row.id,
    merchant_id: row.merchant_id,
    type: row.type,
    subject_id: row.subject_id,
    occurred_at: row.occurred_at.toISOString(),
    data: row.data,
  }) as DomainEvent

const subscribed = (c: EventConsumer, e: DomainEvent) =>
  (c.types === '*' || c.types.includes(e.type)) && (!c.accepts || c.accepts(e))

/** Of the events, those each narrowing consumer still wants (by consumer name, as event ids). */
async function narrowed(trx: Transaction<Database>, consumers: EventConsumer[], events: DomainEvent[]) {
  const wanted = new Map<string, Set<string>>()
  for (const c of consumers) {
    const taken = c.narrow ? events.filter((e) => subscribed(c, e)) : []
    if (taken.length) wanted.set(c.name, new Set((await c.narrow!(trx, taken)).map((e) => e.id)))
  }
  return wanted
}

/** Fans each event out as one `outbox:deliver` job per consumer (not in `skip`) that takes it, and marks it published. */
async function publish(
  trx: Transaction<Database>,
  consumers: EventConsumer[],
  events: DomainEvent[],
  skip: string[] = [],
): Promise<void> {
  const live = consumers.filter((c) => !skip.includes(c.name))
  const wanted = await narrowed(trx, live, events)
  await addJobs(
    trx,
    events.flatMap((e) =>
      live
        .filter((c) => subscribed(c, e) && (!c.narrow || !!wanted.get(c.name)?.has(e.id)))
        .map((c) => ({
          task: 'outbox:deliver',
          payload: { consumer: c.name, merchant_id: e.merchant_id, event_id: e.id },
        })),
    ),
  )
  await trx
    .updateTable('outbox')
    .set({ published_at: new Date() })
    .where((eb) =>
      eb(
        eb.refTuple('merchant_id', 'id'),
        'in',
        events.map((e) => eb.tuple(e.merchant_id, e.id)),
      ),
    )
    .execute()
}

/**
 * The relay: unpublished events, oldest first, a batch per transaction (SKIP LOCKED, so processes share
 * the work), each fanned out as one `outbox:deliver` job per consumer that takes it (a failing consumer
 * retries alone) and marked published in the same transaction, so it is relayed exactly once.
 */
export function outboxRelay(consumers: EventConsumer[]): Drain {
  return {
    name: 'outbox:relay',
    batchSize: 200,
    run: (ctx, limit) =>
      ctx.db.transaction().execute(async (trx) => {
        const rows = await trx
          .selectFrom('outbox')
          .selectAll()
          .where('published_at', 'is', null)
          .orderBy('occurred_at')
          .limit(limit)
          .forUpdate()
          .skipLocked()
          .execute()
        if (rows.length) await publish(trx, consumers, rows.map(toDomainEvent))
        return rows.length
      }),
  }
}

/**
 * Takes a workspace's unpublished events of these types out of the relay's way (locked till the caller
 * commits; the relay skips them), oldest first: for a caller that hands them to a consumer itself, at
 * the time they happened (the demo replays its history so), then publishes them with `relayEvents`.
 */
export async function claimEvents<T extends EventType>(
  trx: Transaction<Database>,
  merchantId: string,
  f: { types: readonly T[]; subjectId?: string; from?: Date; limit?: number },
): Promise<DomainEvent<T>[]> {
  let query = trx
    .selectFrom('outbox')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('published_at', 'is', null)
    .where('type', 'in', f.types)
  if (f.subjectId) query = query.where('subject_id', '=', f.subjectId)
  if (f.from) query = query.where('occurred_at', '>=', f.from)
  if (f.limit) query = query.limit(f.limit)
  const rows = await query.orderBy('occurred_at').orderBy('id').forUpdate().skipLocked().execute()
  return rows.map(toDomainEvent) as DomainEvent<T>[] // of the types asked for
}

/** Publishes claimed events to every subscribed consumer except those that `handled` them already. */
export async function relayEvents(
  trx: Transaction<Database>,
  consumers: EventConsumer[],
  events: DomainEvent[],
  handled: string[],
): Promise<void> {
  if (events.length) await publish(trx, consumers, events, handled)
}

/** `outbox:deliver`: one event to one consumer. */
export function outboxTasks(consumers: EventConsumer[]): Record<string, JobHandler> {
  const byName = new Map(consumers.map((c) => [c.name, c]))
  const deliver: JobHandler = async (payload, ctx) => {
    const consumer = byName.get(String(payload.consumer))
    if (!consumer) return // consumer removed since the event was relayed
    const row = await ctx.db
      .selectFrom('outbox')
      .selectAll()
      .where('merchant_id', '=', String(payload.merchant_id))
      .where('id', '=', String(payload.event_id))
      .executeTakeFirst()
    if (!row) return
    await consumer.handle(toDomainEvent(row), ctx)
  }
  return { 'outbox:deliver': deliver }
}

/** Relayed events past OUTBOX_RETENTION_DAYS: their consumers had them (a delivery retried later finds none and ends). */
export const outboxPurge: PlatformPurge = {
  name: 'outbox',
  keepDays: (config) => config.retention.outboxDays,
  purge: (db, before, limit) => deleteBatch(db, 'outbox', sql`published_at < ${before}`, limit),
  count: (db, before) => countWhere(db, 'outbox', sql`published_at < ${before}`),
}
