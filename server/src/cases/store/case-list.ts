import { sql, type Expression, type SqlBool } from 'kysely'
import type { CursorValueKind } from '../../cursors.js'
import type { CaseStatus, Priority } from '../tables.js'
import { caseColumns, type CaseRow, type Db } from './cases.js'

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
  slaStates?: ('active' | 'paused' | 'met' | 'breached')[]
  /** Cases whose soonest running SLA target is due before this ("breaching soon") */
  slaDueBefore?: Date
  /** true: cases with evidence; false: cases without */
  hasEvidence?: boolean
  /** true: cases lacking some evidence type their case type requires; false: cases lacking none */
  missingEvidence?: boolean
  /** websearch syntax, over subjects, tracking numbers, SKUs, timeline texts, and linked orders' numbers and customers' names and emails */
  q?: string
}

export const caseSorts = [
  'created_desc',
  'created_asc',
  'updated_desc',
  'priority_desc',
  'relevance',
  'sla_due',
] as const
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
    case 'sla_due':
      // Due first; cases with nothing due last (a far instant keeps the keyset's row comparison free of nulls).
      return {
        keys: [
          { expr: sql`coalesce(cases.sla_next_due_at, '9999-12-31T00:00:00Z'::timestamptz)`, kind: 'timestamp' },
          caseId,
        ],
        desc: false,
      }
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
  if (f.slaStates?.length) q = q.where('cases.sla_state', 'in', f.slaStates)
  if (f.slaDueBefore) q = q.where('cases.sla_next_due_at', '<', f.slaDueBefore)
  if (f.hasEvidence !== undefined) q = q.where('cases.evidence_count', f.hasEvidence ? '>' : '=', 0)
  if (f.missingEvidence !== undefined)
    q = q.where(sql<SqlBool>`cardinality(cases.missing_evidence) ${sql.raw(f.missingEvidence ? '>' : '=')} 0`)
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
export function ageCounts(at: string, now: Date) {
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
