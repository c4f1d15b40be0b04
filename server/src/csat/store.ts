import { type Insertable, type Selectable, sql, type Updateable } from 'kysely'
import type { Database } from '../db/schema.js'
import { type Db, selectOwned, type Trx, updateKeyed } from '../db/owned.js'
import type { SurveyKind } from './tables.js'

export type SurveyRow = Selectable<Database['csat_surveys']>

export const findSettings = (db: Db, merchantId: string) =>
  db.selectFrom('csat_settings').selectAll().where('merchant_id', '=', merchantId).executeTakeFirst()

export const upsertSettings = (trx: Trx, row: Insertable<Database['csat_settings']>) =>
  trx
    .insertInto('csat_settings')
    .values(row)
    .onConflict((oc) =>
      oc.column('merchant_id').doUpdateSet({
        enabled: row.enabled,
        kind: row.kind,
        delay_minutes: row.delay_minutes,
        low_score_threshold: row.low_score_threshold,
        expiry_days: row.expiry_days,
        updated_at: row.updated_at,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow()

/** The survey, or undefined when the case's episode has one already (the unique key decides a race). */
export const insertSurveyOnce = (trx: Trx, row: Insertable<Database['csat_surveys']>) =>
  trx
    .insertInto('csat_surveys')
    .values(row)
    .onConflict((oc) => oc.columns(['merchant_id', 'case_id', 'episode']).doNothing())
    .returningAll()
    .executeTakeFirst()

export const findSurvey = (db: Db, merchantId: string, id: string) =>
  selectOwned(db, 'csat_surveys', merchantId).selectAll().where('id', '=', id).executeTakeFirst()

/** Held until commit: two answers to one survey are decided one after the other. */
export const lockSurvey = (trx: Trx, merchantId: string, id: string) =>
  selectOwned(trx, 'csat_surveys', merchantId).selectAll().where('id', '=', id).forUpdate().executeTakeFirst()

export const updateSurvey = (trx: Trx, merchantId: string, id: string, patch: Updateable<Database['csat_surveys']>) =>
  updateKeyed(trx, 'csat_surveys', merchantId, id).set(patch).returningAll().executeTakeFirstOrThrow()

/** A customer's erasure: the answered surveys on these cases with a comment not yet redacted, locked until commit. */
export const lockCommentedSurveys = (trx: Trx, merchantId: string, caseIds: string[], until: Date, marker: string) =>
  caseIds.length
    ? selectOwned(trx, 'csat_surveys', merchantId)
        .selectAll()
        .where('case_id', 'in', caseIds)
        .where('answered_at', '<=', until)
        .where('comment', 'is not', null)
        .where('comment', '<>', marker)
        .orderBy('id')
        .forUpdate()
        .execute()
    : Promise.resolve([])

export const listCaseSurveys = (db: Db, merchantId: string, caseId: string) =>
  selectOwned(db, 'csat_surveys', merchantId).selectAll().where('case_id', '=', caseId).orderBy('episode').execute()

export type StatsGroup = 'case_type' | 'carrier' | 'team' | 'agent' | 'week'

/**
 * Per group, the surveys of this kind created in [from, to): how many went out, were answered, their scores'
 * sum, and the counts the CSAT % and NPS are made of.
 */
export async function countStats(
  db: Db,
  merchantId: string,
  kind: SurveyKind,
  groupBy: StatsGroup,
  range: { from?: Date; to?: Date },
  timeZone: string,
) {
  const group = {
    case_type: sql<string | null>`case_type`,
    carrier: sql<string | null>`carrier_code`,
    team: sql<string | null>`team_id::text`,
    agent: sql<string | null>`agent_id::text`,
    // The Monday the week starts on, in the workspace's time zone.
    week: sql<string | null>`to_char(date_trunc('week', created_at at time zone ${timeZone}), 'YYYY-MM-DD')`,
  }[groupBy]
  let q = selectOwned(db, 'csat_surveys', merchantId)
    .select([
      group.as('grp'),
      sql<string>`count(*) filter (where sent_at is not null)`.as('sent'),
      sql<string>`count(score)`.as('responses'),
      sql<string>`coalesce(sum(score), 0)`.as('score_sum'),
      sql<string>`count(*) filter (where score >= ${kind === 'nps' ? 9 : 4})`.as('high'),
      sql<string>`count(*) filter (where score <= 6)`.as('detractors'),
    ])
    .where('kind', '=', kind)
    .groupBy(sql`1`)
  if (range.from) q = q.where('created_at', '>=', range.from)
  if (range.to) q = q.where('created_at', '<', range.to)
  return q.execute()
}
