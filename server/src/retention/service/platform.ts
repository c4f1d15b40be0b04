import type { AppContext } from '../../context.js'
import type { PlatformPurge } from '../../db/purge.js'
import { requestLimitsPurge } from '../../http/request-limit-store.js'
import { newId } from '../../ids.js'
import { deliveryBodiesPurge, rejectionsPurge } from '../../intake/service.js'
import { clockPurge } from '../../jobs/clock.js'
import { outboxPurge } from '../../jobs/outbox.js'
import { failedJobsPurge } from '../../jobs/queue.js'
import { listMerchantIds } from '../../merchants/service.js'
import * as store from '../store.js'
import { type RunOptions, type RunSummary, runRetention } from './purge.js'

/** The platform's tables that grow with traffic, each kept for its setting's days (README "Configuration"). */
export const platformPurges: readonly PlatformPurge[] = [
  outboxPurge,
  deliveryBodiesPurge,
  rejectionsPurge,
  clockPurge,
  failedJobsPurge,
  requestLimitsPurge,
  {
    name: 'retention_runs',
    keepDays: (config) => config.retention.runDays,
    purge: (db, before, limit) => store.purgeIdleRuns(db, before, limit),
    count: (db, before) => store.countIdleRuns(db, before),
  },
]

const dayMs = 86_400_000

/**
 * Purges the platform tables in batches of `batchSize` rows, each batch its own statement (rows locked with SKIP
 * LOCKED, so nothing waits and no lock outlives a batch), and records each table's run (merchant_id null). A dry
 * run counts and writes nothing.
 */
export async function runPlatformPurge(ctx: AppContext, now: Date, opts: RunOptions = {}): Promise<RunSummary[]> {
  const { dryRun = false, batchSize = 1000, maxBatches = 10_000 } = opts
  const summaries: RunSummary[] = []
  for (const p of platformPurges) {
    const before = new Date(now.getTime() - p.keepDays(ctx.config) * dayMs)
    const summary: RunSummary = {
      run_id: null,
      kind: p.name,
      scope: '',
      dry_run: dryRun,
      removed: 0,
      held: 0,
      sample_ids: [],
      error: null,
    }
    if (dryRun) {
      summary.removed = await p.count(ctx.db, before)
      summaries.push(summary)
      continue
    }
    const run = await store.insertRun(ctx.db, {
      id: newId(),
      merchant_id: null,
      kind: p.name,
      dry_run: false,
      started_at: now,
      finished_at: null,
      sample_ids: '[]',
      error: null,
    })
    summary.run_id = run.id
    try {
      for (let i = 0; i < maxBatches; i++) {
        const n = await p.purge(ctx.db, before, batchSize, now)
        summary.removed += n
        if (n < batchSize) break
      }
    } catch (err) {
      summary.error = err instanceof Error ? err.message : String(err)
      ctx.log.error({ err, table: p.name }, 'platform purge failed')
    }
    await store.finishRun(ctx.db, run.id, {
      finished_at: new Date(),
      removed: summary.removed,
      held: 0,
      sample_ids: '[]',
      error: summary.error,
    })
    summaries.push(summary)
  }
  return summaries
}

/** The whole scheduled purge: the platform tables, then each workspace's policies (or only `merchantId`'s). */
export async function purgeEverything(
  ctx: AppContext,
  now: Date,
  opts: RunOptions & { merchantId?: string } = {},
): Promise<{ platform: RunSummary[]; workspaces: { merchant_id: string; runs: RunSummary[] }[] }> {
  const platform = await runPlatformPurge(ctx, now, opts)
  const ids = opts.merchantId ? [opts.merchantId] : await listMerchantIds(ctx.db)
  const workspaces = []
  for (const id of ids) workspaces.push({ merchant_id: id, runs: await runRetention(ctx, id, now, opts) })
  return { platform, workspaces }
}
