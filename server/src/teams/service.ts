import type { Kysely, Transaction } from 'kysely'
import type { ServiceContext } from '../auth/actor.js'
import { recordAuditFor } from '../changes.js'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import { newId } from '../ids.js'
import { findExistingUserIds } from '../users/service.js'
import * as store from './store.js'

type Trx = Transaction<Database>
type Db = Kysely<Database> | Trx

export type Team = {
  id: string
  name: string
  description: string
  lead_user_id: string | null
  /** Business hours: an SLA calendar whose closed hours hold the alerts to the team that are not urgent. */
  calendar_id: string | null
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
  const members = ids.length ? await store.listMembers(db, merchantId, ids) : []
  return rows.map((r) => ({ ...r, member_ids: members.filter((m) => m.team_id === r.id).map((m) => m.user_id) }))
}

export async function getTeam(db: Db, merchantId: string, id: string): Promise<Team> {
  const row = await store.findTeam(db, merchantId, id)
  if (!row) throw new AppError('team_not_found', 'No such team', { team_id: id })
  return (await withMembers(db, merchantId, [row]))[0]!
}

export async function listTeams(db: Db, merchantId: string, page: { after?: string; limit: number }): Promise<Team[]> {
  return withMembers(db, merchantId, await store.listTeams(db, merchantId, page))
}

async function assertUsers(trx: Trx, merchantId: string, ids: string[]) {
  if (!ids.length) return
  const found = await findExistingUserIds(trx, merchantId, ids)
  const missing = ids.filter((id) => !found.includes(id))
  if (missing.length) throw new AppError('user_not_found', 'No such user', { user_ids: missing })
}

async function assertNameFree(trx: Trx, merchantId: string, name: string, exceptId?: string) {
  if (await store.findTeamIdByName(trx, merchantId, name, exceptId))
    throw new AppError('team_name_taken', 'A team with this name exists', { name })
}

export type TeamInput = {
  name: string
  description?: string
  leadUserId?: string | null
  memberIds?: string[]
  calendarId?: string | null
}

/**
 * Writes a team naming a calendar. The calendar is the SLA module's, which reads teams, so this module cannot ask
 * it: the key (merchant_id, calendar_id) checks it is one of this workspace's, and its refusal is said here.
 */
async function withCalendar<T>(calendarId: string | null | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write()
  } catch (err) {
    if ((err as { constraint?: string }).constraint !== 'teams_calendar_fkey') throw err
    throw new AppError('validation_failed', 'The team is not valid', {
      errors: [{ path: 'body/calendar_id', message: `no calendar ${calendarId} in this workspace` }],
    })
  }
}

/** The teams whose business hours are this calendar (it cannot be deleted while they are). */
export const teamsUsingCalendar = (db: Db, merchantId: string, calendarId: string) =>
  store.listTeamIdsByCalendar(db, merchantId, calendarId)

export async function createTeam(trx: Trx, ctx: ServiceContext, input: TeamInput, now: Date): Promise<Team> {
  const { merchantId } = ctx
  const members = [...new Set([...(input.memberIds ?? []), ...(input.leadUserId ? [input.leadUserId] : [])])].sort()
  await assertUsers(trx, merchantId, members)
  const team: Team = {
    id: newId(),
    name: input.name,
    description: input.description ?? '',
    lead_user_id: input.leadUserId ?? null,
    calendar_id: input.calendarId ?? null,
    member_ids: members,
    created_at: now,
    updated_at: now,
  }
  const { member_ids: _, ...row } = team
  // The unique name index decides a clash: no check-then-insert race, and one round trip fewer.
  const inserted = await withCalendar(row.calendar_id, () => store.insertTeam(trx, { merchant_id: merchantId, ...row }))
  if (!inserted) throw new AppError('team_name_taken', 'A team with this name exists', { name: input.name })
  if (members.length)
    await store.insertMembers(
      trx,
      members.map((u) => ({ merchant_id: merchantId, team_id: team.id, user_id: u, added_at: now })),
    )
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'team.created',
      entityType: 'team',
      entityId: team.id,
      after: {
        name: team.name,
        description: team.description,
        lead_user_id: team.lead_user_id,
        calendar_id: team.calendar_id,
        member_ids: members,
      },
    },
    now,
  )
  return team
}

export async function updateTeam(
  trx: Trx,
  ctx: ServiceContext,
  id: string,
  input: Partial<TeamInput>,
  now: Date,
): Promise<Team> {
  const { merchantId } = ctx
  const locked = await store.lockTeam(trx, merchantId, id)
  if (!locked) throw new AppError('team_not_found', 'No such team', { team_id: id })
  const before = await getTeam(trx, merchantId, id)
  if (input.name) await assertNameFree(trx, merchantId, input.name, id)
  let members = input.memberIds ? [...new Set(input.memberIds)] : before.member_ids
  const lead = input.leadUserId === undefined ? before.lead_user_id : input.leadUserId
  if (lead && !members.includes(lead)) members = [...members, lead] // the lead is always a member
  await assertUsers(trx, merchantId, members)
  await withCalendar(input.calendarId, () =>
    store.updateTeam(trx, merchantId, id, {
      ...(input.name ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.calendarId !== undefined ? { calendar_id: input.calendarId } : {}),
      lead_user_id: lead,
      updated_at: now,
    }),
  )
  const removed = before.member_ids.filter((m) => !members.includes(m))
  const added = members.filter((m) => !before.member_ids.includes(m))
  if (removed.length) await store.deleteMembers(trx, merchantId, id, removed)
  if (added.length)
    await store.insertMembers(
      trx,
      added.map((u) => ({ merchant_id: merchantId, team_id: id, user_id: u, added_at: now })),
    )
  const after = await getTeam(trx, merchantId, id)
  const view = (t: Team) => ({
    name: t.name,
    description: t.description,
    lead_user_id: t.lead_user_id,
    calendar_id: t.calendar_id,
    member_ids: [...t.member_ids].sort(),
  })
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'team.updated',
      entityType: 'team',
      entityId: id,
      before: view(before),
      after: view(after),
    },
    now,
  )
  return after
}

export async function deleteTeam(trx: Trx, ctx: ServiceContext, id: string, now: Date): Promise<void> {
  const before = await getTeam(trx, ctx.merchantId, id)
  await store.deleteTeam(trx, ctx.merchantId, id)
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'team.deleted',
      entityType: 'team',
      entityId: id,
      before: { name: before.name, lead_user_id: before.lead_user_id, member_ids: before.member_ids },
    },
    now,
  )
}
