import type { Transaction } from 'kysely'
import { customerIdentity } from '../../customers/service.js'
import type { Database } from '../../db/schema.js'
import type { Db } from '../store/cases.js'
import * as erasureStore from '../store/erasure.js'
import type { TimelineEntryText, TimelineRewrite } from '../store/erasure.js'
import { rebuildTimelineSearch } from '../store/timeline.js'
import { announceTimelineEntries, unsearchedTimelineTypes } from './timeline.js'

type Trx = Transaction<Database>

export type { TimelineEntryText, TimelineRewrite }

/** A module's own entries of one type on these cases, as they read: what it finds there to rewrite. */
export const listTimelineEntriesOfType = (db: Db, merchantId: string, caseIds: string[], type: string) =>
  erasureStore.listEntriesOfType(db, merchantId, caseIds, type)

/**
 * A customer's cases: `own`, those whose customer is them or a record merged into them; `merged`, the other cases
 * merges joined to those (duplicates merged into one of theirs, the cases theirs were merged into), where mail of
 * theirs may have landed too.
 */
export async function listCaseIdsOfCustomer(
  db: Db,
  merchantId: string,
  customerId: string,
): Promise<{ own: string[]; merged: string[] }> {
  const own = await erasureStore.listCaseIdsOfCustomers(
    db,
    merchantId,
    await customerIdentity(db, merchantId, customerId),
  )
  const seen = new Set(own)
  // recordMessage follows at most five merges; so does this.
  for (let frontier = own, hops = 0; frontier.length && hops < 5; hops++) {
    frontier = (await erasureStore.listMergeNeighbours(db, merchantId, frontier)).filter((id) => !seen.has(id))
    for (const id of frontier) seen.add(id)
  }
  return { own, merged: [...seen].filter((id) => !own.includes(id)).sort() }
}

/** Each of these cases' customer and closing instant: what retention asks to judge holds and ages. */
export async function caseRetentionFacts(
  db: Db,
  merchantId: string,
  caseIds: string[],
): Promise<Map<string, { customerId: string | null; closedAt: Date | null }>> {
  const rows = await erasureStore.listCaseRetentionFacts(db, merchantId, caseIds)
  return new Map(rows.map((r) => [r.id, { customerId: r.customer_id, closedAt: r.closed_at }]))
}

/** Of these customers, those with an open case or a case touched since `since` (retention keeps their data). */
export async function customersWithCaseActivity(db: Db, merchantId: string, customerIds: string[], since: Date) {
  return new Set(await erasureStore.listCustomersActiveSince(db, merchantId, customerIds, since))
}

/**
 * Rewrites timeline entries of one type in place (a module's own entries, found by the dedup key it gave them):
 * their text and the named data fields. The cases' search documents are rebuilt from their timelines as they now
 * read, so search no longer finds what was rewritten away. Returns how many entries changed.
 */
export async function redactTimelineEntries(
  trx: Trx,
  merchantId: string,
  type: string,
  rewrites: TimelineRewrite[],
): Promise<number> {
  const rows = await erasureStore.rewriteTimelineEntries(trx, merchantId, type, rewrites)
  await rebuildTimelineSearch(trx, merchantId, [...new Set(rows.map((r) => r.case_id))], unsearchedTimelineTypes())
  await announceTimelineEntries(
    trx,
    merchantId,
    rows.map((r) => ({ ...r, type, text: '' })),
  )
  return rows.length
}

/** Replaces the body of notifications (by their dedup keys) that quoted what is being erased. */
export async function redactNotifications(trx: Trx, merchantId: string, dedupKeys: string[], body: string) {
  await erasureStore.rewriteNotificationBodies(trx, merchantId, dedupKeys, body)
}
