import type { Insertable } from 'kysely'
import type { AppContext } from '../context.js'
import type { Database } from '../db/schema.js'
import type { Db } from '../db/database.js'
import { chainHash, zeroHash, type ChainedEntry } from './canonical.js'
import { startBatchLoop } from '../jobs/loop.js'
import * as store from './store.js'

export const sequencerLock = 0x6175646974 // "audit" in ASCII
export const sequencerBatch = 1000

/**
 * Chains up to `batchSize` committed entries onto their merchants' chains, in one transaction.
 * Returns how many were chained: 0 when another process holds the sequencer lock.
 */
export async function sequenceOnce(db: Db, now: Date, batchSize = sequencerBatch): Promise<number> {
  return db.transaction().execute(async (trx) => {
    if (!(await store.tryLockSequencer(trx, sequencerLock))) return 0
    const entries = await store.listPendingEntries(trx, batchSize)
    if (!entries.length) return 0
    const byMerchant = new Map<string, ChainedEntry[]>()
    for (const e of entries) byMerchant.set(e.merchant_id, [...(byMerchant.get(e.merchant_id) ?? []), e])
    const heads = await store.findChainHeads(trx, [...byMerchant.keys()])
    const links: Insertable<Database['audit_chain']>[] = []
    for (const [merchantId, list] of byMerchant) {
      let { seq, hash } = heads.get(merchantId) ?? { seq: 0, hash: zeroHash }
      for (const entry of list) {
        const next = chainHash(hash, entry, ++seq)
        links.push({ merchant_id: merchantId, seq, entry_id: entry.id, prev_hash: hash, hash: next, chained_at: now })
        hash = next
      }
    }
    await store.insertChainLinks(trx, links)
    await store.deletePending(
      trx,
      entries.map((e) => ({ merchant_id: e.merchant_id, entry_id: e.id })),
    )
    return entries.length
  })
}

/**
 * The background loop: every `intervalMs`, and at once again while batches come back full.
 * A failed run is logged and retried on the next tick; the stop function waits for the run in flight.
 */
export function startSequencer(
  ctx: AppContext,
  opts: { intervalMs?: number; batchSize?: number } = {},
): () => Promise<void> {
  const batchSize = opts.batchSize ?? sequencerBatch
  const chained = ctx.metrics.counter('audit_entries_chained_total', 'Audit entries added to the hash chain')
  const failures = ctx.metrics.counter('audit_sequencer_failures_total', 'Audit sequencer runs that failed')
  return startBatchLoop({
    intervalMs: opts.intervalMs ?? 200,
    batchSize,
    once: async () => {
      const n = await sequenceOnce(ctx.db, new Date(), batchSize)
      chained.inc(n)
      return n
    },
    onError: (err) => {
      failures.inc()
      ctx.log.error({ err, component: 'audit-sequencer' }, 'audit sequencer run failed; retrying')
    },
  })
}
