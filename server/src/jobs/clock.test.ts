import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { createTestMerchant, startTestEnv } from '../../test/harness.js'
import { runDueJobs } from '../../test/jobs.js'
import type { ClockHandler, Module } from '../modules.js'
import {
  cancelAction,
  cancelActions,
  findAction,
  fireAction,
  fireActions,
  maxAttempts,
  purgeEndedActions,
  scheduleAction,
  scheduleActions,
} from './clock.js'
import { startClockRunner } from './clock-runner.js'
import { enqueueEvent } from './outbox.js'

// Each handler call, by action id: a handler runs once per armed action.
const calls = new Map<string, number>()
const notes: string[] = []
let flaky = 0
const handlers: Record<string, ClockHandler> = {
  'test:remind': async (_trx, action) => {
    calls.set(action.id, (calls.get(action.id) ?? 0) + 1)
    notes.push(String(action.payload.note))
  },
  'test:flaky': async (_trx, action) => {
    if (flaky-- > 0) throw new Error('flaky handler failed')
    notes.push(String(action.payload.note))
  },
  'test:broken': async () => {
    throw new Error('always fails')
  },
  // Announces itself in the outbox, then fails when its note says so.
  'test:announce': async (trx, action, _ctx, now) => {
    const note = String(action.payload.note)
    await enqueueEvent(trx, {
      merchant_id: action.merchantId,
      type: 'sla.paused',
      occurred_at: now,
      data: { case_id: action.id, targets: [note], status: 'announced' },
    })
    if (note.startsWith('broken')) throw new Error('announced, then failed')
  },
  // Arms its own key again, a minute on: a repeating step.
  'test:repeat': async (trx, action, _ctx, now) => {
    notes.push(`repeat ${action.payload.left}`)
    const left = Number(action.payload.left)
    if (left > 0)
      await scheduleAction(
        trx,
        {
          merchantId: action.merchantId,
          key: action.key,
          task: action.task,
          runAt: new Date(action.runAt.getTime() + 60_000),
          payload: { left: left - 1 },
        },
        now,
      )
  },
}
const testModule: Module = { name: 'test', clockTasks: handlers }

const env = await startTestEnv()
const m = await createTestMerchant(env.ctx)
const { db } = env.ctx

// Far in the future: nothing here falls due by the real clock unless a test says so.
const T0 = new Date('2036-03-02T09:00:00Z')
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000)

const schedule = (key: string, runAt: Date, note: string, task = 'test:remind') =>
  db.transaction().execute((trx) => scheduleAction(trx, { merchantId: m.id, key, task, runAt, payload: { note } }, T0))
const cancel = (key: string) => db.transaction().execute((trx) => cancelAction(trx, m.id, key))
const fire = (key: string, now: Date) =>
  db.transaction().execute((trx) => fireAction(trx, handlers, env.ctx, m.id, key, now))
const rowsOf = (key: string) =>
  db
    .selectFrom('scheduled_actions')
    .select(['id', 'state', 'run_at', 'attempts', 'last_error', 'claim_until'])
    .where('merchant_id', '=', m.id)
    .where('key', '=', key)
    .orderBy('created_at')
    .orderBy('id')
    .execute()

/** Waits for a condition (a poll with a deadline, not a sleep). */
async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}
const pendingOf = async (prefix: string) =>
  Number(
    (
      await db
        .selectFrom('scheduled_actions')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('merchant_id', '=', m.id)
        .where('key', 'like', `${prefix}%`)
        .where('state', '=', 'scheduled')
        .executeTakeFirstOrThrow()
    ).n,
  )

describe('the clock model', () => {
  it('keeps one pending action per key: scheduling it again moves it', async () => {
    await schedule('case-1:first-response', at(60), 'first')
    await schedule('case-1:first-response', at(120), 'moved')
    const rows = await rowsOf('case-1:first-response')
    expect(rows.map((r) => [r.state, r.run_at.toISOString()])).toEqual([['scheduled', at(120).toISOString()]])
    expect((await findAction(db, m.id, 'case-1:first-response'))?.payload).toEqual({ note: 'moved' })
  })

  it('schedules and cancels several keys in one statement each: a pending key moves, a key given twice keeps its last', async () => {
    await schedule('batch-1:a', at(60), 'a first')
    const input = (key: string, minutes: number, note: string) => ({
      merchantId: m.id,
      key,
      task: 'test:remind',
      runAt: at(minutes),
      payload: { note },
    })
    await db
      .transaction()
      .execute((trx) =>
        scheduleActions(
          trx,
          [input('batch-1:a', 90, 'a moved'), input('batch-1:b', 30, 'b'), input('batch-1:b', 45, 'b last')],
          T0,
        ),
      )
    expect((await rowsOf('batch-1:a')).map((r) => [r.state, r.run_at.toISOString()])).toEqual([
      ['scheduled', at(90).toISOString()],
    ])
    expect(await findAction(db, m.id, 'batch-1:b')).toMatchObject({ runAt: at(45), payload: { note: 'b last' } })
    const cancelled = await db
      .transaction()
      .execute((trx) => cancelActions(trx, m.id, ['batch-1:a', 'batch-1:b', 'batch-1:none']))
    expect(cancelled).toBe(2)
    expect(await pendingOf('batch-1:')).toBe(0)
    expect(await db.transaction().execute((trx) => cancelActions(trx, m.id, []))).toBe(0)
  })

  it('fires once when due, and arms the key again once it fired: a new action, fired once too', async () => {
    notes.length = 0
    await schedule('case-2:breach', at(180), 'breach')
    expect(await fire('case-2:breach', new Date(at(180).getTime() - 1))).toBe('not_due')
    expect(await fire('case-2:breach', at(180))).toBe('fired')
    expect(await fire('case-2:breach', at(181))).toBe('skipped')
    expect(await schedule('case-2:breach', at(240), 'breach again')).toBe('scheduled')
    expect(await fire('case-2:breach', at(239))).toBe('not_due')
    expect(await fire('case-2:breach', at(240))).toBe('fired')
    expect(await fire('case-2:breach', at(241))).toBe('skipped')
    expect(notes).toEqual(['breach', 'breach again'])
    const rows = await rowsOf('case-2:breach')
    expect(rows.map((r) => r.state)).toEqual(['fired', 'fired'])
    expect(rows.every((r) => calls.get(r.id) === 1)).toBe(true)
  })

  it('never fires a cancelled action, and arms the key again after a cancel', async () => {
    notes.length = 0
    await schedule('case-3:pause', at(60), 'cancelled')
    expect(await cancel('case-3:pause')).toBe(true)
    expect(await cancel('case-3:pause')).toBe(false)
    expect(await fire('case-3:pause', at(61))).toBe('skipped')
    await schedule('case-3:pause', at(90), 'resumed')
    expect(await fire('case-3:pause', at(90))).toBe('fired')
    expect(notes).toEqual(['resumed'])
    expect((await rowsOf('case-3:pause')).map((r) => r.state)).toEqual(['cancelled', 'fired'])
    expect((await findAction(db, m.id, 'case-3:pause'))?.state).toBe('fired')
  })

  it('lets a handler arm its own key again', async () => {
    notes.length = 0
    await db
      .transaction()
      .execute((trx) =>
        scheduleAction(
          trx,
          { merchantId: m.id, key: 'case-7:repeat', task: 'test:repeat', runAt: at(10), payload: { left: 2 } },
          T0,
        ),
      )
    for (const minute of [10, 11, 12, 13]) await fire('case-7:repeat', at(minute))
    expect(notes).toEqual(['repeat 2', 'repeat 1', 'repeat 0'])
    expect((await rowsOf('case-7:repeat')).map((r) => [r.state, r.run_at.toISOString()])).toEqual([
      ['fired', at(10).toISOString()],
      ['fired', at(11).toISOString()],
      ['fired', at(12).toISOString()],
    ])
  })

  it('fires exactly once when firers race for the same action (row lock and state check)', async () => {
    notes.length = 0
    await schedule('case-4:race', at(60), 'race')
    const results = await Promise.all([1, 2, 3].map(() => fire('case-4:race', at(60))))
    expect(results.sort()).toEqual(['fired', 'skipped', 'skipped'])
    expect(notes).toEqual(['race'])
  })

  it('rolls back a throwing handler alone, fires the others in the same transaction, retries it, and marks it failed at last', async () => {
    notes.length = 0
    // Fails in the batch's first pass (which is then rolled back and run again a savepoint per action),
    // and again in that second pass: one failed attempt.
    flaky = 2
    await schedule('case-5:a', at(60), 'a')
    await schedule('case-5:b', at(60), 'b', 'test:flaky')
    await schedule('case-5:c', at(60), 'c')
    await schedule('case-5:d', at(60), 'd', 'test:broken')
    const refs = await Promise.all(
      ['a', 'b', 'c', 'd'].map(async (k) => ({ merchantId: m.id, id: (await rowsOf(`case-5:${k}`))[0]!.id })),
    )
    const fireAll = (now: Date) => db.transaction().execute((trx) => fireActions(trx, handlers, env.ctx, refs, now))
    expect(await fireAll(at(60))).toEqual(['fired', 'retry', 'fired', 'retry'])
    expect([...new Set(notes)]).toEqual(['a', 'c'])
    const [b] = await rowsOf('case-5:b')
    expect(b).toMatchObject({ state: 'scheduled', attempts: 1, last_error: 'flaky handler failed' })
    // Not claimable again until its backoff is over.
    expect(b!.claim_until!.getTime()).toBeGreaterThan(at(60).getTime())
    expect(await fireAll(at(61))).toEqual(['skipped', 'fired', 'skipped', 'retry'])
    expect([...new Set(notes)]).toEqual(['a', 'c', 'b'])
    expect((await rowsOf('case-5:b'))[0]).toMatchObject({ state: 'fired', attempts: 2 })
    for (let i = 3; i < maxAttempts; i++) expect((await fireAll(at(60 + i)))[3]).toBe('retry')
    expect((await fireAll(at(70)))[3]).toBe('failed')
    expect((await rowsOf('case-5:d'))[0]).toMatchObject({
      state: 'failed',
      attempts: maxAttempts,
      last_error: 'always fails',
    })
    // A failed action's key can be armed again.
    await schedule('case-5:d', at(80), 'd again')
    expect((await rowsOf('case-5:d')).map((r) => r.state)).toEqual(['failed', 'scheduled'])
    await cancel('case-5:d')
  })

  it("writes a batch's events together, and none of a handler that threw", async () => {
    for (const k of ['ok-1', 'ok-2', 'broken-1']) await schedule(`announce:${k}`, at(90), k, 'test:announce')
    const ref = async (k: string) => ({ merchantId: m.id, id: (await rowsOf(`announce:${k}`))[0]!.id })
    const announced = async () =>
      (
        await db
          .selectFrom('outbox')
          .select(sql<string>`data->'targets'->>0`.as('note'))
          .where('merchant_id', '=', m.id)
          .where(sql<string>`data->>'status'`, '=', 'announced')
          .execute()
      )
        .map((r) => r.note)
        .sort()
    const fireBatch = async (keys: string[]) => {
      const refs = await Promise.all(keys.map(ref))
      return db.transaction().execute((trx) => fireActions(trx, handlers, env.ctx, refs, at(90)))
    }
    expect(await fireBatch(['ok-1', 'broken-1'])).toEqual(['fired', 'retry'])
    expect(await announced()).toEqual(['ok-1'])
    expect(await fireBatch(['ok-2'])).toEqual(['fired'])
    expect(await announced()).toEqual(['ok-1', 'ok-2'])
    await cancel('announce:broken-1')
  })

  it('purges actions that ended before the retention period, keeping pending and recent ones', async () => {
    await schedule('purge:pending', at(60), 'pending')
    await schedule('purge:old', at(60), 'old')
    await schedule('purge:recent', at(60), 'recent')
    await fire('purge:old', at(60))
    await fire('purge:recent', at(60))
    await db
      .updateTable('scheduled_actions')
      .set({ ended_at: new Date(Date.now() - 8 * 86_400_000) })
      .where('merchant_id', '=', m.id)
      .where('key', '=', 'purge:old')
      .execute()
    await db
      .updateTable('scheduled_actions')
      .set({ ended_at: new Date(Date.now() - 6 * 86_400_000) })
      .where('merchant_id', '=', m.id)
      .where('key', '=', 'purge:recent')
      .execute()
    expect(await purgeEndedActions(db, new Date(), env.ctx.config.clockRetentionDays)).toBeGreaterThanOrEqual(1)
    expect(await rowsOf('purge:old')).toEqual([])
    expect((await rowsOf('purge:recent')).map((r) => r.state)).toEqual(['fired'])
    expect((await rowsOf('purge:pending')).map((r) => r.state)).toEqual(['scheduled'])
    await cancel('purge:pending')
  })

  it('fires what is due in runDueJobs, where no runner runs', async () => {
    notes.length = 0
    await schedule('case-6:queue', new Date(Date.now() - 1000), 'due now')
    await runDueJobs(env.ctx, [testModule])
    expect(notes).toEqual(['due now'])
  })
})

describe('the clock runner', () => {
  it('fires each action once with two runners racing for them, even when leases lapse at once', async () => {
    const n = 60
    const base = Date.now() + 300
    for (let i = 0; i < n; i++) await schedule(`race:${i}`, new Date(base + (i % 10) * 20), `race ${i}`)
    // Leases that end at the instant itself: both runners may claim every due action; firing decides.
    const runners = [1, 2].map(() => startClockRunner(env.ctx, handlers, { leaseMs: 0, pollMs: 20, purgeEveryMs: 0 }))
    try {
      await until('every race action fired', async () => (await pendingOf('race:')) === 0)
    } finally {
      await Promise.all(runners.map((stop) => stop()))
    }
    const rows = await db
      .selectFrom('scheduled_actions')
      .select(['id', 'state'])
      .where('merchant_id', '=', m.id)
      .where('key', 'like', 'race:%')
      .execute()
    expect(rows).toHaveLength(n)
    expect(rows.every((r) => r.state === 'fired' && calls.get(r.id) === 1)).toBe(true)
  })

  it('is woken by scheduleAction for an action due now, without waiting for its poll', async () => {
    const stop = startClockRunner(env.ctx, handlers, { pollMs: 3_600_000, purgeEveryMs: 0 })
    try {
      // The runner's first claim finds nothing; only the NOTIFY of the schedule below can wake it.
      await until('the runner listening', async () => {
        const { rows } = await env.ctx.pool.query(
          `select count(*) as n from pg_stat_activity where datname = current_database() and query ilike 'listen %'`,
        )
        return Number(rows[0].n) > 0
      })
      await schedule('wake:1', new Date(), 'woken')
      await until('the action fired', async () => (await pendingOf('wake:')) === 0)
    } finally {
      await stop()
    }
    expect((await rowsOf('wake:1')).map((r) => r.state)).toEqual(['fired'])
  })

  it('fires a backlog that came due while no runner ran, claims of a dead runner included, once', async () => {
    const past = Date.now() - 60_000
    for (let i = 0; i < 20; i++) await schedule(`backlog:${i}`, new Date(past + i * 1000), `backlog ${i}`)
    // Half were held by a runner that died: its leases have lapsed.
    await db
      .updateTable('scheduled_actions')
      .set({ claimed_by: 'dead-host:1:dead', claim_until: new Date(past + 3000) })
      .where('merchant_id', '=', m.id)
      .where(
        'key',
        'in',
        Array.from({ length: 10 }, (_, i) => `backlog:${i}`),
      )
      .execute()
    const stop = startClockRunner(env.ctx, handlers, { purgeEveryMs: 0 })
    try {
      await until('the backlog fired', async () => (await pendingOf('backlog:')) === 0)
    } finally {
      await stop()
    }
    const rows = await db
      .selectFrom('scheduled_actions')
      .select(['id', 'state'])
      .where('merchant_id', '=', m.id)
      .where('key', 'like', 'backlog:%')
      .execute()
    expect(rows.every((r) => r.state === 'fired' && calls.get(r.id) === 1)).toBe(true)
  })

  it('leaves a due action claimed by a live runner to that runner', async () => {
    await schedule('held:1', new Date(Date.now() - 1000), 'held')
    await db
      .updateTable('scheduled_actions')
      .set({ claimed_by: 'other-host:1:live', claim_until: new Date(Date.now() + 3_600_000) })
      .where('merchant_id', '=', m.id)
      .where('key', '=', 'held:1')
      .execute()
    await schedule('held:2', new Date(Date.now() + 500), 'mine')
    const stop = startClockRunner(env.ctx, handlers, { purgeEveryMs: 0, pollMs: 50 })
    try {
      await until('the unclaimed one fired', async () => (await rowsOf('held:2'))[0]!.state === 'fired')
    } finally {
      await stop()
    }
    expect((await rowsOf('held:1')).map((r) => r.state)).toEqual(['scheduled'])
    await cancel('held:1')
  })
})
