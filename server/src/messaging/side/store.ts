import type { Insertable, Selectable } from 'kysely'
import { type Db, type Trx, insertReturning, keyedRows, ownedRows, selectOwned } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import type { SideConversationStatus } from '../tables.js'

export type SideConversationRow = Selectable<Database['side_conversations']>

const sides = keyedRows('side_conversations')
export const findSideConversation = sides.find
export const lockSideConversation = sides.lock
export const updateSideConversation = sides.update

export const insertSideConversation = (trx: Trx, row: Insertable<Database['side_conversations']>) =>
  insertReturning(trx, 'side_conversations', row)

// A case has a handful: listed whole, newest first (ids are UUIDv7).
export async function listSideConversations(
  db: Db,
  merchantId: string,
  caseId: string,
): Promise<SideConversationRow[]> {
  return ownedRows(db, 'side_conversations', merchantId)
    .where('case_id', '=', caseId)
    .orderBy('id', 'desc')
    .limit(200)
    .execute()
}

export async function countSideConversations(
  db: Db,
  merchantId: string,
  caseId: string,
): Promise<Record<SideConversationStatus, number>> {
  const rows = await selectOwned(db, 'side_conversations', merchantId)
    .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
    .where('case_id', '=', caseId)
    .groupBy('status')
    .execute()
  const counts = { open: 0, answered: 0, closed: 0 }
  for (const r of rows) counts[r.status] = Number(r.n)
  return counts
}

/** A customer's erasure: the side conversations on these cases, locked until commit. */
export async function lockSideConversationsOnCases(
  trx: Trx,
  merchantId: string,
  caseIds: string[],
): Promise<SideConversationRow[]> {
  if (!caseIds.length) return []
  return ownedRows(trx, 'side_conversations', merchantId)
    .where('case_id', 'in', caseIds)
    .orderBy('id')
    .forUpdate()
    .execute()
}

/** The workspace of a side conversation, for the SMTP listener (which knows no workspace yet). */
export async function findMerchantOfSideConversation(db: Db, id: string): Promise<string | undefined> {
  const row = await db.selectFrom('side_conversations').select('merchant_id').where('id', '=', id).executeTakeFirst()
  return row?.merchant_id
}
