import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runMigrations } from 'graphile-worker'
import type pg from 'pg'
import { grantAppRole } from './roles.js'

// From the project root: the CLI runs this file bundled elsewhere (bin/claimdesk.js), three levels down as here.
const dir = fileURLToPath(new URL('../../../server/src/db/migrations/', import.meta.url))

/** A migration that cannot run: said in one line, the database left as it was. */
export class MigrationError extends Error {
  override name = 'MigrationError'
}

type Migration = { version: number; name: string; sql: string; checksum: string }

export function listMigrations(): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const sql = readFileSync(path.join(dir, f), 'utf8')
      return { version: Number(f.slice(0, 4)), name: f, sql, checksum: createHash('sha256').update(sql).digest('hex') }
    })
}

/**
 * Forward-only: each file runs once, in its own transaction, in order. An advisory lock lets any
 * number of processes start at once. A file edited after it ran is refused: write a new one.
 * `pool` connects as the owner; `appRole`, when the server connects as another role, is granted its rows.
 */
export async function migrate(
  pool: pg.Pool,
  log: (msg: string) => void = () => undefined,
  appRole?: string,
  /** Stop after this version: a data migration's test writes rows as they were before it. */
  until = Number.POSITIVE_INFINITY,
): Promise<number> {
  const client = await pool.connect()
  let applied = 0
  try {
    await client.query(`select pg_advisory_lock(hashtext('claimdesk.migrate'))`)
    await client.query(`create table if not exists schema_migrations (
      version int primary key, name text not null, checksum text not null, applied_at timestamptz not null default now())`)
    const done = new Map<number, string>(
      (
        await client.query<{ version: number; checksum: string }>('select version, checksum from schema_migrations')
      ).rows.map((r) => [r.version, r.checksum]),
    )
    for (const m of listMigrations().filter((m) => m.version <= until)) {
      const seen = done.get(m.version)
      if (seen !== undefined) {
        if (seen !== m.checksum)
          throw new MigrationError(`Migration ${m.name} was changed after it was applied; add a new migration instead`)
        continue
      }
      await client.query('begin')
      try {
        await client.query(m.sql)
        await client.query('insert into schema_migrations (version, name, checksum) values ($1, $2, $3)', [
          m.version,
          m.name,
          m.checksum,
        ])
        await client.query('commit')
      } catch (err) {
        await client.query('rollback')
        throw new MigrationError(`Migration ${m.name} failed: ${(err as Error).message}`)
      }
      applied++
      log(`applied migration ${m.name}`)
    }
    // The job queue's own schema, migrated by graphile-worker itself (on another of the pool's connections).
    await runMigrations({ pgPool: pool })
    // Under the lock: concurrent GRANTs on one table fail with "tuple concurrently updated".
    if (appRole) await grantAppRole(client, appRole)
  } finally {
    await client.query(`select pg_advisory_unlock(hashtext('claimdesk.migrate'))`).catch(() => undefined)
    client.release()
  }
  return applied
}
