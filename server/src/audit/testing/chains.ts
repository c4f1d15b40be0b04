import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { Db } from '../../db/database.js'
import { chainHash, zeroHash, type ChainedEntry } from '../canonical.js'
import { sequenceOnce } from '../sequencer.js'
import { recordAudit } from '../service.js'
import { listChainPage } from '../store.js'
import { verifyChain } from '../verify.js'
import { createWorkspace } from '../../workspaces.js'

/** Records `count` entries for one record, in one transaction. */
export async function writeEntries(
  db: Db,
  merchantId: string,
  count: number,
  now: Date,
  entityId = 'rec-1',
): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const ids: string[] = []
    for (let i = 0; i < count; i++) {
      ids.push(
        await recordAudit(
          trx,
          {
            merchantId,
            actor: { type: 'system', id: null },
            action: 'widget.updated',
            entityType: 'widget',
            entityId,
            before: { n: i },
            after: { n: i + 1 },
            requestId: `req-${i}`,
          },
          now,
        ),
      )
    }
    return ids
  })
}

/** Runs the sequencer until nothing is pending (no other sequencer may be running). */
export async function drain(db: Db, now: Date, batchSize?: number): Promise<number> {
  let total = 0
  for (let n = -1; n !== 0; total += n) n = await sequenceOnce(db, now, batchSize)
  return total
}

/** A new workspace whose chain holds its own creation entries plus `extra` more, all chained and intact. */
export async function createChain(
  db: Db,
  extra: number,
  now: Date,
): Promise<{ merchantId: string; slug: string; head: number }> {
  const { merchant } = await db
    .transaction()
    .execute((trx) =>
      createWorkspace(
        trx,
        { slug: `a-${randomBytes(4).toString('hex')}`, name: 'Audit Co', timeZone: 'UTC', defaultCurrency: 'EUR' },
        now,
      ),
    )
  await writeEntries(db, merchant.id, extra, now)
  await drain(db, now)
  const report = await verifyChain(db, merchant.id)
  if (!report.ok) throw new Error(`fresh chain does not verify: ${JSON.stringify(report)}`)
  return { merchantId: merchant.id, slug: merchant.slug, head: report.head.seq }
}

/**
 * Tampers as the database superuser would (`adminUrl`; the application's role may not): replica mode
 * skips the append-only triggers, as `alter table … disable trigger user` would.
 */
export async function tamper(adminUrl: string, statements: [string, unknown[]?][]): Promise<void> {
  const client = new pg.Client(adminUrl)
  await client.connect()
  try {
    await client.query('begin')
    await client.query('set local session_replication_role = replica')
    for (const [text, params] of statements) await client.query(text, params)
    await client.query('commit')
  } catch (err) {
    await client.query('rollback')
    throw err
  } finally {
    await client.end()
  }
}

export async function entryIdAt(pool: pg.Pool, merchantId: string, seq: number): Promise<string> {
  const { rows } = await pool.query<{ entry_id: string }>(
    'select entry_id from audit_chain where merchant_id = $1 and seq = $2',
    [merchantId, seq],
  )
  if (!rows[0]) throw new Error(`no link at seq ${seq}`)
  return rows[0].entry_id
}

/** Deletes the links after `seq`, and with `entries` their entries too (which leaves nothing for the chain to show). */
export async function cutTail(adminUrl: string, merchantId: string, seq: number, entries: boolean): Promise<void> {
  await tamper(adminUrl, [
    ...(entries
      ? [
          [
            'delete from audit_entries where merchant_id = $1 and id in (select entry_id from audit_chain where merchant_id = $1 and seq > $2)',
            [merchantId, seq],
          ] as [string, unknown[]],
        ]
      : []),
    ['delete from audit_chain where merchant_id = $1 and seq > $2', [merchantId, seq]],
  ])
}

/**
 * What an attacker with the whole database can do undetected by the database alone: edit every
 * entry from `fromSeq` on, recompute their links' hashes, and delete the checkpoints it cannot re-sign.
 */
export async function rewriteTail(adminUrl: string, db: Db, merchantId: string, fromSeq: number): Promise<void> {
  await tamper(adminUrl, [
    [
      `update audit_entries set action = 'widget.forged' where merchant_id = $1
    and id in (select entry_id from audit_chain where merchant_id = $1 and seq >= $2)`,
      [merchantId, fromSeq],
    ],
  ])
  const [before] = await listChainPage(db, merchantId, fromSeq - 2, 1)
  let prev = before?.hash ?? zeroHash
  const links: [string, unknown[]][] = []
  for (const link of await listChainPage(db, merchantId, fromSeq - 1, 100_000)) {
    const hash = chainHash(prev, link as ChainedEntry, link.seq)
    links.push([
      'update audit_chain set prev_hash = $3, hash = $4 where merchant_id = $1 and seq = $2',
      [merchantId, link.seq, prev, hash],
    ])
    prev = hash
  }
  await tamper(adminUrl, [
    ...links,
    ['delete from audit_checkpoints where merchant_id = $1 and seq >= $2', [merchantId, fromSeq]],
  ])
}
