import type { Insertable, Selectable } from 'kysely'
import { keyedRows, ownedRows, type Db, type Trx } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'

export type MacroRow = Selectable<Database['macros']>

const macros = keyedRows('macros')
export const findMacro = macros.find
export const lockMacro = macros.lock
export const updateMacro = macros.update

/** Undefined when the name is taken (names are unique per workspace). */
export async function insertMacro(trx: Trx, row: Insertable<Database['macros']>): Promise<MacroRow | undefined> {
  return trx
    .insertInto('macros')
    .values(row)
    .onConflict((oc) => oc.columns(['merchant_id', 'name']).doNothing())
    .returningAll()
    .executeTakeFirst()
}

export async function findMacroByName(db: Db, merchantId: string, name: string): Promise<MacroRow | undefined> {
  return ownedRows(db, 'macros', merchantId).where('name', '=', name).executeTakeFirst()
}

export async function listMacros(db: Db, merchantId: string, archived: boolean): Promise<MacroRow[]> {
  let q = ownedRows(db, 'macros', merchantId).orderBy('name')
  if (!archived) q = q.where('archived_at', 'is', null)
  return q.execute()
}
