import type { Insertable, Selectable, Updateable } from 'kysely'
import type { Db, Trx } from '../db/owned.js'
import type { Database } from '../db/schema.js'

export type LinkRow = Selectable<Database['signed_links']>

export async function insertLink(trx: Trx, row: Insertable<Database['signed_links']>): Promise<LinkRow> {
  return trx.insertInto('signed_links').values(row).returningAll().executeTakeFirstOrThrow()
}

export async function findLink(db: Db, merchantId: string, id: string): Promise<LinkRow | undefined> {
  return db
    .selectFrom('signed_links')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .executeTakeFirst()
}

// Held until commit: a revocation and an upload completing the link never cross.
export async function lockLink(trx: Trx, merchantId: string, id: string): Promise<LinkRow | undefined> {
  return trx
    .selectFrom('signed_links')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()
}

export async function updateLink(
  trx: Db,
  merchantId: string,
  id: string,
  patch: Updateable<Database['signed_links']>,
): Promise<LinkRow> {
  return trx
    .updateTable('signed_links')
    .set(patch)
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function listSubjectLinks(
  db: Db,
  merchantId: string,
  subjectType: string,
  subjectId: string,
): Promise<LinkRow[]> {
  return db
    .selectFrom('signed_links')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('subject_type', '=', subjectType)
    .where('subject_id', '=', subjectId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(500)
    .execute()
}
