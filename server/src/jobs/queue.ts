import { sql, type Transaction } from 'kysely'
import type { Db } from '../db/owned.js'
import type { PlatformPurge } from '../db/purge.js'
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

// graphile-worker deletes a job that succeeds; one that failed its last attempt stays, for a person to look at.
const jobsTable = sql`graphile_worker._private_jobs`
const failedBefore = (before: Date) =>
  sql<boolean>`attempts >= max_attempts and locked_at is null and updated_at < ${before}`
const hasJobsTable = async (db: Db) =>
  (await sql<{ t: string | null }>`select to_regclass('graphile_worker._private_jobs')::text as t`.execute(db)).rows[0]
    ?.t != null

/** Jobs that failed their last attempt more than JOB_RETENTION_DAYS ago. */
export const failedJobsPurge: PlatformPurge = {
  name: 'failed_jobs',
  keepDays: (config) => config.retention.failedJobDays,
  purge: async (db, before, limit) => {
    if (!(await hasJobsTable(db))) return 0
    const res = await sql`delete from ${jobsTable} where id = any(array(
      select id from ${jobsTable} where ${failedBefore(before)} limit ${limit} for update skip locked))`.execute(db)
    return Number(res.numAffectedRows ?? 0n)
  },
  count: async (db, before) => {
    if (!(await hasJobsTable(db))) return 0
    const { rows } = await sql<{
      n: string
    }>`select count(*) as n from ${jobsTable} where ${failedBefore(before)}`.execute(db)
    return Number(rows[0]?.n ?? 0)
  },
}
