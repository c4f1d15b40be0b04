import type { ServiceContext } from '../../auth/actor.js'
import { findCaseOrThrow, recordCaseActivity } from '../../cases/service.js'
import { recordAuditFor } from '../../changes.js'
import type { Db, Trx } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import { newId } from '../../ids.js'
import { cancelActions, scheduleActions } from '../../jobs/clock.js'
import { type LinkState, listLinksOf, mintLink, revokeLink } from '../../links/service.js'
import { getMerchant } from '../../merchants/service.js'
import { type AutomaticApp, sendAutomatic } from '../../messaging/service.js'
import { evidenceTypeCatalogue, listCaseEvidence, seesSensitive, type EvidenceItem } from '../../evidence/index.js'
import * as store from '../store.js'
import type { RequestRow } from '../store.js'
import type { RequestChannel } from '../tables.js'

export const uploadPurpose = 'evidence_upload'
export const reminderTask = 'evidence-requests:reminder'
export const overdueTask = 'evidence-requests:overdue'
export const clockKeys = (id: string) => ({
  reminder: `evidence_request:${id}:reminder`,
  overdue: `evidence_request:${id}:overdue`,
})

/** The longest deadline an agent may give; the link lives a week past it, so a late customer can still send. */
const maxDeadlineMs = 30 * 86_400_000
const minDeadlineMs = 15 * 60_000
const linkGraceMs = 7 * 86_400_000
const reminderLeadMs = 12 * 3_600_000

export type RequestInput = { types: string[]; message: string; dueAt: Date; channel?: RequestChannel }

export type ReceivedView = { evidence_id: string; type_key: string; name: string; received_at: Date }

export type RequestView = Omit<RequestRow, 'merchant_id'> & {
  /** The upload link's state: a link revoked on its own leaves the request open but unreachable */
  link_state: LinkState
  missing: string[]
  received: ReceivedView[]
}

export const received = (items: EvidenceItem[], requestId: string): ReceivedView[] =>
  items
    .filter((i) => i.request_id === requestId)
    .map((i) => ({ evidence_id: i.id, type_key: i.type_key, name: i.original_name, received_at: i.created_at }))

export const missingOf = (row: RequestRow, items: EvidenceItem[]) => {
  const present = new Set(items.filter((i) => i.request_id === row.id).map((i) => i.type_key))
  return row.type_keys.filter((t) => !present.has(t))
}

export function toRequestView(
  row: RequestRow,
  linkState: LinkState,
  items: EvidenceItem[],
  visible: EvidenceItem[],
): RequestView {
  const { merchant_id: _m, ...rest } = row
  return { ...rest, link_state: linkState, missing: missingOf(row, items), received: received(visible, row.id) }
}

/** When the customer is reminded: at 75 % of the time given, or 12 h before the deadline if that is later. */
function reminderAt(createdAt: Date, dueAt: Date): Date {
  const span = dueAt.getTime() - createdAt.getTime()
  return new Date(Math.max(createdAt.getTime() + span * 0.75, dueAt.getTime() - reminderLeadMs))
}

/** The deadline written for the customer, in the workspace's zone. */
export const dueWords = (dueAt: Date, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { dateStyle: 'full', timeStyle: 'short', timeZone }).format(dueAt)

async function validate(db: Db, ctx: ServiceContext, input: RequestInput, now: Date) {
  const catalogue = await evidenceTypeCatalogue(db, ctx.merchantId)
  const errors: { path: string; reason: string }[] = []
  input.types.forEach((t, i) => {
    if (!catalogue.some((c) => c.key === t)) errors.push({ path: `/types/${i}`, reason: `unknown evidence type ${t}` })
    else if (input.types.indexOf(t) !== i) errors.push({ path: `/types/${i}`, reason: `${t} is listed twice` })
  })
  const lead = input.dueAt.getTime() - now.getTime()
  if (!(lead >= minDeadlineMs)) errors.push({ path: '/due_at', reason: 'the deadline is less than 15 minutes away' })
  else if (lead > maxDeadlineMs) errors.push({ path: '/due_at', reason: 'the deadline is more than 30 days away' })
  if (!input.message.trim()) errors.push({ path: '/message', reason: 'say why the evidence is needed' })
  if (errors.length) throw new AppError('evidence_request_invalid', 'The evidence request is not valid', { errors })
  return catalogue
}

/**
 * Asks the case's customer for evidence: an upload link for this case (purpose evidence_upload, living a week past
 * the deadline), the evidence_request template sent by the channel asked for (or the workspace's order), a reminder
 * before the deadline and the overdue step at it on the clock; timeline, audit and evidence.requested.
 */
export async function requestEvidence(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  input: RequestInput,
  app: AutomaticApp,
  now: Date,
) {
  const c = await findCaseOrThrow(trx, ctx.merchantId, caseId)
  const catalogue = await validate(trx, ctx, input, now)
  const id = newId()
  // Within the 90-day cap: the deadline is at most 30 days away.
  const expiresAt = new Date(input.dueAt.getTime() + linkGraceMs)
  const link = await mintLink(
    trx,
    {
      merchantId: ctx.merchantId,
      purpose: uploadPurpose,
      subjectType: 'case',
      subjectId: c.id,
      expiresAt,
      createdBy: ctx.actor.id,
    },
    app,
    now,
  )
  const row = await store.insertRequest(trx, {
    merchant_id: ctx.merchantId,
    id,
    case_id: c.id,
    type_keys: input.types,
    message: input.message.trim(),
    due_at: input.dueAt,
    link_id: link.id,
    channel: input.channel ?? null,
    created_by: ctx.actor.id,
    created_at: now,
  })
  const labels = input.types.map((t) => catalogue.find((x) => x.key === t)?.label ?? t)
  const merchant = await getMerchant(trx, ctx.merchantId)
  const results = await sendAutomatic(trx, ctx, c.id, 'evidence_request', now, {
    app,
    ...(input.channel && { channels: [input.channel] }),
    messageKey: `evidence_request.${id}`,
    links: { evidence: link.url },
    values: {
      evidence_request: {
        types: labels.join(', '),
        message: row.message,
        due: dueWords(input.dueAt, merchant.time_zone),
      },
    },
  }).catch((err: unknown) => {
    // Archived, or no version live: the link is still made, for the agent to pass on.
    if (err instanceof AppError && (err.code === 'template_not_found' || err.code === 'template_not_live')) return []
    throw err
  })
  const sent = results.find((r) => 'message' in r)
  const messageId = sent && 'message' in sent ? sent.message.id : null
  const stored = messageId ? await store.updateRequest(trx, ctx.merchantId, id, { message_id: messageId }) : row
  const keys = clockKeys(id)
  const remindAt = reminderAt(now, input.dueAt)
  await scheduleActions(
    trx,
    [
      {
        merchantId: ctx.merchantId,
        key: keys.overdue,
        task: overdueTask,
        runAt: input.dueAt,
        payload: { request_id: id },
      },
      {
        merchantId: ctx.merchantId,
        key: keys.reminder,
        task: reminderTask,
        runAt: remindAt,
        payload: { request_id: id },
      },
    ],
    now,
  )
  await recordCaseActivity(
    trx,
    ctx,
    c.id,
    {
      action: 'evidence.requested',
      timeline: [
        {
          type: 'evidence_requested',
          data: { request_id: id, type_keys: input.types, due_at: input.dueAt.toISOString(), message_id: messageId },
          text: `Evidence requested from the customer: ${labels.join(', ')}`,
        },
      ],
      events: [
        {
          type: 'evidence.requested',
          data: { case_id: c.id, request_id: id, type_keys: input.types, due_at: input.dueAt.toISOString() },
        },
      ],
    },
    now,
  )
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'evidence_request.created',
      entityType: 'evidence_request',
      entityId: id,
      after: { case_id: c.id, type_keys: input.types, due_at: input.dueAt.toISOString(), link_id: link.id },
    },
    now,
  )
  return {
    ...toRequestView(stored, 'active', [], []),
    url: link.url,
    delivery: results.map((r) =>
      'message' in r
        ? { channel: r.channel, message_id: r.message.id, skipped: null }
        : { channel: r.channel, message_id: null, skipped: r.skipped },
    ),
  }
}

/** The case's evidence: all of it (what is missing counts every type), and what the caller may see. */
async function caseEvidence(db: Db, ctx: ServiceContext, caseId: string) {
  const all = await listCaseEvidence(db, ctx.merchantId, caseId, { includeSensitive: true })
  const visible = seesSensitive(ctx)
    ? all
    : await listCaseEvidence(db, ctx.merchantId, caseId, { includeSensitive: false })
  return { all, visible }
}

export async function listEvidenceRequests(
  db: Db,
  ctx: ServiceContext,
  caseId: string,
  now: Date,
): Promise<RequestView[]> {
  await findCaseOrThrow(db, ctx.merchantId, caseId)
  const rows = await store.listCaseRequests(db, ctx.merchantId, caseId)
  const { all, visible } = await caseEvidence(db, ctx, caseId)
  const links = new Map((await listLinksOf(db, ctx.merchantId, 'case', caseId, now)).map((l) => [l.id, l.state]))
  return rows.map((r) => toRequestView(r, links.get(r.link_id) ?? 'revoked', all, visible))
}

/** Cancels an open or overdue request: its link is revoked and its clock stopped. */
export async function cancelEvidenceRequest(trx: Trx, ctx: ServiceContext, requestId: string, now: Date) {
  const row = await store.lockRequest(trx, ctx.merchantId, requestId)
  if (!row) throw new AppError('evidence_request_not_found', 'No such evidence request', { request_id: requestId })
  if (row.status === 'completed' || row.status === 'cancelled')
    throw new AppError('evidence_request_closed', `This evidence request is ${row.status}`, {
      request_id: row.id,
      status: row.status,
    })
  const after = await store.updateRequest(trx, ctx.merchantId, row.id, {
    status: 'cancelled',
    cancelled_at: now,
    cancelled_by: ctx.actor.id,
  })
  // The row's foreign key keeps its link.
  await revokeLink(trx, ctx, row.link_id, now)
  const keys = clockKeys(row.id)
  await cancelActions(trx, ctx.merchantId, [keys.reminder, keys.overdue])
  await recordCaseActivity(
    trx,
    ctx,
    row.case_id,
    {
      action: 'evidence.request_cancelled',
      timeline: [
        { type: 'evidence_request_cancelled', data: { request_id: row.id }, text: 'Evidence request cancelled' },
      ],
      events: [{ type: 'evidence.request_cancelled', data: { case_id: row.case_id, request_id: row.id } }],
    },
    now,
  )
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'evidence_request.cancelled',
      entityType: 'evidence_request',
      entityId: row.id,
      before: { status: row.status },
      after: { status: 'cancelled' },
    },
    now,
  )
  const { all, visible } = await caseEvidence(trx, ctx, row.case_id)
  return toRequestView(after, 'revoked', all, visible)
}
