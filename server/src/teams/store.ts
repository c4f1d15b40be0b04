import { sql, type Insertable, type Updateable } from 'kysely'
import {
  type Db,
  type Trx,
  deleteKeyed,
  deleteOwned,
  keysetPage,
  selectKeyed,
  selectOwned,
  updateKeyed,
} from '../db/owned.js'
import type { Database } from '../db/schema.js'

const columns = ['id', 'name', 'description', 'lead_user_id', 'calendar_id', 'created_at', 'updated_at'] as const

export async function listMembers(db: Db, merchantId: string, teamIds: string[]) {
  return selectOwned(db, 'team_members', merchantId)
    .select(['team_id', 'user_id'])
    .where('team_id', 'in', teamIds)
    .orderBy('user_id')
    .execute()
}

export async function findTeam(db: Db, merchantId: string, id: string) {
  return selectKeyed(db, 'teams', merchantId, id).select(columns).executeTakeFirst()
}

export async function listTeams(db: Db, merchantId: string, page: { after?: string; limit: number }) {
  const q = selectOwned(db, 'teams', merchantId).select(columns)
  return keysetPage(q, page).execute()
}

export async function listTeamIdsByCalendar(db: Db, merchantId: string, calendarId: string) {
  const rows = await selectOwned(db, 'teams', merchantId)
    .select('id')
    .where('calendar_id', '=', calendarId)
    .orderBy('id')
    .execute()
  return rows.map((r) => r.id)
}

export async function lockTeam(trx: Trx, merchantId: string, id: string) {
  return selectKeyed(trx, 'teams', merchantId, id).select('id').forUpdate().executeTakeFirst()
}

export async function findTeamIdByName(trx: Trx, merchantId: string, name: string, exceptId?: string) {
  let q = selectOwned(trx, 'teams', merchantId)
    .select('id')
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
  if (exceptId) q = q.where('id', '<>', exceptId)
  return q.executeTakeFirst()
}

/** The unique name index decides a clash: undefined when the name is taken. */
export async function insertTeam(trx: Trx, row: Insertable<Database['teams']>) {
  return trx
    .insertInto('teams')
    .values(row)
    .onConflict((oc) => oc.expression(sql`merchant_id, lower(name)`).doNothing())
    .returning('id')
    .executeTakeFirst()
}

export async function updateTeam(trx: Trx, merchantId: string, id: string, patch: Updateable<Database['teams']>) {
  await updateKeyed(trx, 'teams', merchantId, id).set(patch).execute()
}

export async function deleteTeam(trx: Trx, merchantId: string, id: string) {
  await deleteKeyed(trx, 'teams', merchantId, id)
}

export async function insertMembers(trx: Trx, rows: Insertable<Database['team_members']>[]) {
  await trx.insertInto('team_members').values(rows).execute()
}

export async function deleteMembers(trx: Trx, merchantId: string, teamId: string, userIds: string[]) {
  await deleteOwned(trx, 'team_members', merchantId)
    .where('team_id', '=', teamId)
    .where('user_id', 'in', userIds)
    .execute()
}
