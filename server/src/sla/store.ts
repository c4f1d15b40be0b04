import { type Insertable, type Selectable, sql, type Updateable } from 'kysely'
import { type Db, insertReturning, ownedRows, selectOwned, type Trx, updateOwned } from '../db/owned.js'
import type { Database } from '../db/schema.js'

export type PolicyRow = Selectable<Database['sla_policies']>
export type PolicyVersionRow = Selectable<Database['sla_policy_versions']>
export type ClockRow = Selectable<Database['sla_clocks']>
export type WatchRow = Selectable<Database['sla_watches']>

// Policies: tried in position order, the fallback last.
export const listPolicies = (db: Db, merchantId: string) =>
  ownedRows(db, 'sla_policies', merchantId).orderBy('fallback').orderBy('position').orderBy('id').execute()

export const findPolicy = (db: Db, merchantId: string, id: string) =>
  ownedRows(db, 'sla_policies', merchantId).where('id', '=', id).executeTakeFirst()

export const lockPolicy = (trx: Trx, merchantId: string, id: string) =>
  ownedRows(trx, 'sla_policies', merchantId).where('id', '=', id).forUpdate().executeTakeFirst()

export async function findPolicyIdByName(db: Db, merchantId: string, name: string, exceptId?: string) {
  let q = selectOwned(db, 'sla_policies', merchantId).select('id').where(sql`lower(name)`, '=', name.toLowerCase())
  if (exceptId) q = q.where('id', '<>', exceptId)
  return (await q.executeTakeFirst())?.id
}

export const insertPolicy = (trx: Trx, row: Insertable<Database['sla_policies']>) =>
  insertReturning(trx, 'sla_policies', row)

export const updatePolicy = (trx: Trx, merchantId: string, id: string, patch: Updateable<Database['sla_policies']>) =>
  updateOwned(trx, 'sla_policies', merchantId).set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow()

export const deletePolicy = (trx: Trx, merchantId: string, id: string) =>
  trx.deleteFrom('sla_policies').where('merchant_id', '=', merchantId).where('id', '=', id).execute()

/** The event types that meet a custom milestone in some version of a workspace's policies, by workspace. */
export async function listMilestoneEvents(db: Db, merchantIds: string[]): Promise<Map<string, Set<string>>> {
  const { rows } = await sql<{ merchant_id: string; type: string }>`
    select distinct v.merchant_id, t.target ->> 'milestone_event' as type
    from sla_policy_versions v cross join jsonb_array_elements(v.definition -> 'targets') as t(target)
    where v.merchant_id = any(${merchantIds}::uuid[]) and t.target ->> 'milestone_event' is not null`.execute(db)
  const types = new Map<string, Set<string>>()
  for (const r of rows) types.set(r.merchant_id, (types.get(r.merchant_id) ?? new Set()).add(r.type))
  return types
}

export const insertVersion = (trx: Trx, row: Insertable<Database['sla_policy_versions']>) =>
  insertReturning(trx, 'sla_policy_versions', row)

export const findVersion = (db: Db, merchantId: string, policyId: string, version: number) =>
  ownedRows(db, 'sla_policy_versions', merchantId)
    .where('policy_id', '=', policyId)
    .where('version', '=', version)
    .executeTakeFirst()

export const listVersions = (db: Db, merchantId: string, policyId: string) =>
  ownedRows(db, 'sla_policy_versions', merchantId).where('policy_id', '=', policyId).orderBy('version').execute()

/** The live versions of every policy, in the order they are tried. */
export const listLivePolicies = (db: Db, merchantId: string) =>
  db
    .selectFrom('sla_policies as p')
    .innerJoin('sla_policy_versions as v', (j) =>
      j
        .onRef('v.merchant_id', '=', 'p.merchant_id')
        .onRef('v.policy_id', '=', 'p.id')
        .onRef('v.version', '=', 'p.live_version'),
    )
    .select(['p.id', 'p.name', 'p.fallback', 'v.version', 'v.definition'])
    .where('p.merchant_id', '=', merchantId)
    .orderBy('p.fallback')
    .orderBy('p.position')
    .orderBy('p.id')
    .execute()

/** The policies whose draft or any version names the calendar. */
export async function policiesUsingCalendar(db: Db, merchantId: string, calendarId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('sla_policies as p')
    .select('p.id')
    .where('p.merchant_id', '=', merchantId)
    .where((eb) =>
      eb.or([
        eb(sql`p.draft::text`, 'like', `%${calendarId}%`),
        eb.exists(
          eb
            .selectFrom('sla_policy_versions as v')
            .select(sql`1`.as('one'))
            .whereRef('v.merchant_id', '=', 'p.merchant_id')
            .whereRef('v.policy_id', '=', 'p.id')
            .where(sql`v.definition::text`, 'like', `%${calendarId}%`),
        ),
      ]),
    )
    .orderBy('p.id')
    .execute()
  return rows.map((r) => r.id)
}

// Clocks.
export const listClocks = (db: Db, merchantId: string, caseId: string) =>
  ownedRows(db, 'sla_clocks', merchantId).where('case_id', '=', caseId).orderBy('target').orderBy('episode').execute()

/** The case's clocks, locked until commit (the SLA module's changes to one case run one at a time). */
export const lockClocks = (trx: Trx, merchantId: string, caseId: string) =>
  ownedRows(trx, 'sla_clocks', merchantId)
    .where('case_id', '=', caseId)
    .orderBy('target')
    .orderBy('episode')
    .forUpdate()
    .execute()

export const insertClock = (trx: Trx, row: Insertable<Database['sla_clocks']>) =>
  trx
    .insertInto('sla_clocks')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst()

export const updateClock = (trx: Trx, merchantId: string, id: string, patch: Updateable<Database['sla_clocks']>) =>
  updateOwned(trx, 'sla_clocks', merchantId).set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow()

// Watches.
export const insertWatch = (trx: Trx, row: Insertable<Database['sla_watches']>) =>
  insertReturning(trx, 'sla_watches', row)

export const listWatches = (db: Db, merchantId: string, caseId: string) =>
  ownedRows(db, 'sla_watches', merchantId).where('case_id', '=', caseId).orderBy('id').execute()

// Settings.
export const findSettings = (db: Db, merchantId: string) =>
  db.selectFrom('sla_settings').selectAll().where('merchant_id', '=', merchantId).executeTakeFirst()

export const upsertSettings = (trx: Trx, row: Insertable<Database['sla_settings']>) =>
  trx
    .insertInto('sla_settings')
    .values(row)
    .onConflict((oc) =>
      oc.column('merchant_id').doUpdateSet({ pause_statuses: row.pause_statuses, updated_at: row.updated_at }),
    )
    .returningAll()
    .executeTakeFirstOrThrow()

// Attainment: per group and target, clocks started in the window.
export async function countAttainment(
  db: Db,
  merchantId: string,
  groupBy: 'carrier' | 'fulfilment_centre' | 'case_type' | 'team' | 'week',
  range: { from?: Date; to?: Date },
) {
  const group = {
    carrier: sql<string | null>`carrier_code`,
    fulfilment_centre: sql<string | null>`fulfilment_centre`,
    case_type: sql<string | null>`case_type`,
    team: sql<string | null>`team_id::text`,
    week: sql<string | null>`to_char(date_trunc('week', started_at at time zone 'UTC'), 'IYYY-"W"IW')`,
  }[groupBy]
  let q = selectOwned(db, 'sla_clocks', merchantId)
    .select([
      group.as('grp'),
      'target',
      sql<string>`count(*) filter (where state = 'met' and breached_at is null)`.as('met'),
      sql<string>`count(*) filter (where breached_at is not null)`.as('breached'),
      sql<string>`count(*) filter (where state in ('active', 'paused'))`.as('active'),
    ])
    .groupBy([sql`1`, 'target'])
    .orderBy(sql`1`)
    .orderBy('target')
  if (range.from) q = q.where('started_at', '>=', range.from)
  if (range.to) q = q.where('started_at', '<', range.to)
  return q.execute()
}
