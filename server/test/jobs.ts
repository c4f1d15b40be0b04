import { Logger } from 'graphile-worker'
import type { AppContext } from '../src/context.js'
import { runDueJobs as runJobs } from '../src/jobs/worker.js'
import type { Module } from '../src/modules.js'

const silent = new Logger(() => () => undefined)

/** The runtime's runDueJobs, quiet: a test's failing jobs are expected. */
export const runDueJobs = (ctx: AppContext, modules: Module[], timeoutMs = 10_000): Promise<void> =>
  runJobs(ctx, modules, { timeoutMs, logger: silent })

export type PendingJob = {
  task_identifier: string
  payload: Record<string, unknown>
  run_at: Date
  attempts: number
  key: string | null
}

export async function pendingJobs(ctx: AppContext): Promise<PendingJob[]> {
  const { rows } = await ctx.pool.query(`select t.identifier as task_identifier, j.payload, j.run_at, j.attempts, j.key
    from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id order by j.id`)
  return rows
}

/** Makes a task's jobs due now, skipping their retry backoff. */
export async function retryNow(ctx: AppContext, task: string): Promise<void> {
  await ctx.pool.query(
    `select graphile_worker.reschedule_jobs(array(select j.id from graphile_worker._private_jobs j
    join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = $1), run_at := now())`,
    [task],
  )
}
