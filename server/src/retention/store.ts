import { type Insertable, type Selectable, sql } from 'kysely'
import { type Db, keyedRows, selectOwned, type Trx, updateOwned } from '../db/owned.js'
import { countWhere, deleteBatch } from '../db/purge.js'
import type { Database } from '../db/schema.js'
import type { HoldSubject, RetentionKind } from './tables.js'

export type HoldRow = Selectable<Database['legal_holds']>
export type PolicyRow = Selectable<Database['retention_policies']>
export type RunRow = Selectable<Database['retention_runs']>

const holds = keyedRows('legal_holds')
export const findHold = holds.find
// Held until commit: two releases of one hold are decided one after the other.
export const lockHold = holds.lock
export const updateHold = holds.update

export const insertHold = (trx: Trx, row: Insertable<Database['legal_holds']>) =>
  trx.insertInto('legal_holds').values(row).returningAll().executeTakeFirstOrThrow()

export async function listHolds(
  db: Db,
  merchantId: string,
  f: { subjectType?: HoldSubject; subjectId?: string; active?: boolean; after?: string; limit: number },
): Promise<HoldRow[]> {
  let q = selectOwned(db, 'legal_holds', merchantId).selectAll().orderBy('id').limit(f.limit)
  if (f.subjectType) q = q.where('subject_type', '=', f.subjectType)
  if (f.subjectId) q = q.where('subject_id', '=', f.subjectId)
  if (f.active === true) q = q.where('released_at', 'is', null)
  if (f.active === false) q = q.where('released_at', 'is not', null)
  if (f.after) q = q.where('id', '>', f.after)
  return q.execute()
}

/** The active holds on any of these subjects. */
export async function listActiveHolds(
  db: Db,
  merchantId: string,
  subjects: { caseIds: string[]; customerIds: string[] },
): Promise<HoldRow[]> {
  const { caseIds, customerIds } = subjects
  if (!caseIds.length && !customerIds.length) return []
  return selectOwned(db, 'legal_holds', merchantId)
    .selectAll()
    .where('released_at', 'is', null)
    .where((eb) =>
      eb.or([
        ...(caseIds.length ? [eb.and([eb('subject_type', '=', 'case'), eb('subject_id', 'in', caseIds)])] : []),
        ...(customerIds.length
          ? [eb.and([eb('subject_type', '=', 'customer'), eb('subject_id', 'in', customerIds)])]
          : []),
      ]),
    )
    .orderBy('id')
    .execute()
}

export const listPolicies = (db: Db, merchantId: string) =>
  selectOwned(db, 'retention_policies', merchantId).selectAll().orderBy('kind').orderBy('scope').execute()

export async function replacePolicies(
  trx: Trx,
  merchantId: string,
  rows: Insertable<Database['retention_policies']>[],
): Promise<void> {
  await trx.deleteFrom('retention_policies').where('merchant_id', '=', merchantId).execute()
  if (rows.length) await trx.insertInto('retention_policies').values(rows).execute()
}

export const insertRun = (db: Db, row: Insertable<Database['retention_runs']>) =>
  db.insertInto('retention_runs').values(row).returningAll().executeTakeFirstOrThrow()

export const finishRun = (
  db: Db,
  id: string,
  patch: { finished_at: Date; removed: number; held: number; sample_ids: string; error: string | null },
) => db.updateTable('retention_runs').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow()

/** A workspace's runs, newest first; a kind names its scoped runs too (evidence: evidence:invoice, …). */
export async function listRuns(db: Db, merchantId: string, kind: RetentionKind | undefined, limit: number) {
  let q = db
    .selectFrom('retention_runs')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
  if (kind) q = q.where((eb) => eb.or([eb('kind', '=', kind), eb('kind', 'like', `${kind}:%`)]))
  return q.execute()
}

export const insertDeferral = (trx: Trx, row: Insertable<Database['erasure_deferrals']>) =>
  trx
    .insertInto('erasure_deferrals')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .execute()

/** Pending deferred erasures, locked: a release and a retry never erase one customer at once. */
export const lockPendingDeferrals = (trx: Trx, merchantId: string, customerIds: string[]) =>
  customerIds.length
    ? selectOwned(trx, 'erasure_deferrals', merchantId)
        .selectAll()
        .where('customer_id', 'in', customerIds)
        .where('done_at', 'is', null)
        .forUpdate()
        .execute()
    : Promise.resolve([])

export const markDeferralsDone = (trx: Trx, merchantId: string, customerId: string, now: Date) =>
  updateOwned(trx, 'erasure_deferrals', merchantId)
    .set({ done_at: now })
    .where('customer_id', '=', customerId)
    .where('done_at', 'is', null)
    .execute()

// Runs that took nothing (every hour, for every workspace and kind) go after a while; those that took something stay.
const idleRunBefore = (before: Date) => sql<boolean>`removed = 0 and error is null and finished_at < ${before}`
export const purgeIdleRuns = (db: Db, before: Date, limit: number) =>
  deleteBatch(db, 'retention_runs', idleRunBefore(before), limit)
export const countIdleRuns = (db: Db, before: Date) => countWhere(db, 'retention_runs', idleRunBefore(before))
