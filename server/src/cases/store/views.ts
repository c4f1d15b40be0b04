import type { Insertable, Selectable, Transaction, Updateable } from 'kysely'
import { deleteKeyed, findKeyed, ownedRows, updateKeyed } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import type { Db } from './cases.js'

type Trx = Transaction<Database>

// Saved views

export type ViewRow = Selectable<Database['case_views']>

/** The person's own views and the shared ones. */
export async function listViews(db: Db, merchantId: string, userId: string | null): Promise<ViewRow[]> {
  return ownedRows(db, 'case_views', merchantId)
    .where((eb) =>
      userId ? eb.or([eb('owner_id', 'is', null), eb('owner_id', '=', userId)]) : eb('owner_id', 'is', null),
    )
    .orderBy('position')
    .orderBy('name')
    .execute()
}

export async function findView(db: Db, merchantId: string, id: string): Promise<ViewRow | undefined> {
  return findKeyed(db, 'case_views', merchantId, id)
}

export async function insertView(trx: Trx, row: Insertable<Database['case_views']>): Promise<ViewRow> {
  return trx.insertInto('case_views').values(row).returningAll().executeTakeFirstOrThrow()
}

export async function updateView(
  trx: Trx,
  merchantId: string,
  id: string,
  patch: Updateable<Database['case_views']>,
): Promise<ViewRow> {
  return updateKeyed(trx, 'case_views', merchantId, id).set(patch).returningAll().executeTakeFirstOrThrow()
}

export async function deleteView(trx: Trx, merchantId: string, id: string): Promise<void> {
  await deleteKeyed(trx, 'case_views', merchantId, id)
}
