import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { startTestEnv } from '../../test/harness.js'
import { newId } from '../ids.js'
import { createChain, cutTail, entryIdAt, tamper, writeEntries } from './testing/chains.js'
import { verifyChain } from './verify.js'

const now = new Date('2026-03-01T12:00:00.000Z')

const env = await startTestEnv()

const freshChain = (extra = 10) => createChain(env.ctx.db, extra, now)

describe('verifyChain', () => {
  it('reports an intact chain with its head', async () => {
    const { merchantId, head } = await freshChain()
    const { rows } = await env.ctx.pool.query<{ hash: Buffer }>(
      'select hash from audit_chain where merchant_id = $1 and seq = $2',
      [merchantId, head],
    )
    expect(await verifyChain(env.ctx.db, merchantId)).toEqual({
      ok: true,
      entries_checked: head,
      checkpoints_checked: 0,
      external_checkpoints_checked: 0,
      head: { seq: head, hash: rows[0]!.hash.toString('hex') },
    })
  })

  it('reports an empty chain as ok at seq 0', async () => {
    expect(await verifyChain(env.ctx.db, newId())).toEqual({
      ok: true,
      entries_checked: 0,
      checkpoints_checked: 0,
      external_checkpoints_checked: 0,
      head: { seq: 0, hash: '0'.repeat(64) },
    })
  })

  it('walks the chain in pages', async () => {
    const { merchantId, head } = await freshChain(25)
    expect(await verifyChain(env.ctx.db, merchantId, undefined, 4)).toMatchObject({ ok: true, entries_checked: head })
  })

  it('names a hand-edited entry', async () => {
    const { merchantId, head } = await freshChain()
    const seq = head - 6
    await tamper(env.adminUrl, [
      [
        `update audit_entries set changes = '{"n": {"from": 0, "to": 99}}' where merchant_id = $1 and id = $2`,
        [merchantId, await entryIdAt(env.ctx.pool, merchantId, seq)],
      ],
    ])
    expect(await verifyChain(env.ctx.db, merchantId, undefined, 4)).toMatchObject({
      ok: false,
      first_bad_seq: seq,
      problem: 'entry_edited',
      entries_checked: head,
    })
  })

  it('notices an instant moved by one millisecond', async () => {
    const { merchantId, head } = await freshChain()
    await tamper(env.adminUrl, [
      [
        `update audit_entries set occurred_at = occurred_at + interval '1 millisecond' where merchant_id = $1 and id = $2`,
        [merchantId, await entryIdAt(env.ctx.pool, merchantId, head)],
      ],
    ])
    expect(await verifyChain(env.ctx.db, merchantId)).toMatchObject({
      ok: false,
      first_bad_seq: head,
      problem: 'entry_edited',
    })
  })

  it('names a deleted entry', async () => {
    const { merchantId, head } = await freshChain()
    const seq = head - 4
    await tamper(env.adminUrl, [
      [
        'delete from audit_entries where merchant_id = $1 and id = $2',
        [merchantId, await entryIdAt(env.ctx.pool, merchantId, seq)],
      ],
    ])
    expect(await verifyChain(env.ctx.db, merchantId)).toMatchObject({
      ok: false,
      first_bad_seq: seq,
      problem: 'entry_missing',
    })
  })

  it('names the seq of a deleted chain link', async () => {
    const { merchantId, head } = await freshChain()
    const seq = head - 5
    await tamper(env.adminUrl, [['delete from audit_chain where merchant_id = $1 and seq = $2', [merchantId, seq]]])
    expect(await verifyChain(env.ctx.db, merchantId)).toMatchObject({
      ok: false,
      first_bad_seq: seq,
      problem: 'seq_gap',
      entries_checked: head - 1,
    })
  })

  it('notices two links swapped in order', async () => {
    const { merchantId, head } = await freshChain()
    const [x, y] = [head - 7, head - 3]
    await tamper(env.adminUrl, [
      ['update audit_chain set seq = 1000000 where merchant_id = $1 and seq = $2', [merchantId, x]],
      ['update audit_chain set seq = $2 where merchant_id = $1 and seq = $3', [merchantId, x, y]],
      ['update audit_chain set seq = $2 where merchant_id = $1 and seq = 1000000', [merchantId, y]],
    ])
    expect(await verifyChain(env.ctx.db, merchantId)).toMatchObject({
      ok: false,
      first_bad_seq: x,
      problem: 'chain_broken',
    })
  })

  it('notices two entries swapped between their links', async () => {
    const { merchantId, head } = await freshChain()
    const [x, y] = [head - 7, head - 3]
    const [ex, ey] = [await entryIdAt(env.ctx.pool, merchantId, x), await entryIdAt(env.ctx.pool, merchantId, y)]
    await tamper(env.adminUrl, [
      ['update audit_chain set entry_id = $2 where merchant_id = $1 and seq = $3', [merchantId, newId(), x]],
      ['update audit_chain set entry_id = $2 where merchant_id = $1 and seq = $3', [merchantId, ex, y]],
      ['update audit_chain set entry_id = $2 where merchant_id = $1 and seq = $3', [merchantId, ey, x]],
    ])
    expect(await verifyChain(env.ctx.db, merchantId)).toMatchObject({
      ok: false,
      first_bad_seq: x,
      problem: 'entry_edited',
    })
  })

  it('counts an entry that is neither pending nor chained as a cut-off tail', async () => {
    const { merchantId, head } = await freshChain()
    await cutTail(env.adminUrl, merchantId, head - 2, false)
    expect(await verifyChain(env.ctx.db, merchantId)).toMatchObject({
      ok: false,
      first_bad_seq: head - 1,
      problem: 'truncated',
      head: { seq: head - 2 },
    })
  })

  it('does not count entries still waiting for the sequencer', async () => {
    const { merchantId, head } = await freshChain()
    await writeEntries(env.ctx.db, merchantId, 3, now)
    expect(await verifyChain(env.ctx.db, merchantId)).toMatchObject({ ok: true, entries_checked: head })
  })

  it('reports the lowest bad seq when several things were changed, and leaves other workspaces ok', async () => {
    const { merchantId, head } = await freshChain()
    const other = await freshChain()
    await tamper(env.adminUrl, [
      ['delete from audit_chain where merchant_id = $1 and seq = $2', [merchantId, head - 2]],
      [
        `update audit_entries set action = 'x.y' where merchant_id = $1 and id = $2`,
        [merchantId, await entryIdAt(env.ctx.pool, merchantId, head - 5)],
      ],
    ])
    expect(await verifyChain(env.ctx.db, merchantId)).toMatchObject({
      ok: false,
      first_bad_seq: head - 5,
      problem: 'entry_edited',
    })
    expect((await verifyChain(env.ctx.db, other.merchantId)).ok).toBe(true)
  })
})

describe('append-only triggers', () => {
  const refusal = /audit rows are append-only/

  // The application's role may not even try (db/roles.test.ts); the triggers hold against the owner too.
  it.each(['audit_entries', 'audit_chain', 'audit_checkpoints'])(
    'refuse UPDATE, DELETE and TRUNCATE on %s, even to its owner',
    async (table) => {
      const { merchantId } = await freshChain(1)
      await env.ctx.pool.query(
        `insert into audit_checkpoints (merchant_id, seq, head_hash, signed_at, key_id, signature)
      values ($1, 1, '\\x00', now(), 'k', '\\x00') on conflict do nothing`,
        [merchantId],
      )
      const column = table === 'audit_checkpoints' ? 'key_id' : table === 'audit_chain' ? 'chained_at' : 'action'
      const value = table === 'audit_chain' ? 'now()' : `'x'`
      const owner = new pg.Client(env.adminUrl)
      await owner.connect()
      try {
        await expect(
          owner.query(`update ${table} set ${column} = ${value} where merchant_id = $1`, [merchantId]),
        ).rejects.toMatchObject({ code: 'P0001', message: expect.stringMatching(refusal) })
        await expect(owner.query(`delete from ${table} where merchant_id = $1`, [merchantId])).rejects.toMatchObject({
          code: 'P0001',
          message: expect.stringMatching(refusal),
        })
        await expect(owner.query(`truncate ${table} cascade`)).rejects.toMatchObject({
          code: 'P0001',
          message: expect.stringMatching(refusal),
        })
      } finally {
        await owner.end()
      }
      expect((await verifyChain(env.ctx.db, merchantId)).ok).toBe(true)
    },
  )
})
