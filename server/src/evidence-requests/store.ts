import type { Insertable, Selectable, Updateable } from 'kysely'
import type { Db, Trx } from '../db/owned.js'
import type { Database } from '../db/schema.js'

export type RequestRow = Selectable<Database['evidence_requests']>
type RequirementRow = Selectable<Database['evidence_requirements']>

export async function insertRequest(trx: Trx, row: Insertable<Database['evidence_requests']>): Promise<RequestRow> {
  return trx.insertInto('evidence_requests').values(row).returningAll().executeTakeFirstOrThrow()
}

// Held until commit: an upload completing the request, the clock and a cancellation never cross.
export async function lockRequest(trx: Trx, merchantId: string, id: string): Promise<RequestRow | undefined> {
  return trx
    .selectFrom('evidence_requests')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()
}

export async function findRequestOfLink(db: Db, merchantId: string, linkId: string): Promise<RequestRow | undefined> {
  return db
    .selectFrom('evidence_requests')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('link_id', '=', linkId)
    .executeTakeFirst()
}

export async function updateRequest(
  trx: Trx,
  merchantId: string,
  id: string,
  patch: Updateable<Database['evidence_requests']>,
): Promise<RequestRow> {
  return trx
    .updateTable('evidence_requests')
    .set(patch)
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function listCaseRequests(db: Db, merchantId: string, caseId: string): Promise<RequestRow[]> {
  return db
    .selectFrom('evidence_requests')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('case_id', '=', caseId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(200)
    .execute()
}

export async function listRequirements(db: Db, merchantId: string): Promise<RequirementRow[]> {
  return db
    .selectFrom('evidence_requirements')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .orderBy('action')
    .execute()
}

export async function findRequirement(db: Db, merchantId: string, action: string): Promise<RequirementRow | undefined> {
  return db
    .selectFrom('evidence_requirements')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('action', '=', action)
    .executeTakeFirst()
}

/** Replaces the workspace's requirements with these (an action left out requires nothing). */
export async function replaceRequirements(
  trx: Trx,
  merchantId: string,
  rows: Insertable<Database['evidence_requirements']>[],
): Promise<void> {
  await trx.deleteFrom('evidence_requirements').where('merchant_id', '=', merchantId).execute()
  if (rows.length) await trx.insertInto('evidence_requirements').values(rows).execute()
}
