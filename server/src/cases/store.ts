import {
  sql,
  type Expression,
  type Insertable,
  type Kysely,
  type Selectable,
  type SqlBool,
  type Transaction,
  type Updateable,
} from 'kysely'
import type { CursorValueKind } from '../cursors.js'
import type { Database } from '../db/schema.js'
import { unresolvedStatuses, type CaseStatus, type Priority } from './tables.js'

export type Db = Kysely<Database> | Transaction<Database>
type Trx = Transaction<Database>

export type CaseRow = Selectable<Database['cases']>
export type CaseTypeRow = Selectable<Database['case_types']>
export type TimelineRow = Selectable<Database['case_timeline']>
export type LinkRow = Selectable<Database['case_links']>
export type NotificationRow = Selectable<Database['notifications']>
export type ReviewRow = Selectable<Database['case_reviews']>

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
  'resolved_at',
  'closed_at',
  'created_at',
  'updated_at',
] as const satisfies readonly (keyof Database['cases'])[]
// A column the table type gains and this list lacks fails to compile here.
const complete: Exclude<keyof Database['cases'], (typeof caseColumns)[number]> extends never ? true : never = true
void complete

// Every query names the merchant: a foreign id finds nothing, so the route answers 404.

export async function insertCaseTypes(trx: Trx, rows: Insertable<Database['case_types']>[]): Promise<void> {
  if (rows.length)
    await trx
      .insertInto('case_types')
      .values(rows)
      .onConflict((oc) => oc.columns(['merchant_id', 'key']).doNothing())
      .execute()
}

export async function listCaseTypes(db: Db, merchantId: string, includeArchived: boolean): Promise<CaseTypeRow[]> {
  let q = db.selectFrom('case_types').selectAll().where('merchant_id', '=', merchantId)
  if (!includeArchived) q = q.where('archived_at', 'is', null)
  return q.orderBy('created_at').orderBy('key').execute()
}

export async function findCaseType(db: Db, merchantId: string, key: string): Promise<CaseTypeRow | undefined> {
  return db
    .selectFrom('case_types')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('key', '=', key)
    .executeTakeFirst()
}

export async function lockCaseType(trx: Trx, merchantId: string, key: string): Promise<CaseTypeRow | undefined> {
  return trx
    .selectFrom('case_types')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('key', '=', key)
    .forUpdate()
    .executeTakeFirst()
}

export async function updateCaseType(
  trx: Trx,
  merchantId: string,
  key: string,
  patch: Updateable<Database['case_types']>,
): Promise<CaseTypeRow> {
  return trx
    .updateTable('case_types')
    .set(patch)
    .where('merchant_id', '=', merchantId)
    .where('key', '=', key)
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function countCasesOfType(db: Db, merchantId: string, key: string): Promise<number> {
  const r = await db
    .selectFrom('cases')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('merchant_id', '=', merchantId)
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

export async function findCase(db: Db, merchantId: string, id: string): Promise<CaseRow | undefined> {
  return db
    .selectFrom('cases')
    .select(caseColumns)
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .executeTakeFirst()
}

// Held until commit, so two writers never change the same case at once.
export async function lockCase(trx: Trx, merchantId: string, id: string): Promise<CaseRow | undefined> {
  return trx
    .selectFrom('cases')
    .select(caseColumns)
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()
}

export async function lockCases(trx: Trx, merchantId: string, ids: string[]): Promise<CaseRow[]> {
  if (!ids.length) return []
  return trx
    .selectFrom('cases')
    .select(caseColumns)
    .where('merchant_id', '=', merchantId)
    .where('id', 'in', ids)
    .orderBy('id')
    .forUpdate()
    .execute()
}

export async function updateCase(
  trx: Trx,
  merchantId: string,
  id: string,
  patch: Updateable<Database['cases']>,
): Promise<CaseRow> {
  return trx
    .updateTable('cases')
    .set(patch)
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .returning(caseColumns)
    .executeTakeFirstOrThrow()
}

/** Unresolved cases about a shipment, of one type or any, locked until commit. */
export async function lockUnresolvedForShipment(
  trx: Trx,
  merchantId: string,
  shipmentId: string,
  typeKey?: string,
): Promise<CaseRow[]> {
  let q = trx
    .selectFrom('cases')
    .select(caseColumns)
    .where('merchant_id', '=', merchantId)
    .where('shipment_id', '=', shipmentId)
    .where('status', 'in', unresolvedStatuses)
    .where('merged_into_id', 'is', null)
  if (typeKey) q = q.where('type_key', '=', typeKey)
  return q.orderBy('created_at').forUpdate().execute()
}

/** Serialises the exception policy per shipment, so two events never open twin cases. */
export async function lockShipmentKey(trx: Trx, merchantId: string, shipmentId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`cases:${merchantId}:${shipmentId}`}, 0))`.execute(trx)
}

export const ageBuckets = ['0_24h', '24_72h', '72h_plus'] as const
export type AgeBucket = (typeof ageBuckets)[number]

export type CaseFilter = {
  statuses?: CaseStatus[]
  types?: string[]
  priorities?: Priority[]
  teamId?: string
  /** null: unassigned */
  assigneeId?: string | null
  carrierCode?: string
  fulfilmentCentre?: string
  tags?: string[]
  customerId?: string
  orderId?: string
  shipmentId?: string
  parentId?: string
  number?: number
  createdFrom?: Date
  createdTo?: Date
  updatedFrom?: Date
  updatedTo?: Date
  ageBucket?: AgeBucket
  /** websearch syntax, over subjects, tracking numbers, SKUs, timeline texts, and linked orders' numbers and customers' names and emails */
  q?: string
}

export const caseSorts = ['created_desc', 'created_asc', 'updated_desc', 'priority_desc', 'relevance'] as const
export type CaseSort = (typeof caseSorts)[number]

const priorityRank = sql<number>`array_position(array['low','normal','high','urgent']::text[], cases.priority)`
const query = (q: string) => sql`websearch_to_tsquery('english', ${q})`

type SortKey = { expr: Expression<unknown>; kind: CursorValueKind }
const createdAt: SortKey = { expr: sql`cases.created_at`, kind: 'timestamp' }
const caseId: SortKey = { expr: sql`cases.id`, kind: 'uuid' }

// Every key of one sort runs the same direction, so a row comparison is the keyset condition.
function sortKeys(sort: CaseSort, q: string | undefined): { keys: SortKey[]; desc: boolean } {
  switch (sort) {
    case 'created_asc':
      return { keys: [createdAt, caseId], desc: false }
    case 'updated_desc':
      return { keys: [{ expr: sql`cases.updated_at`, kind: 'timestamp' }, caseId], desc: true }
    case 'priority_desc':
      return { keys: [{ expr: priorityRank, kind: 'integer' }, createdAt, caseId], desc: true }
    case 'relevance':
      return q
        ? {
            keys: [
              {
                expr: sql`round(ts_rank(cases.search || cases.timeline_search || cases.link_search, ${query(q)})::numeric, 6)`,
                kind: 'number',
              },
              createdAt,
              caseId,
            ],
            desc: true,
          }
        : { keys: [createdAt, caseId], desc: true }
    default:
      return { keys: [createdAt, caseId], desc: true }
  }
}

/** What a page's `after` must hold for this sort: one value per key, of the key's kind. */
export const sortKeyKinds = (sort: CaseSort, q: string | undefined): CursorValueKind[] =>
  sortKeys(sort, q).keys.map((k) => k.kind)

function applyFilter(db: Db, merchantId: string, f: CaseFilter, now: Date) {
  let q = db.selectFrom('cases').where('cases.merchant_id', '=', merchantId)
  if (f.statuses?.length) q = q.where('cases.status', 'in', f.statuses)
  if (f.types?.length) q = q.where('cases.type_key', 'in', f.types)
  if (f.priorities?.length) q = q.where('cases.priority', 'in', f.priorities)
  if (f.teamId) q = q.where('cases.team_id', '=', f.teamId)
  if (f.assigneeId === null) q = q.where('cases.assignee_id', 'is', null)
  else if (f.assigneeId) q = q.where('cases.assignee_id', '=', f.assigneeId)
  if (f.carrierCode) q = q.where('cases.carrier_code', '=', f.carrierCode)
  if (f.fulfilmentCentre) q = q.where('cases.fulfilment_centre', '=', f.fulfilmentCentre)
  if (f.tags?.length) q = q.where(sql<SqlBool>`cases.tags @> ${sql.val(f.tags)}::text[]`)
  if (f.customerId) q = q.where('cases.customer_id', '=', f.customerId)
  if (f.orderId) q = q.where('cases.order_id', '=', f.orderId)
  if (f.shipmentId) q = q.where('cases.shipment_id', '=', f.shipmentId)
  if (f.parentId) q = q.where('cases.parent_id', '=', f.parentId)
  if (f.number !== undefined) q = q.where('cases.number', '=', f.number)
  if (f.createdFrom) q = q.where('cases.created_at', '>=', f.createdFrom)
  if (f.createdTo) q = q.where('cases.created_at', '<', f.createdTo)
  if (f.updatedFrom) q = q.where('cases.updated_at', '>=', f.updatedFrom)
  if (f.updatedTo) q = q.where('cases.updated_at', '<', f.updatedTo)
  if (f.ageBucket) {
    const [from, to] = bucketRange(f.ageBucket, now)
    if (from) q = q.where('cases.created_at', '>', from)
    if (to) q = q.where('cases.created_at', '<=', to)
  }
  if (f.q) {
    const tsq = query(f.q)
    q = q.where(
      sql<SqlBool>`(cases.search @@ ${tsq} or cases.timeline_search @@ ${tsq} or cases.link_search @@ ${tsq})`,
    )
  }
  return q
}

function bucketRange(bucket: AgeBucket, now: Date): [Date | null, Date | null] {
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000)
  if (bucket === '0_24h') return [hoursAgo(24), null]
  if (bucket === '24_72h') return [hoursAgo(72), hoursAgo(24)]
  return [null, hoursAgo(72)]
}

/**
 * A relevance sort ranks the newest matches only: PostgreSQL's full-text indexes cannot hand back
 * matches in rank order, so ranking every match of a common word means reading every matching case.
 * Search engines cap the same way (Zendesk's search stops at 1,000 results); the date sorts reach all.
 */
export const relevanceWindow = 500

export async function listCases(
  db: Db,
  merchantId: string,
  f: CaseFilter,
  sort: CaseSort,
  page: { after?: unknown[]; limit: number },
  now: Date,
): Promise<(CaseRow & { sort_key: unknown[] })[]> {
  const { keys, desc } = sortKeys(sort, f.q)
  const ranked = sort === 'relevance' && f.q
  const q = ranked
    ? db
        .selectFrom('cases')
        .where('cases.merchant_id', '=', merchantId)
        .where(
          'cases.id',
          'in',
          applyFilter(db, merchantId, f, now)
            .select('cases.id')
            .orderBy('cases.created_at', 'desc')
            .orderBy('cases.id', 'desc')
            .limit(relevanceWindow),
        )
    : applyFilter(db, merchantId, f, now)
  const exprs = keys.map((k) => k.expr)
  let r = q.select(caseColumns).select(sql<unknown[]>`json_build_array(${sql.join(exprs)})`.as('sort_key'))
  if (page.after) {
    const tuple = sql`(${sql.join(exprs)})`
    const values = sql`(${sql.join(page.after.map((v, i) => (keys[i]!.kind === 'uuid' ? sql`${v}::uuid` : sql`${v}`)))})`
    r = r.where(desc ? sql<SqlBool>`${tuple} < ${values}` : sql<SqlBool>`${tuple} > ${values}`)
  }
  for (const e of exprs) r = r.orderBy(e, desc ? 'desc' : 'asc')
  return r.limit(page.limit).execute()
}

/** Counts per age bucket of the rows' creation time `at`: `a` 0–24 h, `b` 24–72 h, `c` older. */
function ageCounts(at: string, now: Date) {
  const [d1] = bucketRange('0_24h', now)
  const [d3] = bucketRange('24_72h', now)
  return [
    sql<string>`count(*) filter (where ${sql.ref(at)} > ${d1})`.as('a'),
    sql<string>`count(*) filter (where ${sql.ref(at)} <= ${d1} and ${sql.ref(at)} > ${d3})`.as('b'),
    sql<string>`count(*) filter (where ${sql.ref(at)} <= ${d3})`.as('c'),
  ]
}

/** How many cases match the filter (the age bucket aside) in each age bucket. */
export async function countCasesByAge(
  db: Db,
  merchantId: string,
  f: CaseFilter,
  now: Date,
): Promise<Record<AgeBucket, number>> {
  const r = countsFromTags(f)
    ? await tagged(db, merchantId, f).select(ageCounts('created_at', now)).executeTakeFirstOrThrow()
    : await applyFilter(db, merchantId, { ...f, ageBucket: undefined }, now)
        .select(ageCounts('cases.created_at', now))
        .executeTakeFirstOrThrow()
  return { '0_24h': Number(r.a), '24_72h': Number(r.b), '72h_plus': Number(r.c) }
}

// Tags with nothing but statuses and creation times beside them are counted from case_tags (index
// only); counting through cases would visit every tagged case of the workspace.
const tagCountable = new Set(['tags', 'statuses', 'createdFrom', 'createdTo', 'ageBucket'])
const countsFromTags = (f: CaseFilter) =>
  Boolean(f.tags?.length) && Object.entries(f).every(([k, v]) => v === undefined || tagCountable.has(k))

function tagged(db: Db, merchantId: string, f: CaseFilter) {
  const tags = [...new Set(f.tags)]
  let q = db
    .selectFrom('case_tags')
    .select('case_id')
    .select((eb) => eb.fn.min('created_at').as('created_at'))
    .where('merchant_id', '=', merchantId)
    .where('tag', 'in', tags)
  if (f.statuses?.length) q = q.where('status', 'in', f.statuses)
  if (f.createdFrom) q = q.where('created_at', '>=', f.createdFrom)
  if (f.createdTo) q = q.where('created_at', '<', f.createdTo)
  // Every tag of the filter, as `tags @> …` means.
  return db.selectFrom(
    q
      .groupBy('case_id')
      .having((eb) => eb.fn.countAll(), '=', tags.length)
      .as('tagged'),
  )
}

/** Timeline texts become part of their case's search document as they land. */
export async function addTimelineSearch(trx: Trx, merchantId: string, texts: Map<string, string>): Promise<void> {
  // One case at a time in id order, so two writers never take the same case rows in opposite orders.
  for (const caseId of [...texts.keys()].sort()) {
    await sql`update cases set timeline_search = timeline_search || to_tsvector('english', ${texts.get(caseId)!})
      where merchant_id = ${merchantId} and id = ${caseId}`.execute(trx)
  }
}

/** The search document from the whole timeline, after entries were rewritten rather than added. */
export async function rebuildTimelineSearch(trx: Trx, merchantId: string, caseIds: string[]): Promise<void> {
  if (!caseIds.length) return
  await sql`update cases c set timeline_search = coalesce((
      select to_tsvector('english', string_agg(t.text, E'\n' order by t.occurred_at, t.id)) from case_timeline t
      where t.merchant_id = c.merchant_id and t.case_id = c.id and t.text <> ''), '')
    where c.merchant_id = ${merchantId} and c.id = any(${[...caseIds].sort()}::uuid[])`.execute(trx)
}

export async function listChildren(db: Db, merchantId: string, parentId: string): Promise<CaseRow[]> {
  return db
    .selectFrom('cases')
    .select(caseColumns)
    .where('merchant_id', '=', merchantId)
    .where('parent_id', '=', parentId)
    .orderBy('created_at')
    .execute()
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

// Links

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
  const r = await trx
    .deleteFrom('case_links')
    .where('merchant_id', '=', merchantId)
    .where('case_id', '=', caseId)
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', entityId)
    .executeTakeFirst()
  return r.numDeletedRows > 0n
}

/** Rewrites the key fields kept on every link to one record; the links' trigger rewrites those cases' search documents. */
export async function updateLinkSummaries(
  trx: Trx,
  merchantId: string,
  entityType: string,
  entityId: string,
  summary: Record<string, unknown>,
): Promise<void> {
  await trx
    .updateTable('case_links')
    .set({ summary: JSON.stringify(summary) })
    .where('merchant_id', '=', merchantId)
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', entityId)
    .execute()
}

export async function listLinks(db: Db, merchantId: string, caseIds: string[]): Promise<LinkRow[]> {
  if (!caseIds.length) return []
  return db
    .selectFrom('case_links')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('case_id', 'in', caseIds)
    .orderBy('created_at')
    .execute()
}

// Timeline

export async function insertTimeline(trx: Trx, rows: Insertable<Database['case_timeline']>[]): Promise<string[]> {
  if (!rows.length) return []
  const inserted = await trx
    .insertInto('case_timeline')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['merchant_id', 'case_id', 'dedup_key']).where('dedup_key', 'is not', null).doNothing(),
    )
    .returning('id')
    .execute()
  return inserted.map((r) => r.id)
}

/** Whether any case about the shipment, resolved or merged ones included, has an entry with this dedup key. */
export async function shipmentCaseHasEntry(
  db: Db,
  merchantId: string,
  shipmentId: string,
  dedupKey: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('case_timeline as t')
    .innerJoin('cases as c', (j) => j.onRef('c.merchant_id', '=', 't.merchant_id').onRef('c.id', '=', 't.case_id'))
    .select(sql`1`.as('one'))
    .where('c.merchant_id', '=', merchantId)
    .where('c.shipment_id', '=', shipmentId)
    .where('t.dedup_key', '=', dedupKey)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

export type TimelineFilter = { types?: string[]; after?: { at: Date; id: string }; limit: number; desc?: boolean }

export async function listTimeline(
  db: Db,
  merchantId: string,
  caseIds: string[],
  f: TimelineFilter,
): Promise<TimelineRow[]> {
  const dir = f.desc ? 'desc' : 'asc'
  let q = db
    .selectFrom('case_timeline')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('case_id', 'in', caseIds)
  if (f.types?.length) q = q.where('type', 'in', f.types)
  if (f.after) {
    const { at, id } = f.after
    q = q.where(
      f.desc
        ? sql<SqlBool>`(occurred_at, id) < (${at}, ${id}::uuid)`
        : sql<SqlBool>`(occurred_at, id) > (${at}, ${id}::uuid)`,
    )
  }
  return q.orderBy('occurred_at', dir).orderBy('id', dir).limit(f.limit).execute()
}

// Followers and notifications

export async function insertFollowers(
  trx: Trx,
  merchantId: string,
  caseId: string,
  userIds: string[],
  now: Date,
): Promise<void> {
  if (!userIds.length) return
  await trx
    .insertInto('case_followers')
    .values(userIds.map((u) => ({ merchant_id: merchantId, case_id: caseId, user_id: u, created_at: now })))
    .onConflict((oc) => oc.columns(['merchant_id', 'case_id', 'user_id']).doNothing())
    .execute()
}

export async function deleteFollower(trx: Trx, merchantId: string, caseId: string, userId: string): Promise<void> {
  await trx
    .deleteFrom('case_followers')
    .where('merchant_id', '=', merchantId)
    .where('case_id', '=', caseId)
    .where('user_id', '=', userId)
    .execute()
}

export async function listFollowers(db: Db, merchantId: string, caseId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('case_followers')
    .select('user_id')
    .where('merchant_id', '=', merchantId)
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .execute()
  return rows.map((r) => r.user_id)
}

/** One unread notification per recipient and dedup key: a second cause saying the same thing adds nothing. */
export async function insertNotifications(
  trx: Trx,
  rows: Insertable<Database['notifications']>[],
): Promise<NotificationRow[]> {
  if (!rows.length) return []
  return trx
    .insertInto('notifications')
    .values(rows)
    .onConflict((oc) => oc.columns(['merchant_id', 'user_id', 'dedup_key']).where('read_at', 'is', null).doNothing())
    .returningAll()
    .execute()
}

export async function listNotifications(
  db: Db,
  merchantId: string,
  userId: string,
  f: { unread?: boolean; after?: string; limit: number },
): Promise<NotificationRow[]> {
  let q = db.selectFrom('notifications').selectAll().where('merchant_id', '=', merchantId).where('user_id', '=', userId)
  if (f.unread) q = q.where('read_at', 'is', null)
  // Newest by when it happened: a consumer acting on an older event writes (and mints the id) later.
  if (f.after) {
    const after = f.after
    q = q.where(sql<SqlBool>`(created_at, id) < (select a.created_at, a.id from notifications a
      where a.merchant_id = ${merchantId} and a.user_id = ${userId} and a.id = ${after})`)
  }
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute()
}

export async function countUnread(db: Db, merchantId: string, userId: string): Promise<number> {
  const r = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('merchant_id', '=', merchantId)
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(r.n)
}

export async function markNotificationsRead(
  trx: Trx,
  merchantId: string,
  userId: string,
  ids: string[] | 'all',
  now: Date,
): Promise<number> {
  let q = trx
    .updateTable('notifications')
    .set({ read_at: now })
    .where('merchant_id', '=', merchantId)
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
  if (ids !== 'all') q = q.where('id', 'in', ids.length ? ids : ['00000000-0000-0000-0000-000000000000'])
  return Number((await q.executeTakeFirst()).numUpdatedRows)
}

// Settings and the review list

export async function findSettings(db: Db, merchantId: string) {
  return db.selectFrom('case_settings').selectAll().where('merchant_id', '=', merchantId).executeTakeFirst()
}

export async function upsertSettings(trx: Trx, row: Insertable<Database['case_settings']>): Promise<void> {
  const { merchant_id: _m, ...rest } = row
  await trx
    .insertInto('case_settings')
    .values(row)
    .onConflict((oc) => oc.column('merchant_id').doUpdateSet(rest))
    .execute()
}

export async function insertReview(trx: Trx, row: Insertable<Database['case_reviews']>): Promise<boolean> {
  const r = await trx
    .insertInto('case_reviews')
    .values(row)
    .onConflict((oc) => oc.columns(['merchant_id', 'shipment_id', 'status', 'created_at']).doNothing())
    .executeTakeFirst()
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0
}

export async function listReviews(
  db: Db,
  merchantId: string,
  f: { state?: string; after?: string; limit: number },
): Promise<ReviewRow[]> {
  let q = db.selectFrom('case_reviews').selectAll().where('merchant_id', '=', merchantId)
  if (f.state) q = q.where('state', '=', f.state as 'pending')
  if (f.after) q = q.where('id', '>', f.after)
  return q.orderBy('id').limit(f.limit).execute()
}

export async function lockReview(trx: Trx, merchantId: string, id: string): Promise<ReviewRow | undefined> {
  return trx
    .selectFrom('case_reviews')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()
}

export async function updateReview(
  trx: Trx,
  merchantId: string,
  id: string,
  patch: Updateable<Database['case_reviews']>,
): Promise<ReviewRow> {
  return trx
    .updateTable('case_reviews')
    .set(patch)
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function deleteCaseType(trx: Trx, merchantId: string, key: string): Promise<void> {
  await trx.deleteFrom('case_types').where('merchant_id', '=', merchantId).where('key', '=', key).execute()
}

// Agents: capacity, away, and the round-robin turn

export type AgentRow = Selectable<Database['case_agents']>

export async function listAgents(db: Db, merchantId: string, userIds: string[]): Promise<AgentRow[]> {
  if (!userIds.length) return []
  return db
    .selectFrom('case_agents')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('user_id', 'in', userIds)
    .execute()
}

export async function upsertAgent(trx: Trx, row: Insertable<Database['case_agents']>): Promise<AgentRow> {
  const { merchant_id: _m, user_id: _u, ...rest } = row
  return trx
    .insertInto('case_agents')
    .values(row)
    .onConflict((oc) => oc.columns(['merchant_id', 'user_id']).doUpdateSet(rest))
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** Unresolved cases held by each of these people. */
export async function countUnresolvedByAssignee(
  db: Db,
  merchantId: string,
  userIds: string[],
): Promise<Map<string, number>> {
  if (!userIds.length) return new Map()
  const rows = await db
    .selectFrom('cases')
    .select(['assignee_id', (eb) => eb.fn.countAll<string>().as('n')])
    .where('merchant_id', '=', merchantId)
    .where('assignee_id', 'in', userIds)
    .where('status', 'in', unresolvedStatuses)
    .groupBy('assignee_id')
    .execute()
  return new Map(rows.map((r) => [r.assignee_id!, Number(r.n)]))
}

/** Serialises picks within one team, so two cases opened together do not both go to the same "next" person. */
export async function lockTeamTurn(trx: Trx, merchantId: string, teamId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`case-turn:${merchantId}:${teamId}`}, 0))`.execute(trx)
}

// Saved views

export type ViewRow = Selectable<Database['case_views']>

/** The person's own views and the shared ones. */
export async function listViews(db: Db, merchantId: string, userId: string | null): Promise<ViewRow[]> {
  return db
    .selectFrom('case_views')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where((eb) =>
      userId ? eb.or([eb('owner_id', 'is', null), eb('owner_id', '=', userId)]) : eb('owner_id', 'is', null),
    )
    .orderBy('position')
    .orderBy('name')
    .execute()
}

export async function findView(db: Db, merchantId: string, id: string): Promise<ViewRow | undefined> {
  return db
    .selectFrom('case_views')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function insertView(trx: Trx, row: Insertable<Database['case_views']>): Promise<ViewRow> {
  return trx.insertInto('case_views').values(row).returningAll().executeTakeFirstOrThrow()
}

export async function updateView(
  trx: Trx,
  merchantId: string,
  id: string,
  patch: Updateable<Database['case_views']>,
): Promise<ViewRow> {
  return trx
    .updateTable('case_views')
    .set(patch)
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function deleteView(trx: Trx, merchantId: string, id: string): Promise<void> {
  await trx.deleteFrom('case_views').where('merchant_id', '=', merchantId).where('id', '=', id).execute()
}

// Auto-close

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

export async function findTimelineEntries(
  db: Db,
  merchantId: string,
  caseId: string,
  ids: string[],
): Promise<TimelineRow[]> {
  if (!ids.length) return []
  return db
    .selectFrom('case_timeline')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('case_id', '=', caseId)
    .where('id', 'in', ids)
    .orderBy('occurred_at')
    .orderBy('id')
    .execute()
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

export async function existingCaseIds(db: Db, merchantId: string, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set()
  const rows = await db
    .selectFrom('cases')
    .select('id')
    .where('merchant_id', '=', merchantId)
    .where('id', 'in', ids)
    .execute()
  return new Set(rows.map((r) => r.id))
}

// Presence

export type PresenceRow = Selectable<Database['case_presence']>

/** Records a heartbeat; returns the row as it was before (undefined: new here), to tell news from a repeat. */
export async function upsertPresence(
  trx: Trx,
  row: Omit<PresenceRow, 'since'>,
  expiredBefore: Date,
): Promise<PresenceRow | undefined> {
  const before = await trx
    .selectFrom('case_presence')
    .selectAll()
    .where('merchant_id', '=', row.merchant_id)
    .where('case_id', '=', row.case_id)
    .where('user_id', '=', row.user_id)
    .where('seen_at', '>=', expiredBefore)
    .forUpdate()
    .executeTakeFirst()
  await trx
    .insertInto('case_presence')
    .values({ ...row, since: before && before.state === row.state ? before.since : row.seen_at })
    .onConflict((oc) =>
      oc.columns(['merchant_id', 'case_id', 'user_id']).doUpdateSet((eb) => ({
        state: eb.ref('excluded.state'),
        since: eb.ref('excluded.since'),
        seen_at: eb.ref('excluded.seen_at'),
      })),
    )
    .execute()
  return before
}

export async function deletePresence(trx: Trx, merchantId: string, caseId: string, userId: string): Promise<boolean> {
  const r = await trx
    .deleteFrom('case_presence')
    .where('merchant_id', '=', merchantId)
    .where('case_id', '=', caseId)
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return r.numDeletedRows > 0n
}

export async function listPresence(
  db: Db,
  merchantId: string,
  caseId: string,
  seenSince: Date,
): Promise<PresenceRow[]> {
  return db
    .selectFrom('case_presence')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('case_id', '=', caseId)
    .where('seen_at', '>=', seenSince)
    .orderBy('since')
    .execute()
}

/** Heartbeats nobody sent again: a closed tab, a crashed browser. */
export async function purgePresence(db: Db, before: Date): Promise<number> {
  const r = await db.deleteFrom('case_presence').where('seen_at', '<', before).executeTakeFirst()
  return Number(r.numDeletedRows)
}

// Operations dashboard

/** Unresolved cases per type and age bucket (one pass over the unresolved index). */
export async function countOpenByTypeAndAge(
  db: Db,
  merchantId: string,
  now: Date,
): Promise<{ type_key: string; a: number; b: number; c: number }[]> {
  const rows = await db
    .selectFrom('cases')
    .select('type_key')
    .select(ageCounts('created_at', now))
    .where('merchant_id', '=', merchantId)
    .where('status', 'in', unresolvedStatuses)
    .groupBy('type_key')
    .execute()
  return rows.map((r) => ({ type_key: r.type_key, a: Number(r.a), b: Number(r.b), c: Number(r.c) }))
}

/** New cases per local day (in the workspace's time zone) and carrier, since `from`. */
export async function countNewByDayAndCarrier(
  db: Db,
  merchantId: string,
  from: Date,
  timeZone: string,
): Promise<{ day: string; carrier_code: string | null; n: number }[]> {
  // The day is computed once in a subquery: the same expression twice would be two parameters to PostgreSQL.
  const created = db
    .selectFrom('cases')
    .select([sql<string>`to_char(created_at at time zone ${timeZone}, 'YYYY-MM-DD')`.as('day'), 'carrier_code'])
    .where('merchant_id', '=', merchantId)
    .where('created_at', '>=', from)
    .as('c')
  const rows = await db
    .selectFrom(created)
    .select(['c.day', 'c.carrier_code', (eb) => eb.fn.countAll<string>().as('n')])
    .groupBy(['c.day', 'c.carrier_code'])
    .orderBy('c.day')
    .execute()
  return rows.map((r) => ({ day: r.day, carrier_code: r.carrier_code, n: Number(r.n) }))
}
