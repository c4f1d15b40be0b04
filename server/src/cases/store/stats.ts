import { selectOwned } from '../../db/owned.js'
import { sql } from 'kysely'
import { unresolvedStatuses } from '../tables.js'
import { ageCounts } from './case-list.js'
import type { Db } from './cases.js'

// Operations dashboard

/** Unresolved cases per type and age bucket (one pass over the unresolved index). */
export async function countOpenByTypeAndAge(
  db: Db,
  merchantId: string,
  now: Date,
): Promise<{ type_key: string; a: number; b: number; c: number }[]> {
  const rows = await db
    .selectFrom('cases')
    .select('type_key')
    .select(ageCounts('created_at', now))
    .where('merchant_id', '=', merchantId)
    .where('status', 'in', unresolvedStatuses)
    .groupBy('type_key')
    .execute()
  return rows.map((r) => ({ type_key: r.type_key, a: Number(r.a), b: Number(r.b), c: Number(r.c) }))
}

/** New cases per local day (in the workspace's time zone) and carrier, since `from`. */
export async function countNewByDayAndCarrier(
  db: Db,
  merchantId: string,
  from: Date,
  timeZone: string,
): Promise<{ day: string; carrier_code: string | null; n: number }[]> {
  // The day is computed once in a subquery: the same expression twice would be two parameters to PostgreSQL.
  const created = selectOwned(db, 'cases', merchantId)
    .select([sql<string>`to_char(created_at at time zone ${timeZone}, 'YYYY-MM-DD')`.as('day'), 'carrier_code'])
    .where('created_at', '>=', from)
    .as('c')
  const rows = await db
    .selectFrom(created)
    .select(['c.day', 'c.carrier_code', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy(['c.day', 'c.carrier_code'])
    .orderBy('c.day')
    .execute()
  return rows.map((r) => ({ day: r.day, carrier_code: r.carrier_code, n: Number(r.n) }))
}
