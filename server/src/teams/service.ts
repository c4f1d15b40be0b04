import { sql, type Kysely, type Transaction } from 'kysely'
import { auditActor, type Actor } from '../auth/actor.js'
import { recordAudit, type AuditActor } from '../audit/service.js'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import { newId } from '../ids.js'

type Trx = Transaction<Database>
type Db = Kysely<Database> | Trx

export type Team = {
  id: string
  name: string
  description: string
  lead_user_id: string | null
  member_ids: string[]
  created_at: Date
  updated_at: Date
}

export const defaultTeams = [
  { name: 'Support', description: 'First line: every new case lands here unless a rule says otherwise' },
  { name: 'HighValue', description: 'Cases above the high-value threshold and VIP customers' },
  { name: 'Logistics Ops', description: 'Carrier claims, customs holds and warehouse exceptions' },
]

async function withMembers(db: Db, merchantId: string, rows: Omit<Team, 'member_ids'>[]): Promise<Team[]> {
  const ids = rows.map((r) => r.id)
  const members = ids.length
    ? await db
        .selectFrom('team_members')
        .select(['team_id', 'user_id'])
        .where('merchant_id', '=', merchantId)
        .where('team_id', 'in', ids)
        .orderBy('user_id')
        .execute()
    : []
  return rows.map((r) => ({ ...r, member_ids: members.filter((m) => m.team_id === r.id).map((m) => m.user_id) }))
}

const columns = ['id', 'name', 'description', 'lead_user_id', 'created_at', 'updated_at'] as const

export async function getTeam(db: Db, merchantId: string, id: string): Promise<Team> {
  const row = await db
    .selectFrom('teams')
    .select(columns)
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .executeTakeFirst()
  if (!row) throw new AppError('team_not_found', 'No such team', { team_id: id })
  return (await withMembers(db, merchantId, [row]))[0]!
}

export async function listTeams(db: Db, merchantId: string, page: { after?: string; limit: number }): Promise<Team[]> {
  let q = db.selectFrom('teams').select(columns).where('merchant_id', '=', merchantId).orderBy('id').limit(page.limit)
  if (page.after) q = q.where('id', '>', page.after)
  return withMembers(db, merchantId, await q.execute())
}

async function assertUsers(trx: Trx, merchantId: string, ids: string[]) {
  if (!ids.length) return
  const found = await trx
    .selectFrom('users')
    .select('id')
    .where('merchant_id', '=', merchantId)
    .where('id', 'in', ids)
    .execute()
  const missing = ids.filter((id) => !found.some((f) => f.id === id))
  if (missing.length) throw new AppError('user_not_found', 'No such user', { user_ids: missing })
}

async function assertNameFree(trx: Trx, merchantId: string, name: string, exceptId?: string) {
  let q = trx
    .selectFrom('teams')
    .select('id')
    .where('merchant_id', '=', merchantId)
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
  if (exceptId) q = q.where('id', '<>', exceptId)
  if (await q.executeTakeFirst()) throw new AppError('team_name_taken', 'A team with this name exists', { name })
}

export type TeamInput = {
  name: string
  description?: string
  leadUserId?: string | null
  memberIds?: string[]
  requestId?: string
}

export async function createTeam(
  trx: Trx,
  merchantId: string,
  actor: AuditActor,
  input: TeamInput,
  now: Date,
): Promise<Team> {
  const members = [...new Set([...(input.memberIds ?? []), ...(input.leadUserId ? [input.leadUserId] : [])])].sort()
  await assertUsers(trx, merchantId, members)
  const team: Team = {
    id: newId(),
    name: input.name,
    description: input.description ?? '',
    lead_user_id: input.leadUserId ?? null,
    member_ids: members,
    created_at: now,
    updated_at: now,
  }
  const { member_ids: _, ...row } = team
  // The unique name index decides a clash: no check-then-insert race, and one round trip fewer.
  const inserted = await trx
    .insertInto('teams')
    .values({ merchant_id: merchantId, ...row })
    .onConflict((oc) => oc.expression(sql`merchant_id, lower(name)`).doNothing())
    .returning('id')
    .executeTakeFirst()
  if (!inserted) throw new AppError('team_name_taken', 'A team with this name exists', { name: input.name })
  if (members.length)
    await trx
      .insertInto('team_members')
      .values(members.map((u) => ({ merchant_id: merchantId, team_id: team.id, user_id: u, added_at: now })))
      .execute()
  await recordAudit(
    trx,
    {
      merchantId,
      actor,
      action: 'team.created',
      entityType: 'team',
      entityId: team.id,
      after: { name: team.name, description: team.description, lead_user_id: team.lead_user_id, member_ids: members },
      requestId: input.requestId,
    },
    now,
  )
  return team
}

export async function updateTeam(
  trx: Trx,
  actor: Actor,
  id: string,
  input: Partial<TeamInput>,
  now: Date,
): Promise<Team> {
  const locked = await trx
    .selectFrom('teams')
    .select('id')
    .where('merchant_id', '=', actor.merchantId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()
  if (!locked) throw new AppError('team_not_found', 'No such team', { team_id: id })
  const before = await getTeam(trx, actor.merchantId, id)
  if (input.name) await assertNameFree(trx, actor.merchantId, input.name, id)
  let members = input.memberIds ? [...new Set(input.memberIds)] : before.member_ids
  const lead = input.leadUserId === undefined ? before.lead_user_id : input.leadUserId
  if (lead && !members.includes(lead)) members = [...members, lead] // the lead is always a member
  await assertUsers(trx, actor.merchantId, members)
  await trx
    .updateTable('teams')
    .set({
      ...(input.name ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      lead_user_id: lead,
      updated_at: now,
    })
    .where('merchant_id', '=', actor.merchantId)
    .where('id', '=', id)
    .execute()
  const removed = before.member_ids.filter((m) => !members.includes(m))
  const added = members.filter((m) => !before.member_ids.includes(m))
  if (removed.length)
    await trx
      .deleteFrom('team_members')
      .where('merchant_id', '=', actor.merchantId)
      .where('team_id', '=', id)
      .where('user_id', 'in', removed)
      .execute()
  if (added.length)
    await trx
      .insertInto('team_members')
      .values(added.map((u) => ({ merchant_id: actor.merchantId, team_id: id, user_id: u, added_at: now })))
      .execute()
  const after = await getTeam(trx, actor.merchantId, id)
  const view = (t: Team) => ({
    name: t.name,
    description: t.description,
    lead_user_id: t.lead_user_id,
    member_ids: [...t.member_ids].sort(),
  })
  await recordAudit(
    trx,
    {
      merchantId: actor.merchantId,
      actor: auditActor(actor),
      action: 'team.updated',
      entityType: 'team',
      entityId: id,
      before: view(before),
      after: view(after),
      requestId: input.requestId,
    },
    now,
  )
  return after
}

export async function deleteTeam(trx: Trx, actor: Actor, id: string, now: Date, requestId?: string): Promise<void> {
  const before = await getTeam(trx, actor.merchantId, id)
  await trx.deleteFrom('teams').where('merchant_id', '=', actor.merchantId).where('id', '=', id).execute()
  await recordAudit(
    trx,
    {
      merchantId: actor.merchantId,
      actor: auditActor(actor),
      action: 'team.deleted',
      entityType: 'team',
      entityId: id,
      before: { name: before.name, lead_user_id: before.lead_user_id, member_ids: before.member_ids },
      requestId,
    },
    now,
  )
}
