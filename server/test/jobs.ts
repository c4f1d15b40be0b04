import { Logger, runOnce } from 'graphile-worker'
import type { AppContext } from '../src/context.js'
import { taskList } from '../src/jobs/worker.js'
import type { Module } from '../src/modules.js'

const silent = new Logger(() => () => undefined)

/** Runs every job that is due now (and those they enqueue) to completion, then returns. */
export async function runDueJobs(ctx: AppContext, modules: Module[]): Promise<void> {
  await runOnce({ pgPool: ctx.pool, taskList: taskList(modules, ctx), noHandleSignals: true, logger: silent })
}

export type PendingJob = { task_identifier: string; payload: Record<string, unknown>; run_at: Date; attempts: number; key: string | null }

export async function pendingJobs(ctx: AppContext): Promise<PendingJob[]> {
  const { rows } = await ctx.pool.query(`select t.identifier as task_identifier, j.payload, j.run_at, j.attempts, j.key
    from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id order by j.id`)
  return rows
}
