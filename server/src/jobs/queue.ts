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
export async function addJob(trx: Transaction<Database>, task: string, payload: Record<string, unknown>, opts: AddJobOptions = {}): Promise<void> {
  await sql`select graphile_worker.add_job(
    identifier => ${task}, payload => ${JSON.stringify(payload)}::json, queue_name => ${opts.queueName ?? null}::text,
    run_at => ${opts.runAt ?? null}::timestamptz, max_attempts => ${opts.maxAttempts ?? null}::int,
    job_key => ${opts.jobKey ?? null}::text, priority => ${opts.priority ?? null}::int,
    job_key_mode => ${opts.jobKeyMode ?? 'replace'}::text)`.execute(trx)
}

export async function removeJob(trx: Transaction<Database>, jobKey: string): Promise<void> {
  await sql`select graphile_worker.remove_job(${jobKey})`.execute(trx)
}
