import { Writable } from 'node:stream'
import pino from 'pino'
import { describe, expect, it, vi } from 'vitest'
import { startTestEnv, createTestMerchant } from '../../test/harness.js'
import { createDb, createPool } from '../db/database.js'
import { sequenceOnce, sequencerLock, startSequencer } from './sequencer.js'
import { recordAudit } from './service.js'
import { drain, writeEntries } from './testing/chains.js'
import { verifyChain } from './verify.js'

const now = new Date('2026-03-01T12:00:00.000Z')

const env = await startTestEnv()

async function chainOf(merchantId: string) {
  const { rows } = await env.ctx.pool.query<{ seq: number; entry_id: string }>(
    'select seq::int, entry_id from audit_chain where merchant_id = $1 order by seq',
    [merchantId],
  )
  return rows
}

async function pendingCount(): Promise<number> {
  const { rows } = await env.ctx.pool.query<{ n: number }>('select count(*)::int as n from audit_pending')
  return rows[0]!.n
}

describe('sequenceOnce', () => {
  it('chains the entries of two merchants separately, seq 1..n each, and both chains verify', async () => {
    const a = await createTestMerchant(env.ctx)
    const b = await createTestMerchant(env.ctx)
    await drain(env.ctx.db, now)
    const before = { a: (await chainOf(a.id)).length, b: (await chainOf(b.id)).length }
    for (let i = 0; i < 6; i++) {
      await writeEntries(env.ctx.db, a.id, 40, now)
      await writeEntries(env.ctx.db, b.id, 25, now)
    }
    // Small batches: heads carry over from one run to the next.
    expect(await drain(env.ctx.db, now, 37)).toBe(6 * 65)
    expect(await pendingCount()).toBe(0)
    for (const [m, added, had] of [
      [a, 240, before.a],
      [b, 150, before.b],
    ] as const) {
      const chain = await chainOf(m.id)
      expect(chain.map((l) => l.seq)).toEqual(Array.from({ length: had + added }, (_, i) => i + 1))
      const report = await verifyChain(env.ctx.db, m.id)
      expect(report).toMatchObject({ ok: true, entries_checked: had + added, head: { seq: had + added } })
    }
  })

  it('chains in commit order: an entry committed late goes after those committed before it', async () => {
    const m = await createTestMerchant(env.ctx)
    await drain(env.ctx.db, now)
    let release!: () => void
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    let lateId!: string
    let written!: () => void
    const wasWritten = new Promise<void>((resolve) => {
      written = resolve
    })
    const late = env.ctx.db.transaction().execute(async (trx) => {
      lateId = await recordAudit(
        trx,
        {
          merchantId: m.id,
          actor: { type: 'system', id: null },
          action: 'widget.created',
          entityType: 'widget',
          entityId: 'w1',
        },
        now,
      )
      written()
      await gate
    })
    await wasWritten
    const [early] = await writeEntries(env.ctx.db, m.id, 1, now)
    expect(lateId < early!).toBe(true) // minted first (UUIDv7), committed last
    expect(await sequenceOnce(env.ctx.db, now)).toBe(1)
    release()
    await late
    expect(await sequenceOnce(env.ctx.db, now)).toBe(1)
    const chain = await chainOf(m.id)
    expect(chain.slice(-2).map((l) => l.entry_id)).toEqual([early, lateId])
    expect((await verifyChain(env.ctx.db, m.id)).ok).toBe(true)
  })

  it('returns 0 and chains nothing while another process holds the sequencer lock (pg advisory lock)', async () => {
    const m = await createTestMerchant(env.ctx)
    await drain(env.ctx.db, now)
    await writeEntries(env.ctx.db, m.id, 3, now)
    const holder = await env.ctx.pool.connect()
    try {
      await holder.query('begin')
      await holder.query('select pg_advisory_xact_lock($1::bigint)', [sequencerLock])
      expect(await sequenceOnce(env.ctx.db, now)).toBe(0)
      expect(await pendingCount()).toBe(3)
    } finally {
      await holder.query('rollback')
      holder.release()
    }
    expect(await sequenceOnce(env.ctx.db, now)).toBe(3)
  })

  it('chains every entry exactly once, without gaps, while 20 writers and two sequencers run at once', async () => {
    const a = await createTestMerchant(env.ctx)
    const b = await createTestMerchant(env.ctx)
    await drain(env.ctx.db, now)
    const pool = createPool(env.url, 24)
    const db = createDb(pool)
    try {
      let writing = true
      const loop = async () => {
        while (writing) await sequenceOnce(db, now, 50)
      }
      const loops = [loop(), loop()]
      const writers = Array.from({ length: 20 }, (_, w) =>
        db.transaction().execute(async (trx) => {
          for (let i = 0; i < 15; i++) {
            const merchantId = (w + i) % 2 ? a.id : b.id
            await recordAudit(
              trx,
              {
                merchantId,
                actor: { type: 'system', id: null },
                action: 'widget.updated',
                entityType: 'widget',
                entityId: `w${w}`,
                after: { i },
              },
              now,
            )
          }
        }),
      )
      await Promise.all(writers)
      writing = false
      await Promise.all(loops)
      await drain(db, now)
      expect(await pendingCount()).toBe(0)
      for (const m of [a, b]) {
        const { rows } = await pool.query<{ entries: number; links: number; max: number; distinct_entries: number }>(
          `
          select (select count(*)::int from audit_entries where merchant_id = $1) as entries,
                 count(*)::int as links, max(seq)::int as max, count(distinct entry_id)::int as distinct_entries
          from audit_chain where merchant_id = $1`,
          [m.id],
        )
        expect(rows[0]!.links).toBe(rows[0]!.entries)
        expect(rows[0]!.max).toBe(rows[0]!.links)
        expect(rows[0]!.distinct_entries).toBe(rows[0]!.links)
        expect((await verifyChain(db, m.id)).ok).toBe(true)
      }
    } finally {
      await db.destroy()
    }
  })
})

describe('startSequencer', () => {
  it('chains new entries in the background and stops cleanly', async () => {
    const m = await createTestMerchant(env.ctx)
    const stop = startSequencer(env.ctx, { intervalMs: 5 })
    try {
      await writeEntries(env.ctx.db, m.id, 5, now)
      await vi.waitFor(async () => expect(await pendingCount()).toBe(0), { timeout: 10_000, interval: 20 })
    } finally {
      await stop()
    }
    expect((await verifyChain(env.ctx.db, m.id)).ok).toBe(true)
  })

  it('logs a failed run and keeps going instead of crashing', async () => {
    const lines: string[] = []
    const sink = new Writable({
      write: (chunk: Buffer, _enc, done) => {
        lines.push(chunk.toString())
        done()
      },
    })
    const deadPool = createPool('postgres://nobody@127.0.0.1:1/none', 1)
    const deadDb = createDb(deadPool)
    const stop = startSequencer({ ...env.ctx, db: deadDb, log: pino({ level: 'error' }, sink) }, { intervalMs: 5 })
    try {
      await vi.waitFor(() => expect(lines.length).toBeGreaterThanOrEqual(3), { timeout: 10_000, interval: 20 })
    } finally {
      await stop()
      await deadDb.destroy()
    }
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 50,
      component: 'audit-sequencer',
      msg: 'audit sequencer run failed; retrying',
    })
  })
})
