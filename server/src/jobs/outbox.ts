import type { Selectable, Transaction } from 'kysely'
import type { Database } from '../db/schema.js'
import { newId } from '../ids.js'
import type { DomainEvent, Drain, EventConsumer, JobHandler } from '../modules.js'
import { addJobs } from './queue.js'

export type NewEvent = {
  merchant_id: string
  type: string
  subject_id?: string | null
  occurred_at: Date
  data: Record<string, unknown>
}

/** Writes a domain event in the caller's transaction; it is relayed to consumers only once that commits. */
export async function enqueueEvent(trx: Transaction<Database>, event: NewEvent): Promise<string> {
  return (await enqueueEvents(trx, [event]))[0]!
}

/**
 * Many events in one statement (a scan history of dozens of events is one webhook). No job is queued:
 * the relay drain finds unpublished events by themselves.
 */
export async function enqueueEvents(trx: Transaction<Database>, events: NewEvent[]): Promise<string[]> {
  if (!events.length) return []
  const rows = events.map((e) => ({
    merchant_id: e.merchant_id, id: newId(), type: e.type, subject_id: e.subject_id ?? null, occurred_at: e.occurred_at, data: JSON.stringify(e.data), published_at: null,
  }))
  await trx.insertInto('outbox').values(rows).execute()
  return rows.map((r) => r.id)
}

type EventKey = { merchant_id: string; id: string; type: string }

/** Fans each event out as one `outbox:deliver` job per subscribed consumer not in `skip`, and marks it published. */
async function publish(trx: Transaction<Database>, consumers: EventConsumer[], rows: EventKey[], skip: string[] = []): Promise<void> {
  await addJobs(trx, rows.flatMap((r) => consumers.filter((c) => !skip.includes(c.name) && (c.types === '*' || c.types.includes(r.type)))
    .map((c) => ({ task: 'outbox:deliver', payload: { consumer: c.name, merchant_id: r.merchant_id, event_id: r.id } }))))
  await trx.updateTable('outbox').set({ published_at: new Date() })
    .where((eb) => eb(eb.refTuple('merchant_id', 'id'), 'in', rows.map((r) => eb.tuple(r.merchant_id, r.id)))).execute()
}

/**
 * The relay: unpublished events, oldest first, a batch per transaction (SKIP LOCKED, so processes share
 * the work), each fanned out as one `outbox:deliver` job per subscribed consumer (a failing consumer
 * retries alone) and marked published in the same transaction, so it is relayed exactly once.
 */
export function outboxRelay(consumers: EventConsumer[]): Drain {
  return {
    name: 'outbox:relay', batchSize: 200,
    run: (ctx, limit) => ctx.db.transaction().execute(async (trx) => {
      const rows = await trx.selectFrom('outbox').select(['merchant_id', 'id', 'type']).where('published_at', 'is', null)
        .orderBy('occurred_at').limit(limit).forUpdate().skipLocked().execute()
      if (rows.length) await publish(trx, consumers, rows)
      return rows.length
    }),
  }
}

const toDomainEvent = (row: Selectable<Database['outbox']>): DomainEvent => ({
  id: row.id, merchant_id: row.merchant_id, type: row.type, subject_id: row.subject_id, occurred_at: row.occurred_at.toISOString(), data: row.data,
})

/**
 * Takes a workspace's unpublished events of these types out of the relay's way (locked till the caller
 * commits; the relay skips them), oldest first: for a caller that hands them to a consumer itself, at
 * the time they happened (the demo replays its history so), then publishes them with `relayEvents`.
 */
export async function claimEvents(
  trx: Transaction<Database>, merchantId: string, f: { types: string[]; subjectId?: string; from?: Date; limit?: number },
): Promise<DomainEvent[]> {
  let query = trx.selectFrom('outbox').selectAll().where('merchant_id', '=', merchantId).where('published_at', 'is', null).where('type', 'in', f.types)
  if (f.subjectId) query = query.where('subject_id', '=', f.subjectId)
  if (f.from) query = query.where('occurred_at', '>=', f.from)
  if (f.limit) query = query.limit(f.limit)
  return (await query.orderBy('occurred_at').orderBy('id').forUpdate().skipLocked().execute()).map(toDomainEvent)
}

/** Publishes claimed events to every subscribed consumer except those that `handled` them already. */
export async function relayEvents(trx: Transaction<Database>, consumers: EventConsumer[], events: DomainEvent[], handled: string[]): Promise<void> {
  if (events.length) await publish(trx, consumers, events, handled)
}

/** `outbox:deliver`: one event to one consumer. */
export function outboxTasks(consumers: EventConsumer[]): Record<string, JobHandler> {
  const byName = new Map(consumers.map((c) => [c.name, c]))
  const deliver: JobHandler = async (payload, ctx) => {
    const consumer = byName.get(String(payload.consumer))
    if (!consumer) return // consumer removed since the event was relayed
    const row = await ctx.db.selectFrom('outbox').selectAll()
      .where('merchant_id', '=', String(payload.merchant_id)).where('id', '=', String(payload.event_id)).executeTakeFirst()
    if (!row) return
    await consumer.handle(toDomainEvent(row), ctx)
  }
  return { 'outbox:deliver': deliver }
}
