import { describe, expect, it } from 'vitest'
import { bearer, startTestApp } from '../../test/harness.js'
import { pendingJobs, runDueJobs } from '../../test/jobs.js'
import { AppError } from '../errors.js'
import { enqueueEvent } from '../jobs/outbox.js'
import type { Module } from '../modules.js'
import { modules as allModules } from '../registry.js'
import { processDeliveryTask } from './tasks.js'
import { seedConnection } from './testing.js'

declare module '../jobs/events.js' {
  interface DomainEvents {
    'test.flaky_processed': Record<string, never>
  }
}

// A carrier whose API is down until told otherwise; it verifies a shared token header.
let failing = true
let failOnly: string | undefined
let processRuns = 0
const flaky: Module = {
  name: 'test-flaky',
  providers: [
    {
      source: '3pl',
      provider: 'flaky',
      maxAttempts: 3,
      verify: ({ headers, secrets }) => {
        if (!secrets.includes(headers['x-token'] ?? '')) throw new AppError('signature_invalid', 'Bad token')
      },
      dedupKey: ({ headers }) => headers['x-event-id']!,
      async process(trx, delivery, _ctx, now) {
        processRuns++
        await enqueueEvent(trx, {
          merchant_id: delivery.merchantId,
          type: 'test.flaky_processed',
          subject_id: delivery.id,
          occurred_at: now,
          data: {},
        })
        if (failing && (!failOnly || delivery.id === failOnly)) throw new Error('carrier API is down')
        return 'processed'
      },
    },
  ],
}
const modules: Module[] = [...allModules, flaky]

const { env, app, m } = await startTestApp({ modules })
const conn = await seedConnection(env.ctx, m.id, {
  provider: 'flaky',
  name: 'Flaky carrier',
  secret: 'token-0123456789',
})

async function receive(eventId: string): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: `/webhooks/3pl/flaky/${conn.id}`,
    payload: { event: eventId },
    headers: { 'x-token': conn.secret, 'x-event-id': eventId },
  })
  expect(res.statusCode).toBe(200)
  return res.json().delivery_id
}

const delivery = (id: string) =>
  env.ctx.db
    .selectFrom('webhook_deliveries')
    .select(['status', 'attempts', 'last_error', 'processed_at'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
const events = async (id: string) =>
  (
    await env.ctx.db
      .selectFrom('outbox')
      .select('id')
      .where('type', '=', 'test.flaky_processed')
      .where('subject_id', '=', id)
      .execute()
  ).length
const job = (attempts: number) => ({ attempts, maxAttempts: 3 })
const internalError = 'internal_error: Processing failed on our side; the details are in the server log'

describe('processing deliveries', () => {
  it('retries a failing processor through graphile-worker, keeping nothing of the failed runs', async () => {
    const id = await receive('evt_retry')
    // No job yet: the inbox drain takes it by its status; its first run fails there.
    expect((await pendingJobs(env.ctx)).filter((j) => j.payload.delivery_id === id)).toEqual([])
    const ok = await receive('evt_retry_neighbour')
    failOnly = id

    await runDueJobs(env.ctx, modules)
    const [retry] = (await pendingJobs(env.ctx)).filter((j) => j.payload.delivery_id === id)
    // It now has a job of its own for the 2 attempts left of 3, due after a backoff.
    expect(retry).toMatchObject({ task_identifier: 'inbox:process', attempts: 0, key: `inbox:process:${id}` })
    expect(retry!.run_at.getTime()).toBeGreaterThan(Date.now())
    const {
      rows: [spec],
    } = await env.ctx.pool.query('select max_attempts from graphile_worker._private_jobs where key = $1', [
      `inbox:process:${id}`,
    ])
    expect(spec.max_attempts).toBe(2)
    // The deliveries API shows our own words only; the provider's or database's message stays in the log.
    expect(await delivery(id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: internalError,
      processed_at: null,
    })
    const shown = await app.inject({ url: `/api/v1/webhooks/deliveries/${id}`, headers: bearer(m.keys.admin) })
    expect(shown.json()).toMatchObject({ status: 'failed', last_error: internalError })
    expect(await events(id)).toBe(0) // the event written before the throw rolled back with it
    // Its neighbour in the same drain transaction went through: the failure rolled back alone.
    expect(await delivery(ok)).toMatchObject({ status: 'processed', attempts: 1 })
    expect(await events(ok)).toBe(1)
    failOnly = undefined
  })

  it('dead-letters a delivery after its last attempt; a replay from dead processes it once', async () => {
    const id = await receive('evt_dead')
    await expect(processDeliveryTask({ merchant_id: m.id, delivery_id: id }, env.ctx, job(1))).rejects.toThrow(
      'carrier API is down',
    )
    await expect(processDeliveryTask({ merchant_id: m.id, delivery_id: id }, env.ctx, job(2))).rejects.toThrow(
      'carrier API is down',
    )
    expect(await delivery(id)).toMatchObject({ status: 'failed', attempts: 2 })
    // The last attempt ends the job instead of throwing: the delivery itself is the dead letter.
    await processDeliveryTask({ merchant_id: m.id, delivery_id: id }, env.ctx, job(3))
    expect(await delivery(id)).toMatchObject({ status: 'dead', attempts: 3, last_error: internalError })

    const runs = processRuns
    await processDeliveryTask({ merchant_id: m.id, delivery_id: id }, env.ctx, job(1)) // a stale job finds it dead
    expect(processRuns).toBe(runs)

    const deadList = await app.inject({
      method: 'GET',
      url: '/api/v1/webhooks/deliveries?status=dead',
      headers: bearer(m.keys.admin),
    })
    expect(deadList.json().data.map((d: { id: string }) => d.id)).toContain(id)

    failing = false
    const replay = await app.inject({
      method: 'POST',
      url: `/api/v1/webhooks/deliveries/${id}/replay`,
      headers: bearer(m.keys.admin),
    })
    expect(replay.statusCode).toBe(200)
    expect(replay.json()).toMatchObject({ id, status: 'received', attempts: 3 })
    const again = await app.inject({
      method: 'POST',
      url: `/api/v1/webhooks/deliveries/${id}/replay`,
      headers: bearer(m.keys.admin),
    })
    expect(again.statusCode).toBe(409)
    expect(again.json()).toEqual({
      error: {
        code: 'delivery_already_queued',
        message: 'This delivery is waiting to be processed already',
        details: { delivery_id: id },
      },
    })

    await runDueJobs(env.ctx, modules)
    expect(await delivery(id)).toMatchObject({ status: 'processed', attempts: 4, last_error: null })
    expect(await events(id)).toBe(1)
    const audit = await env.ctx.db
      .selectFrom('audit_entries')
      .select(['action', 'changes', 'actor_type'])
      .where('entity_id', '=', id)
      .execute()
    expect(audit).toEqual([
      {
        action: 'webhook_delivery.replayed',
        actor_type: 'api_key',
        changes: { status: { from: 'dead', to: 'received' } },
      },
    ])
  })

  it('processes a delivery once when two jobs for it run at the same time (row lock + status check)', async () => {
    failing = false
    const id = await receive('evt_race')
    await Promise.all([1, 2, 3].map(() => processDeliveryTask({ merchant_id: m.id, delivery_id: id }, env.ctx, job(1))))
    expect(await delivery(id)).toMatchObject({ status: 'processed', attempts: 1 })
    expect(await events(id)).toBe(1)
  })

  it('bulk-replays dead deliveries of a connection and counts them', async () => {
    failing = true
    const ids = [await receive('evt_bulk_1'), await receive('evt_bulk_2')]
    for (const id of ids) await processDeliveryTask({ merchant_id: m.id, delivery_id: id }, env.ctx, job(3))
    expect((await Promise.all(ids.map(delivery))).map((d) => d.status)).toEqual(['dead', 'dead'])
    failing = false
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/deliveries/replay',
      headers: bearer(m.keys.admin),
      payload: { status: 'dead', connection_id: conn.id },
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ count: 2 })
    const none = await app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/deliveries/replay',
      headers: bearer(m.keys.admin),
      payload: { status: 'dead' },
    })
    expect(none.json()).toEqual({ count: 0 })
    await runDueJobs(env.ctx, modules)
    expect((await Promise.all(ids.map(delivery))).map((d) => d.status)).toEqual(['processed', 'processed'])
  })

  it('counts processing outcomes', async () => {
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body
    for (const outcome of ['processed', 'failed', 'dead']) {
      expect(text).toMatch(
        new RegExp(
          `claimdesk_webhook_deliveries_processed_total\\{source="3pl",provider="flaky",outcome="${outcome}"\\} [1-9]`,
        ),
      )
    }
  })
})
