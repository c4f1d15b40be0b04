import { sql, type Insertable, type Kysely, type Selectable, type Transaction, type Updateable } from 'kysely'
import { executePrepared } from '../../db/database.js'
import { type Trx, selectOwned, updateKeyed } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import { unresolvedStatuses } from '../tables.js'

export type Db = Kysely<Database> | Transaction<Database>

export type CaseRow = Selectable<Database['cases']>

// Every column but the search documents: they are large, and only the database reads them.
export const caseColumns = [
  'merchant_id',
  'id',
  'number',
  'type_key',
  'subject',
  'status',
  'priority',
  'channel',
  'source',
  'sla_tier',
  'customer_id',
  'order_id',
  'shipment_id',
  'carrier_code',
  'carrier_name',
  'tracking_number',
  'product_sku',
  'fulfilment_centre',
  'value_amount_minor',
  'value_currency',
  'team_id',
  'assignee_id',
  'tags',
  'custom_fields',
  'checklist',
  'evidence_count',
  'missing_evidence',
  'refund_authorised_by',
  'resolution_code',
  'resolution_note',
  'root_cause',
  'fault_party',
  'escalation_level',
  'escalation_reason',
  'parent_id',
  'merged_into_id',
  'follow_up_of_id',
  'split_from_id',
  'product_category',
  'external_id',
  'reopen_count',
  'first_acted_at',
  'first_response_at',
  'sla_next_due_at',
  'sla_state',
  'resolved_at',
  'closed_at',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof Database['cases'])[]
// A column the table type gains and this list lacks fails to compile here.
const complete: Exclude<keyof Database['cases'], (typeof caseColumns)[number]> extends never ? true : never = true
void complete

// Every query names the merchant: a foreign id finds nothing, so the route answers 404.

export async function countCasesOfType(db: Db, merchantId: string, key: string): Promise<number> {
  const r = await selectOwned(db, 'cases', merchantId)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('type_key', '=', key)
    .executeTakeFirstOrThrow()
  return Number(r.n)
}

/** The next human number; the counter row stays locked until commit, so numbers never repeat. */
export async function nextCaseNumbers(trx: Trx, merchantId: string, count = 1): Promise<number> {
  const r = await trx
    .insertInto('case_counters')
    .values({ merchant_id: merchantId, last_number: 1000 + count })
    .onConflict((oc) =>
      oc.column('merchant_id').doUpdateSet({ last_number: sql`case_counters.last_number + ${count}` }),
    )
    .returning('last_number')
    .executeTakeFirstOrThrow()
  return r.last_number - count + 1
}

export async function insertCase(trx: Trx, row: Insertable<Database['cases']>): Promise<CaseRow> {
  return trx.insertInto('cases').values(row).returning(caseColumns).executeTakeFirstOrThrow()
}

/** One workspace's case rows: every query names the merchant, so a foreign id finds nothing. */
const selectCases = (db: Db, merchantId: string) => selectOwned(db, 'cases', merchantId).select(caseColumns)

export async function findCase(db: Db, merchantId: string, id: string): Promise<CaseRow | undefined> {
  return selectCases(db, merchantId).where('id', '=', id).executeTakeFirst()
}

// Held until commit, so two writers never change the same case at once.
export async function lockCase(trx: Trx, merchantId: string, id: string): Promise<CaseRow | undefined> {
  // Prepared: every change to a case starts here (the inbox drain's emails and scans among them).
  const [row] = await executePrepared(trx, selectCases(trx, merchantId).where('id', '=', id).forUpdate())
  return row
}

export async function lockCases(trx: Trx, merchantId: string, ids: string[]): Promise<CaseRow[]> {
  if (!ids.length) return []
  return selectCases(trx, merchantId).where('id', 'in', ids).orderBy('id').forUpdate().execute()
}

/** The case's timeline search document with `text` added. */
export const searchDocAppend = (text: string) => sql<string>`timeline_search || to_tsvector('english', ${text})`

export async function updateCase(
  trx: Trx,
  merchantId: string,
  id: string,
  patch: Updateable<Database['cases']>,
  /** Timeline text the search document gains in the same row version (see addTimelineSearch) */
  searchText?: string,
): Promise<CaseRow> {
  const update = updateKeyed(trx, 'cases', merchantId, id).set(patch)
  return (searchText ? update.set(sql.ref('timeline_search'), searchDocAppend(searchText)) : update)
    .returning(caseColumns)
    .executeTakeFirstOrThrow()
}

const unresolvedForShipment = (db: Db, merchantId: string, shipmentId: string) =>
  selectCases(db, merchantId)
    .where('shipment_id', '=', shipmentId)
    .where('status', 'in', unresolvedStatuses)
    .where('merged_into_id', 'is', null)
    .orderBy('created_at')

/** Unresolved cases about a shipment, of one type or any, locked until commit. */
export async function lockUnresolvedForShipment(
  trx: Trx,
  merchantId: string,
  shipmentId: string,
  typeKey?: string,
): Promise<CaseRow[]> {
  const q = unresolvedForShipment(trx, merchantId, shipmentId)
  return (typeKey ? q.where('type_key', '=', typeKey) : q).forUpdate().execute()
}

export async function listUnresolvedForShipment(db: Db, merchantId: string, shipmentId: string): Promise<CaseRow[]> {
  return unresolvedForShipment(db, merchantId, shipmentId).execute()
}

/** A page of the workspace's unresolved cases, by id: what a sweep over open cases reads. */
export async function listUnresolvedRefs(db: Db, merchantId: string, after: string | null, limit: number) {
  let q = db
    .selectFrom('cases')
    .select(['id', 'shipment_id'])
    .where('merchant_id', '=', merchantId)
    .where('status', 'in', unresolvedStatuses)
    .orderBy('id')
    .limit(limit)
  if (after) q = q.where('id', '>', after)
  return q.execute()
}

/** Serialises the exception policy per shipment, so two events never open twin cases. */
export async function lockShipmentKey(trx: Trx, merchantId: string, shipmentId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`cases:${merchantId}:${shipmentId}`}, 0))`.execute(trx)
}

export async function listChildren(db: Db, merchantId: string, parentId: string): Promise<CaseRow[]> {
  return selectCases(db, merchantId).where('parent_id', '=', parentId).orderBy('created_at').execute()
}

/** Cases merged into these, and into those, and so on: their timelines are part of the survivor's. */
export async function listMergedIds(db: Db, merchantId: string, caseId: string): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    with recursive merged(id) as (
      select id from cases where merchant_id = ${merchantId} and merged_into_id = ${caseId}
      union select c.id from cases c join merged m on c.merged_into_id = m.id where c.merchant_id = ${merchantId}
    ) select id from merged`.execute(db)
  return rows.map((r) => r.id)
}

/** Resolved cases past their workspace's auto-close delay (0 turns it off), oldest first, across workspaces. */
export async function listDueForClose(
  db: Db,
  now: Date,
  defaultHours: number,
  limit: number,
): Promise<{ merchant_id: string; id: string; resolved_at: Date }[]> {
  const { rows } = await sql<{ merchant_id: string; id: string; resolved_at: Date }>`
    select c.merchant_id, c.id, c.resolved_at from cases c left join case_settings s on s.merchant_id = c.merchant_id
    where c.status = 'resolved' and coalesce(s.auto_close_after_hours, ${defaultHours}) > 0
      and c.resolved_at <= ${now}::timestamptz - make_interval(hours => coalesce(s.auto_close_after_hours, ${defaultHours}))
    order by c.resolved_at limit ${limit}`.execute(db)
  return rows
}

export async function existingCaseIds(db: Db, merchantId: string, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set()
  const rows = await selectOwned(db, 'cases', merchantId).select('id').where('id', 'in', ids).execute()
  return new Set(rows.map((r) => r.id))
}
