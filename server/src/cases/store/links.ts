import type { Insertable, Selectable } from 'kysely'
import { type Trx, deleteOwned, deletedAny, ownedRows, updateOwned } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import type { Db } from './cases.js'

export type LinkRow = Selectable<Database['case_links']>

export async function insertLinks(trx: Trx, rows: Insertable<Database['case_links']>[]): Promise<number> {
  if (!rows.length) return 0
  const r = await trx
    .insertInto('case_links')
    .values(rows)
    .onConflict((oc) => oc.columns(['merchant_id', 'case_id', 'entity_type', 'entity_id']).doNothing())
    .executeTakeFirst()
  return Number(r.numInsertedOrUpdatedRows ?? 0n)
}

export async function deleteLink(
  trx: Trx,
  merchantId: string,
  caseId: string,
  entityType: string,
  entityId: string,
): Promise<boolean> {
  return deletedAny(
    deleteOwned(trx, 'case_links', merchantId)
      .where('case_id', '=', caseId)
      .where('entity_type', '=', entityType)
      .where('entity_id', '=', entityId),
  )
}

/** Rewrites the key fields kept on every link to one record; the links' trigger rewrites those cases' search documents. */
export async function updateLinkSummaries(
  trx: Trx,
  merchantId: string,
  entityType: string,
  entityId: string,
  summary: Record<string, unknown>,
): Promise<void> {
  await updateOwned(trx, 'case_links', merchantId)
    .set({ summary: JSON.stringify(summary) })
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', entityId)
    .execute()
}

export async function listLinks(db: Db, merchantId: string, caseIds: string[]): Promise<LinkRow[]> {
  if (!caseIds.length) return []
  return ownedRows(db, 'case_links', merchantId).where('case_id', 'in', caseIds).orderBy('created_at').execute()
}

/** Cases (not merged away) linked to any of these shipments that existed at `asOf`. */
export async function listCaseIdsForShipments(
  db: Db,
  merchantId: string,
  shipmentIds: string[],
  asOf: Date,
): Promise<string[]> {
  if (!shipmentIds.length) return []
  const rows = await db
    .selectFrom('case_links')
    .innerJoin('cases', (j) =>
      j.onRef('cases.merchant_id', '=', 'case_links.merchant_id').onRef('cases.id', '=', 'case_links.case_id'),
    )
    .select('cases.id')
    .distinct()
    .where('case_links.merchant_id', '=', merchantId)
    .where('case_links.entity_type', '=', 'shipment')
    .where('case_links.entity_id', 'in', shipmentIds)
    .where('cases.merged_into_id', 'is', null)
    .where('cases.created_at', '<=', asOf)
    .execute()
  return rows.map((r) => r.id)
}
