import { sql, type Insertable, type Selectable, type SqlBool } from 'kysely'
import { executePrepared } from '../../db/database.js'
import { type Trx, ownedRows } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import { type Db, searchDocAppend } from './cases.js'

export type TimelineRow = Selectable<Database['case_timeline']>

export async function insertTimeline(trx: Trx, rows: Insertable<Database['case_timeline']>[]): Promise<string[]> {
  if (!rows.length) return []
  const insert = trx
    .insertInto('case_timeline')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['merchant_id', 'case_id', 'dedup_key']).where('dedup_key', 'is not', null).doNothing(),
    )
    .returning('id')
  // Prepared when small: a text per row count, and most changes write one or two entries (the inbox drain's each).
  const inserted = rows.length <= 4 ? await executePrepared(trx, insert) : await insert.execute()
  return inserted.map((r) => r.id)
}

/** Whether a case of the type about the shipment, resolved or merged ones included, has an entry with this dedup key. */
export async function shipmentCaseHasEntry(
  db: Db,
  merchantId: string,
  shipmentId: string,
  typeKey: string,
  dedupKey: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('case_timeline as t')
    .innerJoin('cases as c', (j) => j.onRef('c.merchant_id', '=', 't.merchant_id').onRef('c.id', '=', 't.case_id'))
    .select(sql`1`.as('one'))
    .where('c.merchant_id', '=', merchantId)
    .where('c.shipment_id', '=', shipmentId)
    .where('c.type_key', '=', typeKey)
    .where('t.dedup_key', '=', dedupKey)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

export type TimelineFilter = { types?: string[]; after?: { at: Date; id: string }; limit: number; desc?: boolean }

export async function listTimeline(
  db: Db,
  merchantId: string,
  caseIds: string[],
  f: TimelineFilter,
): Promise<TimelineRow[]> {
  const dir = f.desc ? 'desc' : 'asc'
  let q = ownedRows(db, 'case_timeline', merchantId).where('case_id', 'in', caseIds)
  if (f.types?.length) q = q.where('type', 'in', f.types)
  if (f.after) {
    const { at, id } = f.after
    q = q.where(
      f.desc
        ? sql<SqlBool>`(occurred_at, id) < (${at}, ${id}::uuid)`
        : sql<SqlBool>`(occurred_at, id) > (${at}, ${id}::uuid)`,
    )
  }
  return q.orderBy('occurred_at', dir).orderBy('id', dir).limit(f.limit).execute()
}

export async function findTimelineEntries(
  db: Db,
  merchantId: string,
  caseId: string,
  ids: string[],
): Promise<TimelineRow[]> {
  if (!ids.length) return []
  return ownedRows(db, 'case_timeline', merchantId)
    .where('case_id', '=', caseId)
    .where('id', 'in', ids)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute()
}

/** Timeline texts become part of their case's search document as they land. */
export async function addTimelineSearch(trx: Trx, merchantId: string, texts: Map<string, string>): Promise<void> {
  // One case at a time in id order, so two writers never take the same case rows in opposite orders.
  for (const caseId of [...texts.keys()].sort()) {
    await sql`update cases set timeline_search = ${searchDocAppend(texts.get(caseId)!)}
      where merchant_id = ${merchantId} and id = ${caseId}`.execute(trx)
  }
}

/** The search document from the whole timeline, after entries were rewritten rather than added. */
export async function rebuildTimelineSearch(
  trx: Trx,
  merchantId: string,
  caseIds: string[],
  unsearchedTypes: readonly string[],
): Promise<void> {
  if (!caseIds.length) return
  await sql`update cases c set timeline_search = coalesce((
      select to_tsvector('english', string_agg(t.text, E'\n' order by t.occurred_at, t.id)) from case_timeline t
      where t.merchant_id = c.merchant_id and t.case_id = c.id and t.text <> ''
        and t.type <> all(${[...unsearchedTypes]}::text[])), '')
    where c.merchant_id = ${merchantId} and c.id = any(${[...caseIds].sort()}::uuid[])`.execute(trx)
}
