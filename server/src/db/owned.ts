import {
  sql,
  type DeleteQueryBuilder,
  type DeleteResult,
  type Insertable,
  type Kysely,
  type Selectable,
  type SelectQueryBuilder,
  type Transaction,
  type UpdateQueryBuilder,
  type UpdateResult,
  type Updateable,
} from 'kysely'
import type { Database } from './schema.js'

// The queries every store writes about one workspace's rows: every query names the merchant, so a foreign id
// finds nothing (and the route answers 404). Each helper returns Kysely's own builder, typed for the table it was
// given, so a store adds its filters, columns, order and lock and the SQL reads as before.

export type Db = Kysely<Database> | Transaction<Database>
export type Trx = Transaction<Database>

/** A table whose rows belong to one workspace. */
type OwnedTable = {
  [T in keyof Database]: Database[T] extends { merchant_id: unknown } ? T : never
}[keyof Database]
/** A workspace's table keyed by `id` within it. */
type KeyedTable = { [T in OwnedTable]: Database[T] extends { id: unknown } ? T : never }[OwnedTable]

// Kysely cannot check a column name against a table chosen by a type parameter: inside these helpers the table
// stands for any table with these columns, and each signature gives the caller the real table's types back.
type Any = Kysely<{ owned: { merchant_id: string; id: string; source: string; external_id: string } }>
const any = (db: Db) => db as unknown as Any
type Row<T extends keyof Database> = Selectable<Database[T]>
// Inserts only need the table's name: the row's type is checked against it in each signature.
const into = (trx: Trx) => trx as unknown as Kysely<{ [table: string]: Record<string, unknown> }>

const owned = (db: Db, table: OwnedTable, merchantId: string) =>
  any(db)
    .selectFrom(table as 'owned')
    .where('merchant_id', '=', merchantId)
const keyed = (db: Db, table: KeyedTable, merchantId: string, id: string) =>
  owned(db, table, merchantId).where('id', '=', id)

/** `select … from table where merchant_id = …`; the caller chooses the columns. */
export function selectOwned<T extends OwnedTable>(db: Db, table: T, merchantId: string) {
  return owned(db, table, merchantId) as unknown as SelectQueryBuilder<Database, T, object>
}

/** Every column of one workspace's rows of `table`. */
export function ownedRows<T extends OwnedTable>(db: Db, table: T, merchantId: string) {
  return owned(db, table, merchantId).selectAll() as unknown as SelectQueryBuilder<Database, T, Row<T>>
}

/** The one row with this id; the caller chooses the columns (and the lock). */
export function selectKeyed<T extends KeyedTable>(db: Db, table: T, merchantId: string, id: string) {
  return keyed(db, table, merchantId, id) as unknown as SelectQueryBuilder<Database, T, object>
}

export async function findKeyed<T extends KeyedTable>(db: Db, table: T, merchantId: string, id: string) {
  return (await keyed(db, table, merchantId, id).selectAll().executeTakeFirst()) as Row<T> | undefined
}

/** The row with this id, locked until commit. */
async function lockKeyed<T extends KeyedTable>(trx: Trx, table: T, merchantId: string, id: string) {
  return (await keyed(trx, table, merchantId, id).selectAll().forUpdate().executeTakeFirst()) as Row<T> | undefined
}

/** `update table … where merchant_id = …`; the caller sets the values and names the rows. */
export function updateOwned<T extends OwnedTable>(trx: Db, table: T, merchantId: string) {
  return any(trx)
    .updateTable(table as 'owned')
    .where('merchant_id', '=', merchantId) as unknown as UpdateQueryBuilder<Database, T, T, UpdateResult>
}

/** `update table … where merchant_id = … and id = …`; the caller sets the values (and what it returns). */
export function updateKeyed<T extends KeyedTable>(trx: Db, table: T, merchantId: string, id: string) {
  return any(trx)
    .updateTable(table as 'owned')
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id) as unknown as UpdateQueryBuilder<Database, T, T, UpdateResult>
}

async function updateRow<T extends KeyedTable>(
  trx: Trx,
  table: T,
  merchantId: string,
  id: string,
  patch: Updateable<Database[T]>,
) {
  const q = any(trx)
    .updateTable(table as 'owned')
    .set(patch as Updateable<{ id: string }>)
  return (await q
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()) as Row<T>
}

/** Find, lock, update and delete of one table's rows by key, for a store to export under its own names. */
export function keyedRows<T extends KeyedTable>(table: T) {
  return {
    find: (db: Db, merchantId: string, id: string) => findKeyed(db, table, merchantId, id),
    lock: (trx: Trx, merchantId: string, id: string) => lockKeyed(trx, table, merchantId, id),
    update: (trx: Trx, merchantId: string, id: string, patch: Updateable<Database[T]>) =>
      updateRow(trx, table, merchantId, id, patch),
    delete: (trx: Trx, merchantId: string, id: string) => deleteKeyed(trx, table, merchantId, id),
  }
}

/** `delete from table where merchant_id = …`; the caller names the rows. */
export function deleteOwned<T extends OwnedTable>(trx: Db, table: T, merchantId: string) {
  return any(trx)
    .deleteFrom(table as 'owned')
    .where('merchant_id', '=', merchantId) as unknown as DeleteQueryBuilder<Database, T, DeleteResult>
}

export async function deleteKeyed(trx: Db, table: KeyedTable, merchantId: string, id: string): Promise<void> {
  await deleteOwned(trx, table, merchantId).where('id', '=', id).execute()
}

export async function insertReturning<T extends keyof Database>(
  trx: Trx,
  table: T,
  row: Insertable<Database[T]>,
): Promise<Row<T>> {
  return (await into(trx).insertInto(table).values(row).returningAll().executeTakeFirstOrThrow()) as Row<T>
}

/** Whether the statement deleted any row. */
export async function deletedAny(query: { executeTakeFirst(): Promise<DeleteResult> }): Promise<boolean> {
  return (await query.executeTakeFirst()).numDeletedRows > 0n
}

/** A table whose rows a source (a shop, a file) knows by its own id. */
type ExternalTable = {
  [T in OwnedTable]: Database[T] extends { source: unknown; external_id: unknown } ? T : never
}[OwnedTable]

const byExternalIds = (trx: Trx, table: ExternalTable, merchantId: string, source: string, externalIds: string[]) =>
  owned(trx, table, merchantId)
    .where('source', '=', source)
    .where('external_id', '=', sql<string>`any(${externalIds}::text[])`)
    .orderBy('id')
    .forUpdate()

/** The rows a source knows by these ids, in id order, locked until commit; the caller chooses the columns. */
export function selectByExternalIds<T extends ExternalTable>(
  trx: Trx,
  table: T,
  merchantId: string,
  source: string,
  externalIds: string[],
) {
  return byExternalIds(trx, table, merchantId, source, externalIds) as unknown as SelectQueryBuilder<
    Database,
    T,
    object
  >
}

export async function lockByExternalIds<T extends ExternalTable>(
  trx: Trx,
  table: T,
  merchantId: string,
  source: string,
  externalIds: string[],
) {
  if (!externalIds.length) return []
  return (await byExternalIds(trx, table, merchantId, source, externalIds).selectAll().execute()) as Row<T>[]
}

/** Inserts the row, or nothing when a concurrent writer inserted the same source row first (then undefined). */
export async function insertUnlessKnown<T extends ExternalTable>(trx: Trx, table: T, row: Insertable<Database[T]>) {
  return (await into(trx)
    .insertInto(table)
    .values(row)
    .onConflict((oc) => oc.columns(['merchant_id', 'source', 'external_id']).doNothing())
    .returningAll()
    .executeTakeFirst()) as Row<T> | undefined
}

/** The row a source knows by this id, locked until commit. */
export async function lockByExternalId<T extends ExternalTable>(
  trx: Trx,
  table: T,
  merchantId: string,
  source: string,
  externalId: string,
) {
  return (await owned(trx, table, merchantId)
    .selectAll()
    .where('source', '=', source)
    .where('external_id', '=', externalId)
    .forUpdate()
    .executeTakeFirst()) as Row<T> | undefined
}

/** One page of a list in id order: the rows after the cursor's id, at most `limit`. */
export function keysetPage<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  page: { after?: string; limit: number },
): SelectQueryBuilder<DB, TB, O> {
  const q = query as unknown as SelectQueryBuilder<{ t: { id: string } }, 't', O>
  return (page.after ? q.where('id', '>', page.after) : q)
    .orderBy('id')
    .limit(page.limit) as unknown as SelectQueryBuilder<DB, TB, O>
}
