import type { Insertable, Selectable } from 'kysely'
import { type Trx, keyedRows, ownedRows } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import type { Db } from './cases.js'

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

const byKey = keyedRows('case_views')

export const findView = byKey.find

export async function insertView(trx: Trx, row: Insertable<Database['case_views']>): Promise<ViewRow> {
  return trx.insertInto('case_views').values(row).returningAll().executeTakeFirstOrThrow()
}

export const updateView = byKey.update

export const deleteView = byKey.delete
