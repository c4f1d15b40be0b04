import type { Transaction } from 'kysely'
import type { Database } from '../db/schema.js'
import { newId } from '../ids.js'
import type { DomainEvent, EventConsumer, JobHandler } from '../modules.js'
import { addJob, addJobs } from './queue.js'

export type NewEvent = {
  merchant_id: string
  type: string
  subject_id?: string | null
  occurred_at: Date
  data: Record<string, unknown>
}

/** Writes a domain event in the caller's transaction; it is relayed to consumers only once that commits. */
export async function enqueueEvent(trx: Transaction<Database>, event: NewEvent): Promise<string> {
  const id = newId()
  await trx.insertInto('outbox').values({
    merchant_id: event.merchant_id, id, type: event.type, subject_id: event.subject_id ?? null,
    occurred_at: event.occurred_at, data: JSON.stringify(event.data), published_at: null,
  }).execute()
  await addJob(trx, 'outbox:relay', { merchant_id: event.merchant_id, event_id: id }, { jobKey: `outbox:${id}` })
  return id
}

/** Many events in two statements (a scan history of dozens of events is one webhook). */
export async function enqueueEvents(trx: Transaction<Database>, events: NewEvent[]): Promise<string[]> {
  if (!events.length) return []
  const rows = events.map((e) => ({
    merchant_id: e.merchant_id, id: newId(), type: e.type, subject_id: e.subject_id ?? null, occurred_at: e.occurred_at, data: JSON.stringify(e.data), published_at: null,
  }))
  await trx.insertInto('outbox').values(rows).execute()
  await addJobs(trx, rows.map((r) => ({ task: 'outbox:relay', payload: { merchant_id: r.merchant_id, event_id: r.id }, jobKey: `outbox:${r.id}` })))
  return rows.map((r) => r.id)
}

/** The relay fans each event out to one job per consumer, so a failing consumer retries alone. */
export function outboxTasks(consumers: EventConsumer[]): Record<string, JobHandler> {
  const byName = new Map(consumers.map((c) => [c.name, c]))
  const relay: JobHandler = async (payload, ctx) => {
    const merchantId = String(payload.merchant_id)
    const eventId = String(payload.event_id)
    await ctx.db.transaction().execute(async (trx) => {
      const row = await trx.selectFrom('outbox').select(['type', 'published_at'])
        .where('merchant_id', '=', merchantId).where('id', '=', eventId).forUpdate().executeTakeFirst()
      if (!row || row.published_at) return
      for (const c of consumers) {
        if (c.types === '*' || c.types.includes(row.type)) {
          await addJob(trx, 'outbox:deliver', { consumer: c.name, merchant_id: merchantId, event_id: eventId },
            { jobKey: `deliver:${eventId}:${c.name}`, jobKeyMode: 'unsafe_dedupe' })
        }
      }
      await trx.updateTable('outbox').set({ published_at: new Date() })
        .where('merchant_id', '=', merchantId).where('id', '=', eventId).execute()
    })
  }
  const deliver: JobHandler = async (payload, ctx) => {
    const consumer = byName.get(String(payload.consumer))
    if (!consumer) return // consumer removed since the event was relayed
    const row = await ctx.db.selectFrom('outbox').selectAll()
      .where('merchant_id', '=', String(payload.merchant_id)).where('id', '=', String(payload.event_id)).executeTakeFirst()
    if (!row) return
    const event: DomainEvent = {
      id: row.id, merchant_id: row.merchant_id, type: row.type, subject_id: row.subject_id,
      occurred_at: row.occurred_at.toISOString(), data: row.data,
    }
    await consumer.handle(event, ctx)
  }
  // Safety net for relay jobs lost to manual queue surgery: re-enqueue anything unpublished after a minute.
  const sweep: JobHandler = async (_payload, ctx) => {
    await ctx.db.transaction().execute(async (trx) => {
      const stale = await trx.selectFrom('outbox').select(['merchant_id', 'id']).where('published_at', 'is', null)
        .where('occurred_at', '<', new Date(Date.now() - 60_000)).limit(1000).execute()
      for (const e of stale) {
        await addJob(trx, 'outbox:relay', { merchant_id: e.merchant_id, event_id: e.id }, { jobKey: `outbox:${e.id}`, jobKeyMode: 'unsafe_dedupe' })
      }
    })
  }
  return { 'outbox:relay': relay, 'outbox:deliver': deliver, 'outbox:sweep': sweep }
}
