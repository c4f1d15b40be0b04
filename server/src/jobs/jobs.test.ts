import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createTestMerchant, startTestEnv } from '../../test/harness.js'
import { pendingJobs, retryNow, runDueJobs } from '../../test/jobs.js'
import { consumer, type Module } from '../modules.js'
import type { DomainEvent } from './events.js'
import { enqueueEvent, enqueueEvents, outboxRelay, withEventsHeld } from './outbox.js'

// This file's own events (for the compiler; no module emits them).
declare module './events.js' {
  interface DomainEvents {
    'thing.happened': { n?: number; wanted?: boolean; batch?: number; i?: number; nested?: unknown }
    'other.thing': { batch: number; i: number }
  }
}
const seen: { consumer: string; event: DomainEvent }[] = []
let flakyFailures = 0

const testModule: Module = {
  name: 'test',
  consumers: [
    consumer({
      name: 'recorder',
      types: ['thing.happened'],
      handle: async (event) => {
        seen.push({ consumer: 'recorder', event })
      },
    }),
    consumer({
      name: 'flaky',
      types: '*',
      handle: async (event) => {
        if (flakyFailures-- > 0) throw new Error('flaky consumer failed')
        seen.push({ consumer: 'flaky', event })
      },
    }),
    consumer({
      name: 'picky',
      types: ['thing.happened'],
      accepts: (event) => event.data.wanted === true,
      handle: async (event) => {
        seen.push({ consumer: 'picky', event })
      },
    }),
  ],
}

const env = await startTestEnv()
const m = await createTestMerchant(env.ctx)

// Far in the future: jobs run by runOnce must not find these due by the real clock.
const T0 = new Date('2036-03-02T09:00:00Z')

describe('outbox', () => {
  it('publishes nothing from a rolled-back transaction', async () => {
    await env.ctx.db
      .transaction()
      .execute(async (trx) => {
        await enqueueEvent(trx, { merchant_id: m.id, type: 'thing.happened', occurred_at: T0, data: { n: 0 } })
        throw new Error('abort') // rolls the transaction back
      })
      .catch(() => undefined)
    expect(await env.ctx.db.selectFrom('outbox').selectAll().where('merchant_id', '=', m.id).execute()).toEqual([])
    expect((await pendingJobs(env.ctx)).filter((j) => j.task_identifier === 'outbox:deliver')).toEqual([])
  })

  it('delivers a committed event once to each subscribed consumer, even with relays racing', async () => {
    seen.length = 0
    const id = await env.ctx.db.transaction().execute((trx) =>
      enqueueEvent(trx, {
        merchant_id: m.id,
        type: 'thing.happened',
        subject_id: m.id,
        occurred_at: T0,
        data: { n: 1 },
      }),
    )
    // Two processes' relays at once: the row lock (SKIP LOCKED) and the published mark let one relay it.
    const relay = outboxRelay(testModule.consumers!)
    expect((await Promise.all([relay.run(env.ctx, 10), relay.run(env.ctx, 10)])).sort()).toEqual([0, 1])
    expect(await relay.run(env.ctx, 10)).toBe(0)
    await runDueJobs(env.ctx, [testModule])
    expect(seen.map((s) => s.consumer).sort()).toEqual(['flaky', 'recorder'])
    expect(seen[0]!.event).toMatchObject({
      id,
      merchant_id: m.id,
      type: 'thing.happened',
      subject_id: m.id,
      data: { n: 1 },
      occurred_at: T0.toISOString(),
    })
    const row = await env.ctx.db
      .selectFrom('outbox')
      .select('published_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    expect(row.published_at).not.toBeNull()
  })

  it('queues no delivery to a consumer for an event it does not accept', async () => {
    seen.length = 0
    const [wanted, unwanted] = await env.ctx.db.transaction().execute(async (trx) => [
      await enqueueEvent(trx, { merchant_id: m.id, type: 'thing.happened', occurred_at: T0, data: { wanted: true } }),
      await enqueueEvent(trx, {
        merchant_id: m.id,
        type: 'thing.happened',
        occurred_at: T0,
        data: { wanted: false },
      }),
    ])
    await outboxRelay(testModule.consumers!).run(env.ctx, 10)
    const queued = (await pendingJobs(env.ctx))
      .filter((j) => j.task_identifier === 'outbox:deliver')
      .map((j) => j.payload as { consumer: string; event_id: string })
    expect(queued.filter((p) => p.consumer === 'picky').map((p) => p.event_id)).toEqual([wanted])
    expect(
      queued
        .filter((p) => p.event_id === unwanted)
        .map((p) => p.consumer)
        .sort(),
    ).toEqual(['flaky', 'recorder'])
    await runDueJobs(env.ctx, [testModule])
    expect(seen.filter((s) => s.consumer === 'picky').map((s) => s.event.id)).toEqual([wanted])
  })

  it('retries a failing consumer alone, without redelivering to the others', async () => {
    seen.length = 0
    flakyFailures = 1
    await env.ctx.db
      .transaction()
      .execute((trx) =>
        enqueueEvent(trx, { merchant_id: m.id, type: 'thing.happened', occurred_at: T0, data: { n: 2 } }),
      )
    await runDueJobs(env.ctx, [testModule])
    expect(seen.map((s) => s.consumer)).toEqual(['recorder'])
    const failed = (await pendingJobs(env.ctx)).filter((j) => j.task_identifier === 'outbox:deliver')
    expect(failed).toHaveLength(1)
    expect(failed[0]!.attempts).toBe(1)
    await retryNow(env.ctx, 'outbox:deliver') // skip the backoff
    await runDueJobs(env.ctx, [testModule])
    expect(seen.map((s) => s.consumer)).toEqual(['recorder', 'flaky'])
  })
})

describe('events held for a batch', () => {
  const outboxOf = (n: number) =>
    env.ctx.db
      .selectFrom('outbox')
      .select(['id', 'type', 'subject_id', 'occurred_at', 'data'])
      .where('merchant_id', '=', m.id)
      .where(sql<boolean>`(data->>'batch')::int = ${n}`)
      .orderBy('id')
      .execute()

  it('writes them in one statement when the batch ends, in order, with their fields intact', async () => {
    const ids = await env.ctx.db.transaction().execute((trx) =>
      withEventsHeld(trx, async () => {
        const first = await enqueueEvents(trx, [
          {
            merchant_id: m.id,
            type: 'thing.happened',
            subject_id: m.id,
            occurred_at: T0,
            data: { batch: 1, i: 0, nested: { a: [1, 'x'] } },
          },
          { merchant_id: m.id, type: 'thing.happened', occurred_at: T0, data: { batch: 1, i: 1 } },
        ])
        // Nested: held by the outer batch, not written early.
        const second = await withEventsHeld(trx, () =>
          enqueueEvent(trx, { merchant_id: m.id, type: 'other.thing', occurred_at: T0, data: { batch: 1, i: 2 } }),
        )
        const { rows } = await sql<{
          n: number
        }>`select count(*)::int as n from outbox where merchant_id = ${m.id} and (data->>'batch')::int = 1`.execute(trx)
        expect(rows[0]!.n).toBe(0)
        return [...first, second]
      }),
    )
    const rows = await outboxOf(1)
    expect(rows.map((r) => r.id)).toEqual(ids)
    expect(rows).toEqual([
      {
        id: ids[0],
        type: 'thing.happened',
        subject_id: m.id,
        occurred_at: T0,
        data: { batch: 1, i: 0, nested: { a: [1, 'x'] } },
      },
      { id: ids[1], type: 'thing.happened', subject_id: null, occurred_at: T0, data: { batch: 1, i: 1 } },
      { id: ids[2], type: 'other.thing', subject_id: null, occurred_at: T0, data: { batch: 1, i: 2 } },
    ])
  })

  it('writes none when the batch throws, and the transaction writes directly again afterwards', async () => {
    await env.ctx.db.transaction().execute(async (trx) => {
      await withEventsHeld(trx, async () => {
        await enqueueEvent(trx, { merchant_id: m.id, type: 'thing.happened', occurred_at: T0, data: { batch: 2 } })
        throw new Error('batch failed')
      }).catch(() => undefined)
      await enqueueEvent(trx, { merchant_id: m.id, type: 'thing.happened', occurred_at: T0, data: { batch: 3 } })
      const { rows } = await sql<{
        n: number
      }>`select count(*)::int as n from outbox where merchant_id = ${m.id} and (data->>'batch')::int = 3`.execute(trx)
      expect(rows[0]!.n).toBe(1)
    })
    expect(await outboxOf(2)).toEqual([])
    expect(await outboxOf(3)).toHaveLength(1)
  })

  it('takes a large batch of events in one go', async () => {
    const events = Array.from({ length: 2_000 }, (_, i) => ({
      merchant_id: m.id,
      type: 'thing.happened' as const,
      occurred_at: new Date(T0.getTime() + i),
      data: { batch: 4, i },
    }))
    const ids = await env.ctx.db.transaction().execute((trx) => withEventsHeld(trx, () => enqueueEvents(trx, events)))
    const rows = await outboxOf(4)
    expect(rows.map((r) => r.id)).toEqual(ids)
    expect(rows.map((r) => r.occurred_at.getTime() - T0.getTime())).toEqual(events.map((_, i) => i))
  })
})
