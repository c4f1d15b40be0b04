import { sql } from 'kysely'
import { type Trx, selectOwned, updateOwned } from '../../db/owned.js'
import type { Db } from './cases.js'

// What a customer's erasure asks of the cases' tables: their cases, and their words in timeline entries and
// notifications rewritten (the entries, ids and dates stay).

/** The ids of cases whose customer is one of these. */
export async function listCaseIdsOfCustomers(db: Db, merchantId: string, customerIds: string[]): Promise<string[]> {
  if (!customerIds.length) return []
  const rows = await selectOwned(db, 'cases', merchantId)
    .select('id')
    .where('customer_id', 'in', customerIds)
    .orderBy('id')
    .execute()
  return rows.map((r) => r.id)
}

/** These cases' customers and when each was closed (null: open, or no customer). */
export async function listCaseRetentionFacts(db: Db, merchantId: string, caseIds: string[]) {
  if (!caseIds.length) return []
  return selectOwned(db, 'cases', merchantId)
    .select(['id', 'customer_id', 'closed_at'])
    .where('id', 'in', caseIds)
    .execute()
}

/** Of these customers, those with a case still open or touched since `since`: not inactive. */
export async function listCustomersActiveSince(
  db: Db,
  merchantId: string,
  customerIds: string[],
  since: Date,
): Promise<string[]> {
  if (!customerIds.length) return []
  const rows = await selectOwned(db, 'cases', merchantId)
    .select('customer_id')
    .distinct()
    .where('customer_id', 'in', customerIds)
    .where((eb) => eb.or([eb('closed_at', 'is', null), eb('updated_at', '>=', since)]))
    .execute()
  return rows.flatMap((r) => (r.customer_id ? [r.customer_id] : []))
}

/** Cases merged into any of these, and the cases these were merged into. */
export async function listMergeNeighbours(db: Db, merchantId: string, caseIds: string[]): Promise<string[]> {
  if (!caseIds.length) return []
  const rows = await selectOwned(db, 'cases', merchantId)
    .select(['id', 'merged_into_id'])
    .where((eb) => eb.or([eb('merged_into_id', 'in', caseIds), eb('id', 'in', caseIds)]))
    .execute()
  return [...new Set(rows.flatMap((r) => [r.id, ...(r.merged_into_id ? [r.merged_into_id] : [])]))]
}

/** An entry to rewrite: named by the dedup key its module gave it, or (written without one) by its id. */
export type TimelineRewrite = {
  caseId: string
  dedupKey?: string
  entryId?: string
  text: string
  data: Record<string, unknown>
}

export type TimelineEntryText = { id: string; case_id: string; text: string; data: Record<string, unknown> }

/** The entries of one type on these cases, their text and data as they read. */
export async function listEntriesOfType(
  db: Db,
  merchantId: string,
  caseIds: string[],
  type: string,
): Promise<TimelineEntryText[]> {
  if (!caseIds.length) return []
  return selectOwned(db, 'case_timeline', merchantId)
    .select(['id', 'case_id', 'text', 'data'])
    .where('case_id', 'in', caseIds)
    .where('type', '=', type)
    .orderBy('id')
    .execute() as Promise<TimelineEntryText[]>
}

/** Each entry's text replaced and its data's named fields overwritten; returns the entries rewritten. */
export async function rewriteTimelineEntries(
  trx: Trx,
  merchantId: string,
  type: string,
  rewrites: TimelineRewrite[],
): Promise<{ id: string; case_id: string }[]> {
  if (!rewrites.length) return []
  const col = <K extends keyof TimelineRewrite>(k: K) => rewrites.map((r) => r[k] ?? null)
  const { rows } = await sql<{ id: string; case_id: string }>`update case_timeline t
    set text = left(v.text, 20000), data = t.data || v.data
    from unnest(${col('caseId')}::uuid[], ${col('dedupKey')}::text[], ${col('entryId')}::uuid[], ${col('text')}::text[],
      ${rewrites.map((r) => JSON.stringify(r.data))}::jsonb[]) as v(case_id, dedup_key, entry_id, text, data)
    where t.merchant_id = ${merchantId} and t.type = ${type} and t.case_id = v.case_id
      and (t.dedup_key = v.dedup_key or t.id = v.entry_id)
    returning t.id, t.case_id`.execute(trx)
  return rows
}

/** Replaces the body of these notifications (by dedup key, read or not). */
export async function rewriteNotificationBodies(
  trx: Trx,
  merchantId: string,
  dedupKeys: string[],
  body: string,
): Promise<void> {
  if (!dedupKeys.length) return
  await updateOwned(trx, 'notifications', merchantId).set({ body }).where('dedup_key', 'in', dedupKeys).execute()
}
