import { sql, type RawBuilder } from 'kysely'
import { insertRows, names, unnest, type Columns } from '../../db/multi-row.js'
import { type Trx, selectByExternalIds } from '../../db/owned.js'
import { caseColumns as caseRowColumns, type CaseRow } from './cases.js'
import type { CaseStatus, Priority, ResolutionCode, RootCause } from '../tables.js'

// The SQL of a bulk import of historical cases: set-based (db/multi-row.ts), so a 1,000-case batch is a
// handful of statements, not thousands.

/** The columns an import writes; the others keep their defaults (no team, assignee, custom fields or checklist). */
export type ImportedCaseRow = {
  merchant_id: string
  id: string
  number: number
  source: string
  external_id: string
  type_key: string
  subject: string
  status: CaseStatus
  priority: Priority
  channel: string
  sla_tier: string | null
  customer_id: string | null
  order_id: string | null
  carrier_code: string | null
  carrier_name: string | null
  tracking_number: string | null
  product_sku: string | null
  product_category: string | null
  fulfilment_centre: string | null
  value_amount_minor: number | null
  value_currency: string | null
  tags: string[]
  resolution_code: ResolutionCode | null
  resolution_note: string | null
  root_cause: RootCause | null
  fault_party: string | null
  first_acted_at: Date
  resolved_at: Date | null
  closed_at: Date | null
  created_at: Date
  updated_at: Date
}
// A row's tags travel as one JSON array each: unnest would flatten an array of arrays.
type CaseParams = Omit<ImportedCaseRow, 'tags'> & { tags: string }

const caseColumns: Columns<CaseParams> = [
  ['merchant_id', 'uuid'],
  ['id', 'uuid'],
  ['number', 'bigint'],
  ['source', 'text'],
  ['external_id', 'text'],
  ['type_key', 'text'],
  ['subject', 'text'],
  ['status', 'text'],
  ['priority', 'text'],
  ['channel', 'text'],
  ['sla_tier', 'text'],
  ['customer_id', 'uuid'],
  ['order_id', 'uuid'],
  ['carrier_code', 'text'],
  ['carrier_name', 'text'],
  ['tracking_number', 'text'],
  ['product_sku', 'text'],
  ['product_category', 'text'],
  ['fulfilment_centre', 'text'],
  ['value_amount_minor', 'bigint'],
  ['value_currency', 'char(3)'],
  ['tags', 'jsonb'],
  ['resolution_code', 'text'],
  ['resolution_note', 'text'],
  ['root_cause', 'text'],
  ['fault_party', 'text'],
  ['first_acted_at', 'timestamptz'],
  ['resolved_at', 'timestamptz'],
  ['closed_at', 'timestamptz'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
]
const keyColumns = new Set(['merchant_id', 'id', 'number', 'source', 'external_id'])

const value = (column: string): RawBuilder<unknown> =>
  column === 'tags' ? sql`array(select jsonb_array_elements_text(u.tags))` : sql.ref(`u.${column}`)
const params = (rows: ImportedCaseRow[]) =>
  unnest(
    rows.map((r): CaseParams => ({ ...r, tags: JSON.stringify(r.tags) })),
    caseColumns,
  )

/** Locked until commit, so two imports of the same source never write one case twice. */
export async function lockCasesByExternalId(
  trx: Trx,
  merchantId: string,
  source: string,
  externalIds: string[],
): Promise<CaseRow[]> {
  if (!externalIds.length) return []
  return selectByExternalIds(trx, 'cases', merchantId, source, externalIds).select(caseRowColumns).execute()
}

/** Inserts the new cases; returns how many went in (fewer means a concurrent import got there first). */
export async function insertImportedCases(trx: Trx, rows: ImportedCaseRow[]): Promise<number> {
  if (!rows.length) return 0
  const result =
    await sql`insert into cases (${names(caseColumns)}) select ${sql.join(caseColumns.map(([c]) => value(c)))} from ${params(rows)}
    on conflict (merchant_id, source, external_id) where external_id is not null do nothing`.execute(trx)
  return Number(result.numAffectedRows ?? 0)
}

/** Sets every imported column but the case's identity (id, number, source and external id). */
export async function updateImportedCases(trx: Trx, rows: ImportedCaseRow[]): Promise<void> {
  if (!rows.length) return
  const set = caseColumns.filter(([c]) => !keyColumns.has(c)).map(([c]) => sql`${sql.id(c)} = ${value(c)}`)
  await sql`update cases c set ${sql.join(set)} from ${params(rows)} where c.merchant_id = u.merchant_id and c.id = u.id`.execute(
    trx,
  )
}

export type LinkParams = {
  merchant_id: string
  case_id: string
  entity_type: string
  entity_id: string
  summary: string
  created_at: Date
}
const linkColumns: Columns<LinkParams> = [
  ['merchant_id', 'uuid'],
  ['case_id', 'uuid'],
  ['entity_type', 'text'],
  ['entity_id', 'uuid'],
  ['summary', 'jsonb'],
  ['created_at', 'timestamptz'],
]

export async function insertCaseLinks(trx: Trx, rows: LinkParams[]): Promise<void> {
  await insertRows(
    trx,
    'case_links',
    rows,
    linkColumns,
    sql`on conflict (merchant_id, case_id, entity_type, entity_id) do nothing`,
  )
}

export async function deleteCaseLinks(
  trx: Trx,
  merchantId: string,
  links: Pick<LinkParams, 'case_id' | 'entity_type' | 'entity_id'>[],
): Promise<void> {
  if (!links.length) return
  await sql`delete from case_links l using ${unnest(links, [
    ['case_id', 'uuid'],
    ['entity_type', 'text'],
    ['entity_id', 'uuid'],
  ])}
    where l.merchant_id = ${merchantId} and l.case_id = u.case_id and l.entity_type = u.entity_type and l.entity_id = u.entity_id`.execute(
    trx,
  )
}

export type TimelineParams = {
  merchant_id: string
  id: string
  case_id: string
  type: string
  occurred_at: Date
  actor_type: string
  actor_id: string | null
  data: string
  text: string
  dedup_key: string
  created_at: Date
}
const timelineColumns: Columns<TimelineParams> = [
  ['merchant_id', 'uuid'],
  ['id', 'uuid'],
  ['case_id', 'uuid'],
  ['type', 'text'],
  ['occurred_at', 'timestamptz'],
  ['actor_type', 'text'],
  ['actor_id', 'uuid'],
  ['data', 'jsonb'],
  ['text', 'text'],
  ['dedup_key', 'text'],
  ['created_at', 'timestamptz'],
]

export async function insertTimelineRows(trx: Trx, rows: TimelineParams[]): Promise<void> {
  const tail = sql`on conflict (merchant_id, case_id, dedup_key) where dedup_key is not null do nothing`
  await insertRows(trx, 'case_timeline', rows, timelineColumns, tail)
}

/** The entries whose dedup key starts with `prefix`: what an earlier import wrote, before it writes them anew. */
export async function deleteTimelineRows(
  trx: Trx,
  merchantId: string,
  caseIds: string[],
  prefix: string,
): Promise<void> {
  if (!caseIds.length) return
  await sql`delete from case_timeline where merchant_id = ${merchantId} and case_id = any(${caseIds}::uuid[])
    and starts_with(dedup_key, ${prefix})`.execute(trx)
}
