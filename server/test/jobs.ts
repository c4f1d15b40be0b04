import { Logger, runOnce } from 'graphile-worker'
import type { AppContext } from '../src/context.js'
import { allDrains, taskList } from '../src/jobs/worker.js'
import type { Module } from '../src/modules.js'

const silent = new Logger(() => () => undefined)

/**
 * Works through the modules' drains, then runs every job that is due now (and those they enqueue) to
 * completion, and again while the drains find more. Returns once job outcomes are written:
 * graphile-worker writes completions and failures back in batches, so it waits until no job is locked
 * (a condition, not a sleep).
 */
export async function runDueJobs(ctx: AppContext, modules: Module[], timeoutMs = 10_000): Promise<void> {
  const drains = allDrains(modules)
  const drainAll = async () => {
    let total = 0
    for (const d of drains) for (let n = 1; n > 0; total += n) n = await d.run(ctx, d.batchSize)
    return total
  }
  await drainAll()
  do await runJobs(ctx, modules, timeoutMs)
  while (await drainAll())
}

async function runJobs(ctx: AppContext, modules: Module[], timeoutMs: number): Promise<void> {
  await runOnce({ pgPool: ctx.pool, taskList: taskList(modules, ctx), noHandleSignals: true, logger: silent })
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const { rows } = await ctx.pool.query<{ n: number }>('select count(*) as n from graphile_worker._private_jobs where locked_at is not null')
    if (Number(rows[0]!.n) === 0) return
    if (Date.now() > deadline) throw new Error('jobs stayed locked after runOnce')
    await new Promise((r) => setTimeout(r, 20))
  }
}

export type PendingJob = { task_identifier: string; payload: Record<string, unknown>; run_at: Date; attempts: number; key: string | null }

export async function pendingJobs(ctx: AppContext): Promise<PendingJob[]> {
  const { rows } = await ctx.pool.query(`select t.identifier as task_identifier, j.payload, j.run_at, j.attempts, j.key
    from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id order by j.id`)
  return rows
}

/** Makes a task's jobs due now, skipping their retry backoff. */
export async function retryNow(ctx: AppContext, task: string): Promise<void> {
  await ctx.pool.query(`select graphile_worker.reschedule_jobs(array(select j.id from graphile_worker._private_jobs j
    join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = $1), run_at := now())`, [task])
}
