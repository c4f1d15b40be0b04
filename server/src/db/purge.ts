import { type RawBuilder, sql } from 'kysely'
import type { Config } from '../config.js'
import type { Db } from './owned.js'

/**
 * A platform table that grows with traffic and is purged by age (retention/service/platform.ts runs them all, from
 * cron and `npx claimdesk purge`). `purge` takes one batch of rows older than `before` and returns how many; `count`
 * says how many a purge would take (the dry run).
 */
export type PlatformPurge = {
  name: string
  /** Days a row is kept (a documented setting of config.ts) */
  keepDays: (config: Config) => number
  purge: (db: Db, before: Date, limit: number, now: Date) => Promise<number>
  count: (db: Db, before: Date) => Promise<number>
}

/**
 * Deletes up to `limit` rows of `table` matching `where`: the rows are locked and those another transaction holds are
 * skipped, so a batch never waits on a lock and holds its own only for the batch.
 */
export async function deleteBatch(db: Db, table: string, where: RawBuilder<boolean>, limit: number): Promise<number> {
  const t = sql.table(table)
  const res = await sql`delete from ${t} where ctid = any(array(
    select ctid from ${t} where ${where} limit ${limit} for update skip locked))`.execute(db)
  return Number(res.numAffectedRows ?? 0n)
}

export async function countWhere(db: Db, table: string, where: RawBuilder<boolean>): Promise<number> {
  const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where ${where}`.execute(db)
  return Number(rows[0]?.n ?? 0)
}
