import { sql, type Insertable, type Updateable } from 'kysely'
import { type Db, deleteKeyed, keysetPage, ownedRows, selectKeyed, type Trx, updateKeyed } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'

export async function findCalendar(db: Db, merchantId: string, id: string) {
  return selectKeyed(db, 'sla_calendars', merchantId, id).selectAll().executeTakeFirst()
}

export async function lockCalendar(trx: Trx, merchantId: string, id: string) {
  return selectKeyed(trx, 'sla_calendars', merchantId, id).selectAll().forUpdate().executeTakeFirst()
}

export async function listCalendars(db: Db, merchantId: string, page: { after?: string; limit: number }) {
  return keysetPage(ownedRows(db, 'sla_calendars', merchantId), page).execute()
}

export async function findCalendarIdByName(trx: Trx, merchantId: string, name: string, exceptId?: string) {
  let q = selectKeyedByName(trx, merchantId, name)
  if (exceptId) q = q.where('id', '<>', exceptId)
  return q.executeTakeFirst()
}

const selectKeyedByName = (trx: Trx, merchantId: string, name: string) =>
  ownedRows(trx, 'sla_calendars', merchantId).where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))

/** The unique name index decides a clash: undefined when the name is taken. */
export async function insertCalendar(trx: Trx, row: Insertable<Database['sla_calendars']>) {
  return trx
    .insertInto('sla_calendars')
    .values(row)
    .onConflict((oc) => oc.expression(sql`merchant_id, lower(name)`).doNothing())
    .returningAll()
    .executeTakeFirst()
}

export async function updateCalendar(
  trx: Trx,
  merchantId: string,
  id: string,
  patch: Updateable<Database['sla_calendars']>,
) {
  return updateKeyed(trx, 'sla_calendars', merchantId, id).set(patch).returningAll().executeTakeFirstOrThrow()
}

export async function deleteCalendar(trx: Trx, merchantId: string, id: string) {
  await deleteKeyed(trx, 'sla_calendars', merchantId, id)
}
