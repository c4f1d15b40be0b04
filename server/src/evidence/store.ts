import { type Insertable, sql, type Updateable } from 'kysely'
import type { Database } from '../db/schema.js'
import { type Db, selectOwned, type Trx } from '../db/owned.js'

export const findTypeRows = (db: Db, merchantId: string) =>
  selectOwned(db, 'evidence_types', merchantId).selectAll().orderBy('key').execute()

export const insertType = (trx: Trx, row: Insertable<Database['evidence_types']>) =>
  trx.insertInto('evidence_types').values(row).returningAll().executeTakeFirstOrThrow()

/** A built-in type's first change inserts the workspace's own row for it; later changes update that row. */
export const upsertType = (trx: Trx, row: Insertable<Database['evidence_types']>) =>
  trx
    .insertInto('evidence_types')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['merchant_id', 'key']).doUpdateSet({
        label: row.label,
        sensitive: row.sensitive,
        max_bytes: row.max_bytes,
        formats: row.formats,
        kind: row.kind,
        updated_at: row.updated_at,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow()

export const findSettings = (db: Db, merchantId: string) =>
  db.selectFrom('evidence_settings').selectAll().where('merchant_id', '=', merchantId).executeTakeFirst()

export const upsertSettings = (trx: Trx, row: Insertable<Database['evidence_settings']>) =>
  trx
    .insertInto('evidence_settings')
    .values(row)
    .onConflict((oc) => oc.column('merchant_id').doUpdateSet({ keep_exif: row.keep_exif, updated_at: row.updated_at }))
    .returningAll()
    .executeTakeFirstOrThrow()

/** The item, or undefined when its source_ref is on the case already (the unique index decides a race). */
export const insertItem = (trx: Trx, row: Insertable<Database['evidence_items']>) =>
  trx
    .insertInto('evidence_items')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['merchant_id', 'case_id', 'source_ref']).where('source_ref', 'is not', null).doNothing(),
    )
    .returningAll()
    .executeTakeFirst()

export const findItem = (db: Db, merchantId: string, id: string) =>
  selectOwned(db, 'evidence_items', merchantId).selectAll().where('id', '=', id).executeTakeFirst()

export const lockItem = (trx: Trx, merchantId: string, id: string) =>
  selectOwned(trx, 'evidence_items', merchantId).selectAll().where('id', '=', id).forUpdate().executeTakeFirst()

export const updateItem = (trx: Trx, merchantId: string, id: string, patch: Updateable<Database['evidence_items']>) =>
  trx
    .updateTable('evidence_items')
    .set(patch)
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()

export const deleteItem = (trx: Trx, merchantId: string, id: string) =>
  trx.deleteFrom('evidence_items').where('merchant_id', '=', merchantId).where('id', '=', id).execute()

export const listCaseItems = (db: Db, merchantId: string, caseId: string) =>
  selectOwned(db, 'evidence_items', merchantId).selectAll().where('case_id', '=', caseId).orderBy('id').execute()

export const listItemsOfCases = (db: Db, merchantId: string, caseIds: string[]) =>
  caseIds.length
    ? selectOwned(db, 'evidence_items', merchantId).selectAll().where('case_id', 'in', caseIds).orderBy('id').execute()
    : Promise.resolve([])

/** What evidence_count counts: the case's classified items (candidates wait for an agent). */
export async function countActiveItems(trx: Trx, merchantId: string, caseId: string): Promise<number> {
  const row = await selectOwned(trx, 'evidence_items', merchantId)
    .select(sql<number>`count(*)::int`.as('n'))
    .where('case_id', '=', caseId)
    .where('status', '=', 'active')
    .executeTakeFirstOrThrow()
  return row.n
}

export const hasSourceRef = async (db: Db, merchantId: string, caseId: string, sourceRef: string) =>
  (await selectOwned(db, 'evidence_items', merchantId)
    .select('id')
    .where('case_id', '=', caseId)
    .where('source_ref', '=', sourceRef)
    .executeTakeFirst()) !== undefined

/** The types of the case's classified items. */
export const listActiveTypeKeys = async (db: Db, merchantId: string, caseId: string): Promise<string[]> =>
  (
    await selectOwned(db, 'evidence_items', merchantId)
      .select('type_key')
      .distinct()
      .where('case_id', '=', caseId)
      .where('status', '=', 'active')
      .execute()
  ).map((r) => r.type_key)

/**
 * A retention batch: items of the type (or, for '', of any type no other policy names) created before the cutoff,
 * after the cursor, locked so two purges never take the same rows.
 */
export const lockItemsToPurge = (
  trx: Trx,
  merchantId: string,
  batch: { scope: string; otherScopes: readonly string[]; before: Date; after: string | null; limit: number },
) => {
  let q = selectOwned(trx, 'evidence_items', merchantId).selectAll().where('created_at', '<', batch.before)
  if (batch.scope) q = q.where('type_key', '=', batch.scope)
  else if (batch.otherScopes.length) q = q.where('type_key', 'not in', [...batch.otherScopes])
  if (batch.after) q = q.where('id', '>', batch.after)
  return q.orderBy('id').limit(batch.limit).forUpdate().skipLocked().execute()
}

/** The case an original or thumbnail belongs to, if an evidence item holds it. */
export const findCaseOfBlob = async (db: Db, merchantId: string, blobKey: string) =>
  (
    await selectOwned(db, 'evidence_items', merchantId)
      .select('case_id')
      .where((eb) => eb.or([eb('blob_key', '=', blobKey), eb('thumbnail_key', '=', blobKey)]))
      .executeTakeFirst()
  )?.case_id
