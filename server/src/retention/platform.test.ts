import { Command } from 'commander'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { expectError, startTestApp } from '../../test/harness.js'
import { loadConfig } from '../config.js'
import { newId } from '../ids.js'
import { seedConnection, seedDelivery } from '../intake/testing.js'
import { purgeCli } from './cli.js'
import { runPlatformPurge } from './service/platform.js'

// The platform tables that grow with traffic (outbox, webhook bodies, refusal counters, clock actions, request
// limits): purged by age in small batches, a dry run writing nothing, a purged delivery's replay refused.

const { env, m, call } = await startTestApp()
const { ctx } = env
const day = 86_400_000
const now = new Date('2026-12-01T12:00:00Z')
const old = new Date(now.getTime() - 90 * day)
const recent = new Date(now.getTime() - day)

const count = async (table: string, where = sql`true`) =>
  Number(
    (await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where ${where}`.execute(ctx.db)).rows[0]!.n,
  )

async function seed() {
  const outbox = (publishedAt: Date | null) => ({
    merchant_id: m.id,
    id: newId(),
    type: 'test.seeded',
    subject_id: null,
    occurred_at: old,
    data: '{}',
    published_at: publishedAt,
  })
  await ctx.db
    .insertInto('outbox')
    .values([outbox(old), outbox(old), outbox(old), outbox(recent), outbox(null)])
    .execute()
  const connection = (await seedConnection(ctx, m.id)).id
  const deliveries = {
    processed: await seedDelivery(ctx, m.id, connection, { status: 'processed' }),
    fresh: await seedDelivery(ctx, m.id, connection, { status: 'processed' }),
    dead: await seedDelivery(ctx, m.id, connection, { status: 'dead' }),
  }
  await ctx.db
    .updateTable('webhook_deliveries')
    .set({ received_at: old })
    .where('id', 'in', [deliveries.processed, deliveries.dead])
    .execute()
  await ctx.db
    .insertInto('webhook_rejections')
    .values([
      { merchant_id: m.id, connection_id: connection, hour: old, reason: 'signature_invalid', count: 3 },
      { merchant_id: m.id, connection_id: connection, hour: recent, reason: 'signature_invalid', count: 1 },
    ])
    .execute()
  const action = (state: 'fired' | 'scheduled', endedAt: Date | null) => ({
    merchant_id: m.id,
    id: newId(),
    key: `k-${newId()}`,
    task: 'test:noop',
    payload: '{}',
    run_at: old,
    state,
    created_at: old,
    ended_at: endedAt,
  })
  await ctx.db
    .insertInto('scheduled_actions')
    .values([action('fired', old), action('fired', recent), action('scheduled', null)])
    .execute()
  await ctx.db
    .insertInto('request_limits')
    .values([
      { key: `ended-${newId()}`, window_ends_at: old, hits: 2 },
      { key: `open-${newId()}`, window_ends_at: new Date(now.getTime() + 60_000), hits: 1 },
    ])
    .execute()
  return deliveries
}

describe('the platform purge', () => {
  it('purges old rows in batches, keeps young and pending ones and the rows of purged bodies; a dry run writes nothing', async () => {
    const deliveries = await seed()
    const before = {
      outbox: await count('outbox'),
      actions: await count('scheduled_actions'),
      limits: await count('request_limits'),
    }

    const dry = await runPlatformPurge(ctx, now, { dryRun: true })
    expect(Object.fromEntries(dry.map((r) => [r.kind, r.removed]))).toMatchObject({
      outbox: 3,
      webhook_bodies: 1,
      webhook_rejections: 1,
      clock_actions: 1,
      request_limits: 1,
    })
    expect(await count('outbox')).toBe(before.outbox)
    expect(await count('retention_runs')).toBe(0)
    expect(await count('webhook_deliveries', sql`body_purged_at is not null`)).toBe(0)

    // Batches of two: three old outbox rows take two batches, recorded as one run.
    const runs = await runPlatformPurge(ctx, now, { batchSize: 2 })
    expect(Object.fromEntries(runs.map((r) => [r.kind, r.removed]))).toEqual({
      outbox: 3,
      webhook_bodies: 1,
      webhook_rejections: 1,
      clock_actions: 1,
      failed_jobs: 0,
      request_limits: 1,
      retention_runs: 0,
    })
    expect(runs.every((r) => r.error === null && r.run_id !== null)).toBe(true)
    expect(await count('outbox')).toBe(before.outbox - 3)
    expect(await count('outbox', sql`published_at is null`)).toBe(1)
    expect(await count('scheduled_actions')).toBe(before.actions - 1)
    expect(await count('scheduled_actions', sql`state = 'scheduled'`)).toBeGreaterThanOrEqual(1)
    expect(await count('request_limits')).toBe(before.limits - 1)
    expect(await count('webhook_rejections')).toBe(1)
    const recorded = await ctx.db.selectFrom('retention_runs').selectAll().where('kind', '=', 'outbox').execute()
    expect(recorded).toEqual([
      expect.objectContaining({ merchant_id: null, removed: 3, dry_run: false, finished_at: expect.any(Date) }),
    ])

    // The processed delivery keeps its row, loses its body; the dead one (to be replayed) and the young one keep theirs.
    const rows = await ctx.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'body', 'body_purged_at', 'status'])
      .where('merchant_id', '=', m.id)
      .execute()
    const byId = new Map(rows.map((r) => [r.id, r]))
    expect(byId.get(deliveries.processed)).toMatchObject({ status: 'processed', body_purged_at: expect.any(Date) })
    expect(byId.get(deliveries.processed)!.body.length).toBe(0)
    expect(byId.get(deliveries.dead)!.body.length).toBeGreaterThan(0)
    expect(byId.get(deliveries.fresh)!.body.length).toBeGreaterThan(0)

    // A replay of the purged delivery is refused clearly; the others still replay.
    expectError(
      await call('POST', `/webhooks/deliveries/${deliveries.processed}/replay`),
      410,
      'delivery_body_purged',
      { delivery_id: deliveries.processed, body_purged_at: expect.any(String) },
    )
    expect((await call('POST', `/webhooks/deliveries/${deliveries.dead}/replay`)).statusCode).toBe(200)

    // Nothing more is due.
    const again = await runPlatformPurge(ctx, now)
    expect(again.reduce((n, r) => n + r.removed, 0)).toBe(0)
  })

  it('reads each table’s retention from the documented settings', () => {
    const config = loadConfig({ OUTBOX_RETENTION_DAYS: '3', WEBHOOK_BODY_RETENTION_DAYS: '14' })
    expect(config.retention).toEqual({
      outboxDays: 3,
      webhookBodyDays: 14,
      webhookRejectionDays: 30,
      failedJobDays: 30,
      requestLimitDays: 0,
      runDays: 90,
    })
    expect(() => loadConfig({ OUTBOX_RETENTION_DAYS: '0' })).toThrow(/OUTBOX_RETENTION_DAYS/)
  })

  it('skips rows another transaction holds rather than waiting for them (FOR UPDATE SKIP LOCKED), and takes them later', async () => {
    const row = (id: string) => ({
      merchant_id: m.id,
      id,
      type: 'test.seeded',
      subject_id: null,
      occurred_at: old,
      data: '{}',
      published_at: old,
    })
    const [locked, free] = [newId(), newId()]
    await ctx.db
      .insertInto('outbox')
      .values([row(locked), row(free)])
      .execute()
    let release!: () => void
    const held = new Promise<void>((r) => {
      release = r
    })
    let lockTaken!: () => void
    const taken = new Promise<void>((r) => {
      lockTaken = r
    })
    const holder = ctx.db.transaction().execute(async (trx) => {
      await trx.selectFrom('outbox').select('id').where('id', '=', locked).forUpdate().execute()
      lockTaken()
      await held
    })
    await taken
    try {
      const runs = await runPlatformPurge(ctx, now, { batchSize: 1 })
      expect(runs.find((r) => r.kind === 'outbox')!.removed).toBe(1)
      expect(await count('outbox', sql`id = ${locked}`)).toBe(1)
      expect(await count('outbox', sql`id = ${free}`)).toBe(0)
    } finally {
      release()
      await holder
    }
    expect((await runPlatformPurge(ctx, now)).find((r) => r.kind === 'outbox')!.removed).toBe(1)
  })

  it('runs from `npx claimdesk purge`: --dry-run says what would go and writes nothing', async () => {
    const run = async (...args: string[]) => {
      const lines: string[] = []
      const program = new Command('claimdesk').exitOverride()
      purgeCli(program, {
        withContext: (fn) => fn(ctx),
        resolveWorkspace: async () => m.id,
        out: (line) => lines.push(line),
      })
      await program.parseAsync(['purge', ...args], { from: 'user' })
      return lines
    }
    await ctx.db
      .insertInto('webhook_rejections')
      .values({
        merchant_id: m.id,
        connection_id: (await seedConnection(ctx, m.id)).id,
        hour: old,
        reason: 'signature_invalid',
        count: 1,
      })
      .execute()
    const runs = await count('retention_runs')
    const dry = await run('--dry-run', '--workspace', 'any')
    expect(dry).toContain('webhook_rejections: would remove 1')
    expect(dry.some((l) => l.startsWith(`${m.id} message_bodies: would remove`))).toBe(true)
    expect(await count('retention_runs')).toBe(runs)
    expect(await run()).toContain('webhook_rejections: removed 1')
    expect(await count('webhook_rejections', sql`hour < ${new Date(now.getTime() - 30 * day)}`)).toBe(0)
  })
})
