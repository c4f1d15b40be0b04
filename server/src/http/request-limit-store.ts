import { type Kysely, sql } from 'kysely'
import { countWhere, deleteBatch, type PlatformPurge } from '../db/purge.js'
import type { Database } from '../db/schema.js'

type Db = Kysely<Database>

/**
 * One more hit on each key, in one statement: a key whose window has ended starts a new one ending at its
 * `windowEndsAt`. Each key's hits in its window so far (this one included) and when the window ends.
 */
export async function countHits(
  db: Db,
  keys: { key: string; windowEndsAt: Date }[],
  now: Date,
): Promise<Map<string, { hits: number; windowEndsAt: Date }>> {
  if (!keys.length) return new Map()
  const ended = sql<boolean>`request_limits.window_ends_at <= ${now}`
  const rows = await db
    .insertInto('request_limits')
    .values(keys.map((k) => ({ key: k.key, window_ends_at: k.windowEndsAt, hits: 1 })))
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        window_ends_at: sql`case when ${ended} then excluded.window_ends_at else request_limits.window_ends_at end`,
        hits: sql`case when ${ended} then 1 else request_limits.hits + 1 end`,
      }),
    )
    .returning(['key', 'hits', 'window_ends_at'])
    .execute()
  return new Map(rows.map((r) => [r.key, { hits: r.hits, windowEndsAt: r.window_ends_at }]))
}

/** Request-limit counters whose window ended more than REQUEST_LIMIT_RETENTION_DAYS ago (an ended one counts nothing). */
export const requestLimitsPurge: PlatformPurge = {
  name: 'request_limits',
  keepDays: (config) => config.retention.requestLimitDays,
  purge: (db, before, limit) => deleteBatch(db, 'request_limits', sql`window_ends_at <= ${before}`, limit),
  count: (db, before) => countWhere(db, 'request_limits', sql`window_ends_at <= ${before}`),
}
