import type { Selectable } from 'kysely'
import { type Trx, deleteOwned, deletedAny, ownedRows } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import type { Db } from './cases.js'

// Presence

export type PresenceRow = Selectable<Database['case_presence']>

/** Records a heartbeat; returns the row as it was before (undefined: new here), to tell news from a repeat. */
export async function upsertPresence(
  trx: Trx,
  row: Omit<PresenceRow, 'since'>,
  expiredBefore: Date,
): Promise<PresenceRow | undefined> {
  const before = await ownedRows(trx, 'case_presence', row.merchant_id)
    .where('case_id', '=', row.case_id)
    .where('user_id', '=', row.user_id)
    .where('seen_at', '>=', expiredBefore)
    .forUpdate()
    .executeTakeFirst()
  await trx
    .insertInto('case_presence')
    .values({ ...row, since: before && before.state === row.state ? before.since : row.seen_at })
    .onConflict((oc) =>
      oc.columns(['merchant_id', 'case_id', 'user_id']).doUpdateSet((eb) => ({
        state: eb.ref('excluded.state'),
        since: eb.ref('excluded.since'),
        seen_at: eb.ref('excluded.seen_at'),
      })),
    )
    .execute()
  return before
}

export async function deletePresence(trx: Trx, merchantId: string, caseId: string, userId: string): Promise<boolean> {
  return deletedAny(
    deleteOwned(trx, 'case_presence', merchantId).where('case_id', '=', caseId).where('user_id', '=', userId),
  )
}

export async function listPresence(
  db: Db,
  merchantId: string,
  caseId: string,
  seenSince: Date,
): Promise<PresenceRow[]> {
  return ownedRows(db, 'case_presence', merchantId)
    .where('case_id', '=', caseId)
    .where('seen_at', '>=', seenSince)
    .orderBy('since')
    .execute()
}

/** Heartbeats nobody sent again: a closed tab, a crashed browser. */
export async function purgePresence(db: Db, before: Date): Promise<number> {
  const r = await db.deleteFrom('case_presence').where('seen_at', '<', before).executeTakeFirst()
  return Number(r.numDeletedRows)
}
