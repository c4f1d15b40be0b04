import type { Transaction } from 'kysely'
import { recordAudits, type AuditInput } from '../../audit/service.js'
import { ConcurrentInsert, lockHeld, type Outcome, type Writer } from '../../import-batch.js'
import { findCustomerByExternalId, getCustomer, type Customer } from '../../customers/service.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import { newId } from '../../ids.js'
import { findOrdersByExternalId, type Order } from '../../orders/service.js'
import { carrierName, resolveCarrier } from '../../shipments/carriers.js'
import * as importStore from '../store/imported-cases.js'
import * as caseTypeStore from '../store/case-types.js'
import * as caseStore from '../store/cases.js'
import type { CaseRow } from '../store/cases.js'
import * as timelineStore from '../store/timeline.js'
import {
  caseStatuses,
  priorities,
  resolutionCodes,
  rootCauses,
  type CaseStatus,
  type Priority,
  type ResolutionCode,
  type RootCause,
} from '../tables.js'
import { caseNumber, toCaseType, type CaseType } from '../types.js'
import { customerSummary, orderSummary } from './links.js'
import { unsearchedTimelineTypes } from './timeline.js'

type Trx = Transaction<Database>

/** A historical case as a bulk import holds it: every field given (null where the source has none), already consistent. */
export type CaseRecord = {
  externalId: string
  caseType: string
  subject: string | null
  status: CaseStatus
  priority: Priority | null
  channel: string | null
  openedAt: Date
  firstResponseAt: Date | null
  resolvedAt: Date | null
  closedAt: Date | null
  resolutionCode: ResolutionCode | null
  resolutionNote: string | null
  rootCause: RootCause | null
  faultParty: string | null
  carrier: string | null
  carrierName: string | null
  trackingNumber: string | null
  productSku: string | null
  productCategory: string | null
  fulfilmentCentre: string | null
  value: { amountMinor: number; currency: string } | null
  tags: string[]
  /** An order and a customer imported earlier from the same source; one that is not found leaves the case unlinked. */
  orderExternalId: string | null
  customerExternalId: string | null
}

/** The words a record may use, for the importer's validation. */
export const caseRecordVocabulary = { statuses: caseStatuses, priorities, resolutionCodes, rootCauses } as const

/** `unlinked`: the record names an order or customer that was not found, so the case landed without it. */
export type ImportedCase = { outcome: Outcome; unlinked: boolean }

// The columns an import decides and compares: a record that would change none of them is not written.
const importedColumns = [
  'type_key',
  'subject',
  'status',
  'priority',
  'channel',
  'customer_id',
  'order_id',
  'carrier_code',
  'carrier_name',
  'tracking_number',
  'product_sku',
  'product_category',
  'fulfilment_centre',
  'value_amount_minor',
  'value_currency',
  'tags',
  'resolution_code',
  'resolution_note',
  'root_cause',
  'fault_party',
  'first_acted_at',
  'resolved_at',
  'closed_at',
  'created_at',
] as const
type Imported = Pick<importStore.ImportedCaseRow, (typeof importedColumns)[number]>

const comparable = (v: unknown) => (v instanceof Date ? v.getTime() : Array.isArray(v) ? v.join('\n') : v)
const sameCase = (before: CaseRow, after: Imported) =>
  importedColumns.every((c) => comparable(before[c]) === comparable(after[c]))
const latest = (...instants: (Date | null)[]) => new Date(Math.max(...instants.map((d) => d?.getTime() ?? 0)))

function importedFields(r: CaseRecord, type: CaseType, links: Links): Imported {
  const carrier = resolveCarrier(r.carrier ?? r.carrierName)
  const subject = r.subject ?? [type.label, r.trackingNumber].filter(Boolean).join(' ')
  return {
    type_key: type.key,
    subject: subject.slice(0, 300),
    status: r.status,
    priority: r.priority ?? type.template.priority ?? type.default_priority,
    channel: r.channel ?? 'import',
    customer_id: links.customer?.id ?? null,
    order_id: links.order?.id ?? null,
    carrier_code: carrier.code,
    carrier_name: r.carrierName ?? (carrier.code ? (carrierName(carrier.code) ?? null) : carrier.name),
    tracking_number: r.trackingNumber,
    product_sku: r.productSku,
    product_category: r.productCategory,
    fulfilment_centre: r.fulfilmentCentre,
    value_amount_minor: r.value?.amountMinor ?? null,
    value_currency: r.value?.currency ?? null,
    tags: [...new Set(r.tags)].sort(),
    resolution_code: r.resolutionCode,
    resolution_note: r.resolutionNote,
    root_cause: r.rootCause,
    fault_party: r.faultParty,
    first_acted_at: r.firstResponseAt ?? r.openedAt,
    resolved_at: r.resolvedAt,
    closed_at: r.closedAt,
    created_at: r.openedAt,
  }
}

type Links = { order?: Order; customer?: Customer; unlinked: boolean }

/** The orders and customers the records name, at the writer's source; a case with an order gets the order's customer, as openCase does. */
async function findLinks(trx: Trx, w: Writer, records: CaseRecord[]): Promise<(r: CaseRecord) => Links> {
  const distinct = (ids: (string | null)[]) => [...new Set(ids.filter((id): id is string => id !== null))]
  const orders = new Map(
    (await findOrdersByExternalId(trx, w.merchantId, w.source, distinct(records.map((r) => r.orderExternalId)))).map(
      (o) => [o.external_id, o],
    ),
  )
  const byRef = new Map<string, Customer | undefined>()
  for (const ref of distinct(records.map((r) => r.customerExternalId)))
    byRef.set(ref, await findCustomerByExternalId(trx, w.merchantId, w.source, ref))
  const byId = new Map([...byRef.values()].flatMap((c) => (c ? [[c.id, c] as const] : [])))
  for (const id of distinct([...orders.values()].map((o) => o.customer_id))) {
    if (!byId.has(id)) byId.set(id, await getCustomer(trx, w.merchantId, id))
  }
  return (r) => {
    const order = r.orderExternalId === null ? undefined : orders.get(r.orderExternalId)
    const named = r.customerExternalId === null ? undefined : byRef.get(r.customerExternalId)
    const customer = named ?? (order?.customer_id ? byId.get(order.customer_id) : undefined)
    return {
      order,
      customer,
      unlinked: (r.orderExternalId !== null && !order) || (r.customerExternalId !== null && !named),
    }
  }
}

/** The case's history on its timeline: opened, then resolved and closed, each at its own time; keyed so a re-import replaces them. */
function milestones(row: importStore.ImportedCaseRow, now: Date): importStore.TimelineParams[] {
  const entry = (key: string, type: string, at: Date, data: Record<string, unknown>, text: string) => ({
    merchant_id: row.merchant_id,
    id: newId(),
    case_id: row.id,
    type,
    occurred_at: at,
    actor_type: 'system',
    actor_id: null,
    data: JSON.stringify(data),
    text,
    dedup_key: `${timelineKey}${key}`,
    created_at: now,
  })
  const note = row.resolution_note ? ` ${row.resolution_note}` : ''
  return [
    entry(
      'opened',
      'imported',
      row.created_at,
      {
        source: row.source,
        external_id: row.external_id,
        case_type: row.type_key,
        channel: row.channel,
        status: row.status,
      },
      row.subject,
    ),
    ...(row.resolved_at
      ? [
          entry(
            'resolved',
            'status_changed',
            row.resolved_at,
            {
              from: 'open',
              to: 'resolved',
              resolution_code: row.resolution_code,
              root_cause: row.root_cause,
              resolution_note: row.resolution_note,
              reason: null,
            },
            `Resolved: ${row.resolution_code}${note}`,
          ),
        ]
      : []),
    ...(row.closed_at
      ? [
          entry(
            'closed',
            'status_changed',
            row.closed_at,
            { from: 'resolved', to: 'closed', resolution_code: null, reason: null },
            'Status closed',
          ),
        ]
      : []),
  ]
}
const timelineKey = 'import:'

function linkRows(row: importStore.ImportedCaseRow, links: Links, now: Date): importStore.LinkParams[] {
  const link = (entityType: string, entityId: string, summary: Record<string, unknown>) => ({
    merchant_id: row.merchant_id,
    case_id: row.id,
    entity_type: entityType,
    entity_id: entityId,
    summary: JSON.stringify(summary),
    created_at: now,
  })
  return [
    ...(links.customer ? [link('customer', links.customer.id, customerSummary(links.customer))] : []),
    ...(links.order ? [link('order', links.order.id, orderSummary(links.order))] : []),
  ]
}

/** The links an update leaves behind: the order or customer the case no longer names. */
function staleLinks(before: CaseRow, after: Imported) {
  return [
    ...(before.customer_id && before.customer_id !== after.customer_id
      ? [{ case_id: before.id, entity_type: 'customer', entity_id: before.customer_id }]
      : []),
    ...(before.order_id && before.order_id !== after.order_id
      ? [{ case_id: before.id, entity_type: 'order', entity_id: before.order_id }]
      : []),
  ]
}

// An update records every imported field it changes; a new case, like an imported order, its key facts.
const auditFields = (r: Record<(typeof importedColumns)[number], unknown>) =>
  Object.fromEntries(importedColumns.map((c) => [c, r[c]]))
const importedSummary = (r: importStore.ImportedCaseRow) => ({
  number: caseNumber(r.number),
  source: r.source,
  external_id: r.external_id,
  case_type: r.type_key,
  status: r.status,
  created_at: r.created_at,
  resolved_at: r.resolved_at,
  closed_at: r.closed_at,
  resolution_code: r.resolution_code,
  order_id: r.order_id,
  customer_id: r.customer_id,
})

/**
 * Historical cases by their id at the writer's source, a batch at a time: numbered like any case, dated by the
 * source (created_at is when the case was opened), linked to the order and customer they name, with their
 * milestones on the timeline. Audited (`case.imported`, `case.updated`), not announced: no `case.opened`, so no
 * automation runs for history. Nothing is written for a repeat, nor for a case merged into another since.
 * A batch's external ids are distinct.
 */
export async function importCases(trx: Trx, w: Writer, records: CaseRecord[], now: Date): Promise<ImportedCase[]> {
  const types = new Map((await caseTypeStore.listCaseTypes(trx, w.merchantId, true)).map((t) => [t.key, toCaseType(t)]))
  const existing = await lockHeld(w, records, (merchantId, source, externalIds) =>
    importStore.lockCasesByExternalId(trx, merchantId, source, externalIds),
  )
  const linksOf = await findLinks(trx, w, records)
  const fresh = records.filter((r) => !existing.has(r.externalId)).length
  let nextNumber = fresh ? await caseStore.nextCaseNumbers(trx, w.merchantId, fresh) : 0
  const inserts: importStore.ImportedCaseRow[] = []
  const updates: importStore.ImportedCaseRow[] = []
  const links: importStore.LinkParams[] = []
  const stale: ReturnType<typeof staleLinks> = []
  const timeline: importStore.TimelineParams[] = []
  const audit: AuditInput[] = []
  const results = records.map((r): ImportedCase => {
    const type = types.get(r.caseType)
    if (!type) throw new AppError('case_type_not_found', 'No such case type', { case_type: r.caseType })
    const found = linksOf(r)
    const before = existing.get(r.externalId)
    const fields = importedFields(r, type, found)
    // A case merged into another since stays as the merge left it (closed as a duplicate, pointing at the survivor).
    if (before && (before.merged_into_id || sameCase(before, fields)))
      return { outcome: 'unchanged', unlinked: found.unlinked }
    const row: importStore.ImportedCaseRow = {
      merchant_id: w.merchantId,
      id: before?.id ?? newId(),
      number: before?.number ?? nextNumber++,
      source: w.source,
      external_id: r.externalId,
      sla_tier: before && before.type_key === type.key ? before.sla_tier : type.sla_tier,
      ...fields,
      updated_at: latest(fields.created_at, fields.first_acted_at, fields.resolved_at, fields.closed_at),
    }
    links.push(...linkRows(row, found, now))
    timeline.push(...milestones(row, now))
    const entity = {
      merchantId: w.merchantId,
      actor: w.actor,
      entityType: 'case',
      entityId: row.id,
      requestId: w.requestId,
    }
    if (before) {
      updates.push(row)
      stale.push(...staleLinks(before, fields))
      audit.push({ ...entity, action: 'case.updated', before: auditFields(before), after: auditFields(fields) })
    } else {
      inserts.push(row)
      audit.push({ ...entity, action: 'case.imported', after: importedSummary(row) })
    }
    return { outcome: before ? 'updated' : 'created', unlinked: found.unlinked }
  })
  if ((await importStore.insertImportedCases(trx, inserts)) !== inserts.length)
    throw new ConcurrentInsert('a case of this batch was inserted concurrently')
  await importStore.updateImportedCases(trx, updates)
  await importStore.deleteCaseLinks(trx, w.merchantId, stale)
  await importStore.insertCaseLinks(trx, links)
  await importStore.deleteTimelineRows(
    trx,
    w.merchantId,
    updates.map((u) => u.id),
    timelineKey,
  )
  await importStore.insertTimelineRows(trx, timeline)
  await timelineStore.rebuildTimelineSearch(
    trx,
    w.merchantId,
    [...new Set(timeline.map((t) => t.case_id))],
    unsearchedTimelineTypes(),
  )
  await recordAudits(trx, audit, now)
  return results
}
