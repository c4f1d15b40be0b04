import { sql, type Transaction } from 'kysely'
import type { Database } from '../db/schema.js'

export type AddJobOptions = {
  runAt?: Date
  /** Same key replaces a pending job (graphile-worker job_key), so scheduling twice runs once. */
  jobKey?: string
  jobKeyMode?: 'replace' | 'preserve_run_at' | 'unsafe_dedupe'
  maxAttempts?: number
  queueName?: string
  priority?: number
}

/** Enqueues inside the caller's transaction: the job exists if, and only if, the change commits. */
export async function addJob(
  trx: Transaction<Database>,
  task: string,
  payload: Record<string, unknown>,
  opts: AddJobOptions = {},
): Promise<void> {
  await sql`select graphile_worker.add_job(
    identifier => ${task}, payload => ${JSON.stringify(payload)}::json, queue_name => ${opts.queueName ?? null}::text,
    run_at => ${opts.runAt ?? null}::timestamptz, max_attempts => ${opts.maxAttempts ?? null}::int,
    job_key => ${opts.jobKey ?? null}::text, priority => ${opts.priority ?? null}::int,
    job_key_mode => ${opts.jobKeyMode ?? 'replace'}::text)`.execute(trx)
}

export async function removeJob(trx: Transaction<Database>, jobKey: string): Promise<void> {
  await sql`select graphile_worker.remove_job(${jobKey})`.execute(trx)
}

export type JobSpec = { task: string; payload: Record<string, unknown>; jobKey?: string; maxAttempts?: number }

/** Many jobs in one statement (graphile-worker's add_jobs), in the caller's transaction. */
export async function addJobs(trx: Transaction<Database>, jobs: JobSpec[]): Promise<void> {
  if (!jobs.length) return
  await sql`select 1 from graphile_worker.add_jobs(array(
    select (j.task, j.payload, null, null, j.max_attempts, j.job_key, null, null)::graphile_worker.job_spec
    from unnest(${jobs.map((j) => j.task)}::text[], ${jobs.map((j) => JSON.stringify(j.payload))}::json[], ${jobs.map((j) => j.maxAttempts ?? null)}::int[],
      ${jobs.map((j) => j.jobKey ?? null)}::text[]) as j(task, payload, max_attempts, job_key)))`.execute(trx)
}
