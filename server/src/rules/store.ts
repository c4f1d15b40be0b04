import { type Insertable, type Selectable, sql, type Updateable } from 'kysely'
import { type Db, insertReturning, ownedRows, selectOwned, type Trx, updateOwned } from '../db/owned.js'
import type { Database } from '../db/schema.js'
import type { ExecutionOutcome, TriggerKind } from './types.js'

export type RuleRow = Selectable<Database['rules']>
export type RuleVersionRow = Selectable<Database['rule_versions']>
/** cursor_at: created_at to the microsecond, as a page's cursor carries it (a Date would drop the microseconds). */
export type ExecutionRow = Selectable<Database['rule_executions']> & { rule_name: string; cursor_at: string }
export type SettingsRow = Selectable<Database['rule_settings']>

const liveRules = (db: Db, merchantId: string) => ownedRows(db, 'rules', merchantId).where('deleted_at', 'is', null)

export const listRules = (db: Db, merchantId: string) =>
  liveRules(db, merchantId).orderBy('priority').orderBy(sql`lower(name)`).orderBy('id').execute()

export const findRule = (db: Db, merchantId: string, id: string) =>
  liveRules(db, merchantId).where('id', '=', id).executeTakeFirst()

export const lockRule = (trx: Trx, merchantId: string, id: string) =>
  liveRules(trx, merchantId).where('id', '=', id).forUpdate().executeTakeFirst()

export async function findRuleIdByName(db: Db, merchantId: string, name: string, exceptId?: string) {
  let q = selectOwned(db, 'rules', merchantId)
    .select('id')
    .where('deleted_at', 'is', null)
    .where(sql`lower(name)`, '=', name.toLowerCase())
  if (exceptId) q = q.where('id', '<>', exceptId)
  return (await q.executeTakeFirst())?.id
}

export async function maxPriority(db: Db, merchantId: string): Promise<number | null> {
  const row = await selectOwned(db, 'rules', merchantId)
    .select((eb) => eb.fn.max('priority').as('max'))
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  return row?.max ?? null
}

export const insertRule = (trx: Trx, row: Insertable<Database['rules']>) => insertReturning(trx, 'rules', row)

export const updateRule = (trx: Trx, merchantId: string, id: string, patch: Updateable<Database['rules']>) =>
  updateOwned(trx, 'rules', merchantId).set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow()

export const insertVersion = (trx: Trx, row: Insertable<Database['rule_versions']>) =>
  insertReturning(trx, 'rule_versions', row)

export const listVersions = (db: Db, merchantId: string, ruleId: string) =>
  ownedRows(db, 'rule_versions', merchantId).where('rule_id', '=', ruleId).orderBy('version', 'desc').execute()

export const findVersion = (db: Db, merchantId: string, ruleId: string, version: number) =>
  ownedRows(db, 'rule_versions', merchantId)
    .where('rule_id', '=', ruleId)
    .where('version', '=', version)
    .executeTakeFirst()

export type RuleStats = { fired: number; shadow: number; failed: number; last_at: Date | null }

/** Executions per rule since `since`, in one grouped query (for the list). */
export async function countExecutions(
  db: Db,
  merchantId: string,
  since: Date,
  ruleIds?: string[],
): Promise<Map<string, RuleStats>> {
  let q = selectOwned(db, 'rule_executions', merchantId)
    .select((eb) => [
      'rule_id',
      eb.fn.countAll<string>().filterWhere('outcome', '=', 'fired').as('fired'),
      eb.fn.countAll<string>().filterWhere('outcome', '=', 'shadow').as('shadow'),
      eb.fn.countAll<string>().filterWhere('outcome', '=', 'failed').as('failed'),
      eb.fn.max('created_at').as('last_at'),
    ])
    .where('created_at', '>=', since)
    .groupBy('rule_id')
  if (ruleIds) q = q.where('rule_id', 'in', ruleIds)
  const rows = await q.execute()
  return new Map(
    rows.map((r) => [
      r.rule_id,
      { fired: Number(r.fired), shadow: Number(r.shadow), failed: Number(r.failed), last_at: r.last_at },
    ]),
  )
}

export const findSettings = (db: Db, merchantId: string) =>
  ownedRows(db, 'rule_settings', merchantId).executeTakeFirst()

/** Moves the workspace's revision on (creating its settings row): engines holding older rules reload them. */
export async function bumpRevision(trx: Trx, merchantId: string): Promise<void> {
  await trx
    .insertInto('rule_settings')
    .values({ merchant_id: merchantId, revision: '1' })
    .onConflict((oc) => oc.column('merchant_id').doUpdateSet({ revision: sql`rule_settings.revision + 1` }))
    .execute()
}

export const updateSettings = (trx: Trx, merchantId: string, patch: Updateable<Database['rule_settings']>) =>
  updateOwned(trx, 'rule_settings', merchantId).set(patch).returningAll().executeTakeFirstOrThrow()

/** Claims the default pack's seeding for the workspace: true once, for the first caller. */
export async function claimSeeding(trx: Trx, merchantId: string, now: Date): Promise<boolean> {
  await trx
    .insertInto('rule_settings')
    .values({ merchant_id: merchantId })
    .onConflict((oc) => oc.column('merchant_id').doNothing())
    .execute()
  const claimed = await updateOwned(trx, 'rule_settings', merchantId)
    .set({ seeded_at: now })
    .where('seeded_at', 'is', null)
    .executeTakeFirst()
  return claimed.numUpdatedRows > 0n
}

export type ExecutionFilter = {
  ruleId?: string
  caseId?: string
  outcome?: ExecutionOutcome
  trigger?: TriggerKind
  from?: Date
  to?: Date
  /** The last row of the previous page: its cursor_at and id */
  after?: [string, string]
  limit: number
}

/** Newest first; each row with its rule's name (a deleted rule's too). */
export async function listExecutions(db: Db, merchantId: string, f: ExecutionFilter): Promise<ExecutionRow[]> {
  let q = db
    .selectFrom('rule_executions as e')
    .innerJoin('rules as r', (j) => j.onRef('r.merchant_id', '=', 'e.merchant_id').onRef('r.id', '=', 'e.rule_id'))
    .selectAll('e')
    .select('r.name as rule_name')
    .select(sql<string>`to_char(e.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('cursor_at'))
    .where('e.merchant_id', '=', merchantId)
    .orderBy('e.created_at', 'desc')
    .orderBy('e.id', 'desc')
    .limit(f.limit)
  if (f.ruleId) q = q.where('e.rule_id', '=', f.ruleId)
  if (f.caseId) q = q.where('e.case_id', '=', f.caseId)
  if (f.outcome) q = q.where('e.outcome', '=', f.outcome)
  if (f.trigger) q = q.where('e.trigger', '=', f.trigger)
  if (f.from) q = q.where('e.created_at', '>=', f.from)
  if (f.to) q = q.where('e.created_at', '<', f.to)
  if (f.after) {
    const [at, id] = f.after
    q = q.where(sql<boolean>`(e.created_at, e.id) < (${at}::timestamptz, ${id}::uuid)`)
  }
  return q.execute()
}
