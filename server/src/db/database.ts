import { createHash } from 'node:crypto'
import { Kysely, PostgresDialect, sql, type Compilable, type RawBuilder, type Transaction } from 'kysely'
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
  const options =
    Object.entries(settings)
      .map(([k, v]) => `-c ${k}=${v}`)
      .join(' ') || undefined
  return guarded(
    new pg.Pool({
      connectionString,
      max,
      idleTimeoutMillis: 30_000,
      application_name: 'claimdesk',
      options,
      Client: PreparingClient,
    }),
  )
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

// Statement texts sent as named statements (executePrepared), with their names.
const statementNames = new Map<string, string>()
const maxPreparedTexts = 200

/** Sends a registered text as a named statement: PostgreSQL parses and plans it once per connection. */
class PreparingClient extends pg.Client {}
PreparingClient.prototype.query = function (this: pg.Client, config: unknown, ...rest: unknown[]) {
  const name = typeof config === 'string' ? statementNames.get(config) : undefined
  return (pg.Client.prototype.query as (...args: unknown[]) => unknown).call(
    this,
    name ? { name, text: config } : config,
    ...rest,
  )
} as pg.Client['query']

/**
 * Runs a query as a named prepared statement. For the few statements run per delivery in the inbox
 * drain, where parsing and planning were most of their database time; not for every query, because
 * a generic plan can be cached while a table is small. Results must name their columns: a `*` result
 * changes type after a migration, and a long-lived connection's statement would fail from then on.
 */
export async function executePrepared<R>(
  db: Kysely<Database> | Transaction<Database>,
  query: Compilable<R> | RawBuilder<R>,
): Promise<R[]> {
  const compiled = 'isRawBuilder' in query ? query.compile(db) : query.compile()
  if (!statementNames.has(compiled.sql)) {
    if (/\*\s*(from|$)|returning \*|"\.\*/.test(compiled.sql))
      throw new Error(`A prepared statement must name its result columns: ${compiled.sql}`)
    // A text that varies with its input would fill the cache of every connection: such a query runs unnamed.
    if (statementNames.size < maxPreparedTexts)
      statementNames.set(
        compiled.sql,
        `claimdesk_${createHash('sha256').update(compiled.sql).digest('hex').slice(0, 24)}`,
      )
  }
  return (await db.executeQuery(compiled)).rows
}

/** Every column of a table, spelled out for a prepared statement; the type check fails when the table gains one the list lacks. */
export const allColumns =
  <T>() =>
  <const C extends readonly (keyof T & string)[]>(columns: C & ([keyof T] extends [C[number]] ? unknown : never)): C =>
    columns

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
