import { caseRetentionFacts } from '../../cases/service.js'
import type { AppContext } from '../../context.js'
import type { Db } from '../../db/owned.js'
import { newId } from '../../ids.js'
import type { CaseVerdict, Purger } from '../../modules.js'
import * as store from '../store.js'
import type { RetentionKind } from '../tables.js'
import { heldCaseIds } from './find-holds.js'
import { listPolicies, type PolicyView } from './policies.js'

let purgers: readonly Purger[] = []

/** The purgers every module declares (`Module.purgers`), collected at start. */
export function usePurgers(list: readonly Purger[]): void {
  purgers = list
}

export type RunSummary = {
  run_id: string | null
  kind: string
  scope: string
  dry_run: boolean
  removed: number
  held: number
  sample_ids: string[]
  error: string | null
}

export type RunOptions = { dryRun?: boolean; batchSize?: number; maxBatches?: number }

const dayMs = 86_400_000
const sampleSize = 20

/** Each case's verdict under one policy: held (a legal hold), purge (old enough), or keep. */
function judgeWith(merchantId: string, policy: PolicyView, cutoff: Date) {
  return async (db: Db, caseIds: string[]): Promise<Map<string, CaseVerdict>> => {
    const ids = [...new Set(caseIds)]
    const held = await heldCaseIds(db, merchantId, ids)
    const facts = policy.after === 'case_closed' ? await caseRetentionFacts(db, merchantId, ids) : undefined
    return new Map(
      ids.map((id): [string, CaseVerdict] => {
        if (held.has(id)) return [id, 'held']
        if (!facts) return [id, 'purge']
        const closedAt = facts.get(id)?.closedAt
        return [id, closedAt && closedAt < cutoff ? 'purge' : 'keep']
      }),
    )
  }
}

/**
 * Runs every enabled retention policy of one workspace through the purgers of its kind, batch after batch (each
 * batch one short transaction of the purger's), and records each run in retention_runs. A dry run counts what
 * would go and writes nothing, not even its run. A purger that fails leaves its run's error recorded; the others
 * still run.
 */
export async function runRetention(
  ctx: AppContext,
  merchantId: string,
  now: Date,
  opts: RunOptions = {},
): Promise<RunSummary[]> {
  const { dryRun = false, batchSize = 200, maxBatches = 5000 } = opts
  const policies = await listPolicies(ctx.db, merchantId)
  const summaries: RunSummary[] = []
  for (const policy of policies.filter((p) => p.enabled)) {
    const otherScopes = policy.scope
      ? []
      : policies.filter((p) => p.kind === policy.kind && p.scope !== '').map((p) => p.scope)
    const cutoff = new Date(now.getTime() - policy.keep_days * dayMs)
    for (const purger of purgers.filter((p) => p.kind === policy.kind)) {
      const kind = policy.scope ? `${policy.kind}:${policy.scope}` : policy.kind
      const run = dryRun
        ? undefined
        : await store.insertRun(ctx.db, {
            id: newId(),
            merchant_id: merchantId,
            kind,
            dry_run: false,
            started_at: now,
            finished_at: null,
            sample_ids: '[]',
            error: null,
          })
      const summary: RunSummary = {
        run_id: run?.id ?? null,
        kind,
        scope: policy.scope,
        dry_run: dryRun,
        removed: 0,
        held: 0,
        sample_ids: [],
        error: null,
      }
      const batch = {
        merchantId,
        scope: policy.scope,
        otherScopes,
        after: policy.after,
        cutoff,
        limit: batchSize,
        dryRun,
        now,
        judgeCases: judgeWith(merchantId, policy, cutoff),
      }
      try {
        let cursor: string | null = null
        for (let i = 0; i < maxBatches; i++) {
          const result = await purger.purge(ctx, { ...batch, cursor })
          summary.removed += result.removed.length
          summary.held += result.held
          summary.sample_ids.push(...result.removed.slice(0, sampleSize - summary.sample_ids.length))
          cursor = result.cursor
          if (cursor === null) break
        }
      } catch (err) {
        summary.error = err instanceof Error ? err.message : String(err)
        ctx.log.error({ err, merchantId, kind }, 'retention purge failed')
      }
      if (run)
        await store.finishRun(ctx.db, run.id, {
          finished_at: new Date(),
          removed: summary.removed,
          held: summary.held,
          sample_ids: JSON.stringify(summary.sample_ids),
          error: summary.error,
        })
      summaries.push(summary)
    }
  }
  return summaries
}

export async function listRuns(db: Db, merchantId: string, kind: RetentionKind | undefined, limit: number) {
  const rows = await store.listRuns(db, merchantId, kind, limit)
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    dry_run: r.dry_run,
    started_at: r.started_at,
    finished_at: r.finished_at,
    removed: r.removed,
    held: r.held,
    sample_ids: r.sample_ids,
    error: r.error,
  }))
}
