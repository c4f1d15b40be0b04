import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely'
import pg from 'pg'
import type { Database } from './schema.js'

// bigint columns (money in minor units, sequence numbers) arrive as strings unless told otherwise;
// they stay within 2^53 in practice, and a lossy parse is refused rather than silently rounded.
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => {
  const n = Number(v)
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${v} exceeds the safe integer range`)
  return n
})
// `date` columns are calendar days, not instants: keep them as 'YYYY-MM-DD'.
pg.types.setTypeParser(pg.types.builtins.DATE, (v: string) => v)

export type Db = Kysely<Database>

/** `settings`: session settings for every connection (`-c name=value`), e.g. for a bulk load. */
export function createPool(connectionString: string, max = 10, settings: Record<string, string> = {}): pg.Pool {
  const options = Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`).join(' ') || undefined
  return guarded(new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000, application_name: 'claimdesk', options }))
}

/** A few connections of their own, on the pool's database, for a path that must never queue behind the shared pool's work. */
export function createSidePool(pool: pg.Pool, max: number): pg.Pool {
  return guarded(new pg.Pool({ ...pool.options, max }))
}

// A client losing its server (restart, failover) must not crash the process; the query fails instead.
function guarded(pool: pg.Pool): pg.Pool {
  pool.on('error', () => undefined)
  pool.on('connect', (client) => client.on('error', () => undefined))
  return pool
}

export function createDb(pool: pg.Pool): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
}

/** Runs `fn` in a savepoint of the caller's transaction: if it throws, only its own writes roll back. */
export async function inSavepoint<T>(trx: Transaction<Database>, fn: () => Promise<T>): Promise<T> {
  await sql`savepoint claimdesk_step`.execute(trx)
  try {
    const result = await fn()
    await sql`release savepoint claimdesk_step`.execute(trx)
    return result
  } catch (err) {
    await sql`rollback to savepoint claimdesk_step`.execute(trx)
    throw err
  }
}
