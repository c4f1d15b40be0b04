import { sql, type Insertable, type Selectable } from 'kysely'
import { type Trx, ownedRows, selectOwned } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import { unresolvedStatuses } from '../tables.js'
import type { Db } from './cases.js'

// Agents: capacity, away, and the round-robin turn

export type AgentRow = Selectable<Database['case_agents']>

export async function listAgents(db: Db, merchantId: string, userIds: string[]): Promise<AgentRow[]> {
  if (!userIds.length) return []
  return ownedRows(db, 'case_agents', merchantId).where('user_id', 'in', userIds).execute()
}

export async function upsertAgent(trx: Trx, row: Insertable<Database['case_agents']>): Promise<AgentRow> {
  const { merchant_id: _m, user_id: _u, ...rest } = row
  return trx
    .insertInto('case_agents')
    .values(row)
    .onConflict((oc) => oc.columns(['merchant_id', 'user_id']).doUpdateSet(rest))
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** Unresolved cases held by each of these people. */
export async function countUnresolvedByAssignee(
  db: Db,
  merchantId: string,
  userIds: string[],
): Promise<Map<string, number>> {
  if (!userIds.length) return new Map()
  const rows = await selectOwned(db, 'cases', merchantId)
    .select(['assignee_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('assignee_id', 'in', userIds)
    .where('status', 'in', unresolvedStatuses)
    .groupBy('assignee_id')
    .execute()
  return new Map(rows.map((r) => [r.assignee_id!, Number(r.n)]))
}

/** Serialises picks within one team, so two cases opened together do not both go to the same "next" person. */
export async function lockTeamTurn(trx: Trx, merchantId: string, teamId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`case-turn:${merchantId}:${teamId}`}, 0))`.execute(trx)
}
