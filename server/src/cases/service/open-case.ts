import type { Transaction } from 'kysely'
import { auditActor, type ServiceContext } from '../../auth/actor.js'
import { getCustomer } from '../../customers/service.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import { newId } from '../../ids.js'
import { enqueueEvent } from '../../jobs/outbox.js'
import { publishLive } from '../../live/publish.js'
import { getOrder, type Order } from '../../orders/service.js'
import { getShipment, type Shipment } from '../../shipments/service.js'
import { getTeam } from '../../teams/service.js'
import { getUser } from '../../users/service.js'
import * as caseStore from '../store/cases.js'
import type { CaseRow, Db } from '../store/cases.js'
import * as followerStore from '../store/followers.js'
import * as linkStore from '../store/links.js'
import type { Priority } from '../tables.js'
import { caseNumber, type CaseType, type Money } from '../types.js'
import { recordAuditFor } from '../../changes.js'
import { auditView } from './change.js'
import { usableCaseType, validateCustomFields } from './case-types.js'
import { resolveLinks, type LinkInput } from './links.js'
import { checkIncidentParent } from './incidents.js'
import { notifyUsers } from './notifications.js'
import { appendTimelineEntries, type NewTimelineEntry } from './timeline.js'

type Trx = Transaction<Database>

export type OpenCaseInput = {
  caseType: string
  subject?: string
  priority?: Priority
  channel?: string
  /** manual, api, exception_policy, import, follow_up… */
  source?: string
  customerId?: string | null
  orderId?: string | null
  shipmentId?: string | null
  productSku?: string | null
  value?: Money | null
  teamId?: string | null
  assigneeId?: string | null
  tags?: string[]
  customFields?: Record<string, unknown>
  parentId?: string | null
  followUpOf?: string | null
  splitFrom?: string | null
  links?: LinkInput[]
  /** what opened it, first on the timeline after the opening itself (e.g. the carrier event) */
  entries?: Omit<NewTimelineEntry, 'caseId' | 'actor'>[]
  description?: string
}

export async function checkAssignee(db: Db, merchantId: string, userId: string): Promise<void> {
  const user = await getUser(db, merchantId, userId).catch(() => undefined)
  if (user?.status !== 'active')
    throw new AppError('assignee_invalid', 'The assignee is not an active person of this workspace', {
      assignee_id: userId,
    })
}

const fill = (template: string, values: Record<string, string | null | undefined>) =>
  template
    .replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, k: string) => values[k] ?? '')
    .replace(/\s+/g, ' ')
    .trim()

/**
 * Opens a case: its type, the records it is about, the row, its links, the opening on the audit trail and the
 * timeline, the assignee told, and `case.opened` announced; all in the caller's transaction.
 */
export async function openCase(trx: Trx, ctx: ServiceContext, input: OpenCaseInput, now: Date): Promise<CaseRow> {
  const type = await usableCaseType(trx, ctx.merchantId, input.caseType, now)
  const about = await findRecords(trx, ctx.merchantId, input)
  await checkReferences(trx, ctx.merchantId, input, about.customerId)
  const facts = caseFacts(type, input, about)
  const row = await insertNewCase(trx, ctx.merchantId, type, input, about, facts, now)
  await insertOpeningLinks(trx, ctx.merchantId, row, input, about, now)
  await recordOpening(trx, ctx, row, type, input, now)
  await notifyAssignee(trx, ctx, row, row.assignee_id, now)
  await announceOpened(trx, row, facts.value, now)
  return row
}

type Records = { shipment?: Shipment; order?: Order; orderId: string | null; customerId: string | null }

/** The shipment, order and customer the case is about: each named, or found through the one before it. */
async function findRecords(trx: Trx, merchantId: string, input: OpenCaseInput): Promise<Records> {
  const shipment = input.shipmentId ? await getShipment(trx, merchantId, input.shipmentId) : undefined
  const orderId = input.orderId ?? shipment?.order_id ?? null
  const order = orderId ? await getOrder(trx, merchantId, orderId) : undefined
  const customerId = input.customerId ?? order?.customer_id ?? null
  return { shipment, order, orderId, customerId }
}

/** Every record the input names exists in this workspace (404s and 409s before anything is written). */
async function checkReferences(trx: Trx, merchantId: string, input: OpenCaseInput, customerId: string | null) {
  if (customerId) await getCustomer(trx, merchantId, customerId)
  if (input.teamId) await getTeam(trx, merchantId, input.teamId)
  if (input.assigneeId) await checkAssignee(trx, merchantId, input.assigneeId)
  if (input.parentId) await checkIncidentParent(trx, merchantId, input.parentId)
}

type Facts = {
  customFields: Record<string, unknown>
  value: Money | null
  sku: string | null
  category: string | null
  subject: string
}

/** What the case says of itself when the input does not: from its type's template, its shipment and its order. */
function caseFacts(type: CaseType, input: OpenCaseInput, { shipment, order }: Records): Facts {
  const customFields = validateCustomFields(
    type.custom_fields,
    { ...(type.template.custom_fields ?? {}), ...(input.customFields ?? {}) },
    true,
  )
  // Value at stake: what was asked, else the parcel's declared value, else the order's total.
  const value =
    input.value ??
    shipment?.declared_value ??
    (order ? { amount_minor: order.total_amount_minor, currency: order.currency } : null)
  const sku = input.productSku ?? (order?.lines.length === 1 ? order.lines[0]!.sku : null)
  const category =
    order?.lines.find((l) => l.sku === sku)?.category ??
    (new Set(order?.lines.map((l) => l.category)).size === 1 ? order!.lines[0]!.category : null)
  const subject =
    input.subject ??
    (type.template.subject
      ? fill(type.template.subject, {
          tracking_number: shipment?.tracking_number,
          order_number: order?.order_number ?? order?.external_id,
        }) || type.label
      : type.label)
  return { customFields, value, sku, category, subject }
}

async function insertNewCase(
  trx: Trx,
  merchantId: string,
  type: CaseType,
  input: OpenCaseInput,
  { shipment, order, orderId, customerId }: Records,
  facts: Facts,
  now: Date,
): Promise<CaseRow> {
  const number = await caseStore.nextCaseNumbers(trx, merchantId)
  return caseStore.insertCase(trx, {
    merchant_id: merchantId,
    id: newId(),
    number,
    type_key: type.key,
    subject: facts.subject.slice(0, 300),
    status: 'new',
    priority: input.priority ?? type.template.priority ?? type.default_priority,
    channel: input.channel ?? 'api',
    source: input.source ?? 'manual',
    sla_tier: type.sla_tier,
    customer_id: customerId,
    order_id: orderId,
    shipment_id: shipment?.id ?? null,
    carrier_code: shipment?.carrier.code ?? null,
    carrier_name: shipment?.carrier.name ?? null,
    tracking_number: shipment?.tracking_number ?? null,
    product_sku: facts.sku,
    product_category: facts.category,
    fulfilment_centre:
      shipment?.fulfilment_centre ?? order?.lines.find((l) => l.fulfilment_centre)?.fulfilment_centre ?? null,
    value_amount_minor: facts.value?.amount_minor ?? null,
    value_currency: facts.value?.currency ?? null,
    team_id: input.teamId ?? null,
    assignee_id: input.assigneeId ?? null,
    tags: [...new Set([...(type.template.tags ?? []), ...(input.tags ?? [])])],
    custom_fields: JSON.stringify(facts.customFields),
    checklist: JSON.stringify(
      (type.template.checklist ?? []).map((label, i) => ({ key: `item_${i + 1}`, label, done: false })),
    ),
    refund_authorised_by: null,
    resolution_code: null,
    resolution_note: null,
    root_cause: null,
    fault_party: null,
    escalation_reason: null,
    parent_id: input.parentId ?? null,
    merged_into_id: null,
    follow_up_of_id: input.followUpOf ?? null,
    split_from_id: input.splitFrom ?? null,
    first_acted_at: null,
    resolved_at: null,
    closed_at: null,
    created_at: now,
    updated_at: now,
  })
}

/** The customer, order and shipment it is about, the case it follows up or was split from, and the links asked for. */
async function insertOpeningLinks(
  trx: Trx,
  merchantId: string,
  row: CaseRow,
  input: OpenCaseInput,
  { shipment, orderId, customerId }: Records,
  now: Date,
): Promise<void> {
  const links: LinkInput[] = [
    ...(customerId ? [{ entityType: 'customer', entityId: customerId }] : []),
    ...(orderId ? [{ entityType: 'order', entityId: orderId }] : []),
    ...(shipment ? [{ entityType: 'shipment', entityId: shipment.id }] : []),
    ...(input.followUpOf ? [{ entityType: 'case', entityId: input.followUpOf }] : []),
    ...(input.splitFrom ? [{ entityType: 'case', entityId: input.splitFrom }] : []),
    ...(input.links ?? []),
  ]
  const unique = [...new Map(links.map((l) => [`${l.entityType}:${l.entityId}`, l])).values()]
  await linkStore.insertLinks(trx, await resolveLinks(trx, merchantId, row.id, unique, now))
}

/** The audit entry, then the timeline: the opening itself, and what opened it (e.g. the carrier event). */
async function recordOpening(
  trx: Trx,
  ctx: ServiceContext,
  row: CaseRow,
  type: CaseType,
  input: OpenCaseInput,
  now: Date,
): Promise<void> {
  const actor = auditActor(ctx.actor)
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'case.opened',
      entityType: 'case',
      entityId: row.id,
      after: auditView(row),
    },
    now,
  )
  await appendTimelineEntries(
    trx,
    ctx.merchantId,
    [
      {
        caseId: row.id,
        type: 'case.opened',
        actor,
        occurredAt: now,
        data: { case_type: type.key, source: row.source, channel: row.channel },
        text: [row.subject, input.description ?? ''].join('\n').trim(),
      },
      ...(input.entries ?? []).map((e) => ({ ...e, caseId: row.id, actor })),
    ],
    now,
  )
}

/** The assignee follows the case, and hears of it unless they assigned it to themselves. */
export async function notifyAssignee(
  trx: Trx,
  ctx: ServiceContext,
  row: CaseRow,
  assigneeId: string | null,
  now: Date,
): Promise<void> {
  if (!assigneeId) return
  await followerStore.insertFollowers(trx, ctx.merchantId, row.id, [assigneeId], now)
  if (assigneeId !== ctx.actor.id)
    await notifyUsers(
      trx,
      ctx.merchantId,
      [assigneeId],
      { caseId: row.id, cause: 'assigned', title: `${caseNumber(row.number)} assigned to you: ${row.subject}` },
      now,
    )
}

/** `case.opened` to the outbox, and to open consoles. */
async function announceOpened(trx: Trx, row: CaseRow, value: Money | null, now: Date): Promise<void> {
  const opened = {
    merchant_id: row.merchant_id,
    type: 'case.opened' as const,
    subject_id: row.id,
    occurred_at: now,
    data: {
      case_id: row.id,
      number: caseNumber(row.number),
      case_type: row.type_key,
      status: row.status,
      priority: row.priority,
      source: row.source,
      channel: row.channel,
      customer_id: row.customer_id,
      order_id: row.order_id,
      shipment_id: row.shipment_id,
      carrier_code: row.carrier_code,
      tracking_number: row.tracking_number,
      value: value,
      team_id: row.team_id,
      assignee_id: row.assignee_id,
      parent_id: row.parent_id,
    },
  }
  await enqueueEvent(trx, opened)
  await publishLive(trx, [
    {
      merchant_id: row.merchant_id,
      type: opened.type,
      data: { ...opened.data, subject: row.subject.slice(0, 200), created_at: now.toISOString() },
    },
  ])
}
