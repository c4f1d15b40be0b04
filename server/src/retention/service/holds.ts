import { auditActor, type ServiceContext } from '../../auth/actor.js'
import {
  appendTimelineEntries,
  caseRetentionFacts,
  findCaseOrThrow,
  listCaseIdsOfCustomer,
} from '../../cases/service.js'
import { recordAuditFor } from '../../changes.js'
import type { Db, Trx } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import { isUuid, newId } from '../../ids.js'
import * as store from '../store.js'
import type { HoldSubject } from '../tables.js'
import { eraseDeferredCustomers } from './erasure.js'

export type Hold = {
  id: string
  subject_type: HoldSubject
  subject_id: string
  reason: string
  placed_by: string
  placed_at: Date
  released_by: string | null
  released_at: Date | null
  release_reason: string | null
  active: boolean
}

export const toHold = (r: store.HoldRow): Hold => ({
  id: r.id,
  subject_type: r.subject_type,
  subject_id: r.subject_id,
  reason: r.reason,
  placed_by: r.placed_by,
  placed_at: r.placed_at,
  released_by: r.released_by,
  released_at: r.released_at,
  release_reason: r.release_reason,
  active: r.released_at === null,
})

// The reasons may name people (a litigant, a police case): the audit trail keeps their hash only.
const personal = ['reason', 'release_reason'] as const
export const holdTimeline = ['legal_hold_placed', 'legal_hold_released'] as const

const actorName = (ctx: ServiceContext) => ctx.actor.id ?? ctx.actor.type

/** The subject's own cases (a case, or every case of a customer): where the hold shows on the timeline. */
async function casesOf(db: Db, merchantId: string, subjectType: HoldSubject, subjectId: string): Promise<string[]> {
  if (!isUuid(subjectId)) throw subjectNotFound(subjectType, subjectId)
  if (subjectType === 'case') return [(await findCaseOrThrow(db, merchantId, subjectId)).id]
  return (await listCaseIdsOfCustomer(db, merchantId, subjectId)).own
}

const subjectNotFound = (type: HoldSubject, id: string) =>
  type === 'case'
    ? new AppError('case_not_found', 'No such case', { case_id: id })
    : new AppError('customer_not_found', 'No such customer', { customer_id: id })

async function onTimeline(
  trx: Trx,
  ctx: ServiceContext,
  caseIds: string[],
  type: (typeof holdTimeline)[number],
  hold: store.HoldRow,
  now: Date,
) {
  const data = {
    hold_id: hold.id,
    subject_type: hold.subject_type,
    subject_id: hold.subject_id,
    reason: type === 'legal_hold_placed' ? hold.reason : hold.release_reason,
  }
  await appendTimelineEntries(
    trx,
    ctx.merchantId,
    caseIds.map((caseId) => ({ caseId, type, actor: auditActor(ctx.actor), occurredAt: now, data })),
    now,
  )
}

/** Places a legal hold: the case (or the customer and every case of theirs) is kept from purge and erasure. */
export async function placeHold(
  trx: Trx,
  ctx: ServiceContext,
  input: { subjectType: HoldSubject; subjectId: string; reason: string },
  now: Date,
): Promise<Hold> {
  const caseIds = await casesOf(trx, ctx.merchantId, input.subjectType, input.subjectId)
  const row = await store.insertHold(trx, {
    merchant_id: ctx.merchantId,
    id: newId(),
    subject_type: input.subjectType,
    subject_id: input.subjectId,
    reason: input.reason,
    placed_by: actorName(ctx),
    placed_at: now,
  })
  const after = { subject_type: row.subject_type, subject_id: row.subject_id, reason: row.reason }
  await recordAuditFor(
    trx,
    ctx,
    { action: 'legal_hold.placed', entityType: 'legal_hold', entityId: row.id, after, personal },
    now,
  )
  await onTimeline(trx, ctx, caseIds, 'legal_hold_placed', row, now)
  return toHold(row)
}

/**
 * Releases a hold. An erasure Shopify asked for while the customer was held is carried out now, when no other hold
 * keeps them.
 */
export async function releaseHold(trx: Trx, ctx: ServiceContext, id: string, reason: string, now: Date) {
  const row = isUuid(id) ? await store.lockHold(trx, ctx.merchantId, id) : undefined
  if (!row) throw new AppError('hold_not_found', 'No such legal hold', { hold_id: id })
  if (row.released_at) throw new AppError('hold_released', 'This legal hold was released already', { hold_id: id })
  const released = await store.updateHold(trx, ctx.merchantId, id, {
    released_by: actorName(ctx),
    released_at: now,
    release_reason: reason,
  })
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'legal_hold.released',
      entityType: 'legal_hold',
      entityId: id,
      before: { released_at: null },
      after: { released_at: now, release_reason: reason },
      personal,
    },
    now,
  )
  const caseIds = await casesOf(trx, ctx.merchantId, row.subject_type, row.subject_id).catch((err: unknown) => {
    if (err instanceof AppError && err.status === 404) return []
    throw err
  })
  await onTimeline(trx, ctx, caseIds, 'legal_hold_released', released, now)
  const customers =
    row.subject_type === 'customer'
      ? [row.subject_id]
      : [...(await caseRetentionFacts(trx, ctx.merchantId, [row.subject_id])).values()].flatMap((f) =>
          f.customerId ? [f.customerId] : [],
        )
  await eraseDeferredCustomers(trx, ctx.merchantId, customers, now)
  return toHold(released)
}

export async function listHolds(
  db: Db,
  merchantId: string,
  f: { subjectType?: HoldSubject; subjectId?: string; active?: boolean; after?: string; limit: number },
): Promise<Hold[]> {
  if (f.subjectId && !isUuid(f.subjectId)) return []
  return (await store.listHolds(db, merchantId, f)).map(toHold)
}
