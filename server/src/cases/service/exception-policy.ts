import type { Transaction } from 'kysely'
import { systemContext, type ServiceContext } from '../../auth/actor.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import { newId } from '../../ids.js'
import { findAction, scheduleAction, type ScheduleInput } from '../../jobs/clock.js'
import type { DomainEvent } from '../../jobs/events.js'
import { getTrackingState } from '../../shipments/tracking.js'
import { finalStatuses, type TrackingStatus } from '../../carriers/model.js'
import type { ExceptionPolicy, PolicyRule } from '../defaults.js'
import * as caseStore from '../store/cases.js'
import type { CaseRow, Db } from '../store/cases.js'
import * as followerStore from '../store/followers.js'
import * as reviewStore from '../store/reviews.js'
import { caseNumber, toReview, type Review } from '../types.js'
import { notifyUsers } from './notifications.js'
import { openCase } from './open-case.js'
import { getCaseSettings } from './case-settings.js'
import { appendCarrierEvent, type CarrierSignal, openOrUpdateShipmentCase } from './shipment-case.js'
import { changeStatus } from './work-case.js'

type Trx = Transaction<Database>

// The exception policy acts as the system: audit entries and timeline entries say { type: 'system', id: null }.
const policyContext = (merchantId: string): ServiceContext => systemContext(merchantId, 'exception policy')
export const watchTask = 'cases:watch'
export const lostTask = 'cases:lost-check'

type StatusData = {
  shipment_id: string
  status: string
  sub_status?: string | null
  previous_status?: string | null
  carrier?: string | null
  carrier_name?: string | null
  tracking_number?: string | null
  confidence?: string
  review_reasons?: string[]
  status_at?: string | null
}

const describe = (d: StatusData) =>
  `${d.carrier_name ?? d.carrier ?? 'Carrier'}: ${d.status.replace(/_/g, ' ')}${d.sub_status ? ` (${d.sub_status.replace(/_/g, ' ')})` : ''}${d.tracking_number ? ` ${d.tracking_number}` : ''}`

function watchHours(rule: PolicyRule, carrier: string | null | undefined): number {
  return (
    (carrier && rule.carrier_watch_hours[carrier] !== undefined
      ? rule.carrier_watch_hours[carrier]
      : rule.watch_hours) ?? 0
  )
}

const ruleFor = (policy: ExceptionPolicy, trigger: string) => policy.rules.find((r) => r.enabled && r.on === trigger)

const statusTrigger = (d: StatusData, eventId: string, at: Date): CarrierSignal => ({
  key: eventId,
  data: { ...d },
  text: describe(d),
  at,
})

const statusAt = (event: DomainEvent<'shipment.status_changed'>) =>
  event.data.status_at ? new Date(event.data.status_at) : new Date(event.occurred_at)

/** A status change as it lands on a case: the policy's entry, which a rule's create_case for the event shares. */
export const statusSignal = (event: DomainEvent<'shipment.status_changed'>): CarrierSignal =>
  statusTrigger(event.data, event.id, statusAt(event))

/** The rule's case for a shipment, opened, or updated with the event when one of its type is unresolved. */
async function openOrUpdate(
  trx: Trx,
  merchantId: string,
  rule: PolicyRule,
  shipmentId: string,
  trigger: CarrierSignal,
  now: Date,
  unresolved?: CaseRow[],
): Promise<void> {
  const input = { caseType: rule.case_type, priority: rule.priority ?? undefined, source: 'exception_policy' }
  await openOrUpdateShipmentCase(trx, policyContext(merchantId), shipmentId, input, trigger, now, unresolved)
}

/** A parcel delivered after all: each unresolved case about it hears so, and goes back to review or is resolved. */
async function answerDelivery(
  trx: Trx,
  merchantId: string,
  d: StatusData,
  eventId: string,
  at: Date,
  onDelivered: 'review' | 'resolve',
  now: Date,
) {
  const ctx = policyContext(merchantId)
  const trigger = statusTrigger(d, eventId, at)
  for (const c of await caseStore.lockUnresolvedForShipment(trx, merchantId, d.shipment_id)) {
    if (!(await appendCarrierEvent(trx, ctx, c.id, trigger, now))) continue
    if (onDelivered === 'resolve') {
      await changeStatus(
        trx,
        ctx,
        c.id,
        {
          status: 'resolved',
          resolutionCode: 'no_action',
          resolutionNote: 'Delivered by the carrier',
          reason: 'delivered',
        },
        now,
      )
    } else {
      if (c.status !== 'new' && c.status !== 'open')
        await changeStatus(trx, ctx, c.id, { status: 'open', reason: 'delivered' }, now)
      const followers = await followerStore.listFollowers(trx, merchantId, c.id)
      await notifyUsers(
        trx,
        merchantId,
        c.assignee_id ? [...followers, c.assignee_id] : followers,
        { caseId: c.id, cause: 'delivered', title: `${caseNumber(c.number)}: the parcel was delivered; please review` },
        now,
      )
    }
  }
}

export async function onShipmentStatusChanged(
  trx: Trx,
  event: DomainEvent<'shipment.status_changed'>,
  now: Date,
): Promise<void> {
  const d: StatusData = event.data
  const merchantId = event.merchant_id
  await caseStore.lockShipmentKey(trx, merchantId, d.shipment_id)
  const { exception_policy: policy } = await getCaseSettings(trx, merchantId)
  const at = statusAt(event)
  if (d.status === 'delivered') return answerDelivery(trx, merchantId, d, event.id, at, policy.on_delivered, now)
  const rule = ruleFor(policy, d.status)
  const review = rule && d.confidence === 'low' && policy.review_low_confidence
  const hours = rule ? watchHours(rule, d.carrier) : 0
  const actsNow = rule && !review && hours === 0 ? rule : undefined
  const unresolved = await caseStore.lockUnresolvedForShipment(trx, merchantId, d.shipment_id)
  // Scans of a shipment with open cases land on their timelines, whatever the policy says; the
  // case of the rule acting now gets its entry (and its update) from openOrUpdate.
  const ctx = policyContext(merchantId)
  const trigger = statusTrigger(d, event.id, at)
  for (const c of unresolved.filter((u) => u.type_key !== actsNow?.case_type))
    await appendCarrierEvent(trx, ctx, c.id, trigger, now)
  if (actsNow) {
    await openOrUpdate(trx, merchantId, actsNow, d.shipment_id, trigger, now, unresolved)
  } else if (rule && review) {
    await reviewStore.insertReview(trx, {
      merchant_id: merchantId,
      id: newId(),
      shipment_id: d.shipment_id,
      status: d.status,
      case_type_key: rule.case_type,
      reasons: JSON.stringify(d.review_reasons ?? []),
      event: JSON.stringify({ ...d, event_id: event.id }),
      case_id: null,
      decided_by: null,
      decided_at: null,
      created_at: at,
    })
  } else if (rule) {
    // One watch per shipment and status: a new episode of the status (its own event) moves a pending
    // watch or arms the key again once an earlier episode's fired. The same event delivered again, or
    // an older one arriving late, arms nothing.
    const key = `case-watch:${d.shipment_id}:${d.status}`
    const last = await findAction(trx, merchantId, key)
    const lastAt = last?.payload.status_at ? Date.parse(String(last.payload.status_at)) : undefined
    if (last?.payload.event_id === event.id || (lastAt !== undefined && d.status_at && lastAt > at.getTime())) return
    await scheduleAction(
      trx,
      {
        merchantId,
        key,
        task: watchTask,
        runAt: new Date(at.getTime() + hours * 3_600_000),
        payload: { ...d, event_id: event.id, hours },
      },
      now,
    )
  }
}

/** Arms a key whose episode is in the key itself once: an event delivered again finds it armed already. */
async function scheduleOnce(trx: Trx, input: ScheduleInput, now: Date): Promise<void> {
  if (!(await findAction(trx, input.merchantId, input.key))) await scheduleAction(trx, input, now)
}

/** The watch window ended: open the case only if the shipment still stands where it did. */
export async function fireWatch(
  trx: Trx,
  merchantId: string,
  payload: Record<string, unknown>,
  now: Date,
): Promise<void> {
  const d = payload as StatusData & { event_id: string; hours: number }
  await caseStore.lockShipmentKey(trx, merchantId, d.shipment_id)
  const state = await getTrackingState(trx, merchantId, d.shipment_id)
  if (!state || state.tracking_status !== d.status) return
  const { exception_policy: policy } = await getCaseSettings(trx, merchantId)
  const rule = ruleFor(policy, d.status)
  if (!rule) return
  await openOrUpdate(
    trx,
    merchantId,
    rule,
    d.shipment_id,
    {
      key: d.event_id,
      data: { ...d, watched_hours: d.hours },
      text: `${describe(d)}, not cleared after ${d.hours} h`,
      at: now,
    },
    now,
  )
}

/** shipment.late opens Late Delivery; shipment.stale starts the lost-parcel clock. */
export async function onShipmentOverdue(
  trx: Trx,
  event: DomainEvent<'shipment.late' | 'shipment.stale'>,
  now: Date,
): Promise<void> {
  const d = event.data
  const merchantId = event.merchant_id
  await caseStore.lockShipmentKey(trx, merchantId, d.shipment_id)
  const { exception_policy: policy } = await getCaseSettings(trx, merchantId)
  if (event.type === 'shipment.late') {
    const rule = ruleFor(policy, 'late')
    if (!rule) return
    const text = `Late: due ${d.due_at?.slice(0, 10) ?? 'earlier'}${d.tracking_number ? `, ${d.tracking_number}` : ''}`
    const hours = watchHours(rule, d.carrier_code)
    if (hours > 0) {
      await scheduleOnce(
        trx,
        {
          merchantId,
          key: `case-watch:${d.shipment_id}:late:${d.due_at}`,
          task: watchTask,
          runAt: new Date(now.getTime() + hours * 3_600_000),
          payload: {
            shipment_id: d.shipment_id,
            status: 'late',
            event_id: event.id,
            hours,
            tracking_number: d.tracking_number,
            carrier: d.carrier_code,
          },
        },
        now,
      )
      return
    }
    await openOrUpdate(
      trx,
      merchantId,
      rule,
      d.shipment_id,
      { key: event.id, data: { ...d, status: 'late' }, text, at: new Date(event.occurred_at) },
      now,
    )
    return
  }
  const rule = ruleFor(policy, 'lost_no_scan')
  const since = d.last_tracking_event_at ?? d.shipped_at
  if (!rule || !since) return
  const days = (d.carrier_code ? policy.carrier_lost_after_days[d.carrier_code] : undefined) ?? policy.lost_after_days
  await scheduleOnce(
    trx,
    {
      merchantId,
      key: `case-lost:${d.shipment_id}:${since}`,
      task: lostTask,
      runAt: new Date(Math.max(new Date(since).getTime() + days * 86_400_000, now.getTime())),
      payload: {
        shipment_id: d.shipment_id,
        since,
        days,
        event_id: event.id,
        tracking_number: d.tracking_number,
        carrier: d.carrier_code,
      },
    },
    now,
  )
}

/** N days without a scan: lost, unless a scan came or the parcel reached an end meanwhile. */
export async function fireLostCheck(
  trx: Trx,
  merchantId: string,
  payload: Record<string, unknown>,
  now: Date,
): Promise<void> {
  const d = payload as {
    shipment_id: string
    since: string
    days: number
    event_id: string
    tracking_number: string | null
    carrier: string | null
  }
  await caseStore.lockShipmentKey(trx, merchantId, d.shipment_id)
  const state = await getTrackingState(trx, merchantId, d.shipment_id)
  if (!state || finalStatuses.has(state.tracking_status as TrackingStatus) || state.status === 'delivered') return
  const last = state.last_tracking_event_at ?? state.shipped_at
  if (last && last.getTime() > new Date(d.since).getTime()) return
  const { exception_policy: policy } = await getCaseSettings(trx, merchantId)
  const rule = ruleFor(policy, 'lost_no_scan')
  if (!rule) return
  await openOrUpdate(
    trx,
    merchantId,
    rule,
    d.shipment_id,
    {
      key: `lost:${d.event_id}`,
      data: { ...d, status: 'lost_no_scan' },
      text: `No carrier scan for ${d.days} days${d.tracking_number ? `: ${d.tracking_number}` : ''}`,
      at: now,
    },
    now,
  )
}

export async function listReviews(
  db: Db,
  merchantId: string,
  f: { state?: string; after?: string; limit: number },
): Promise<Review[]> {
  return (await reviewStore.listReviews(db, merchantId, f)).map(toReview)
}

/** A person decides a low-confidence signal: open a case from it (the rule's type unless told), or dismiss it. */
export async function decideReview(
  trx: Trx,
  ctx: ServiceContext,
  id: string,
  decision: { open: boolean; caseType?: string },
  now: Date,
): Promise<Review> {
  const review = await reviewStore.lockReview(trx, ctx.merchantId, id)
  if (!review) throw new AppError('review_not_found', 'No such review', { review_id: id })
  if (review.state !== 'pending')
    throw new AppError('review_not_pending', 'This review was decided already', {
      review_id: id,
      state: review.state,
    })
  let caseId: string | null = null
  if (decision.open) {
    const caseType = decision.caseType ?? review.case_type_key ?? 'other'
    const event = review.event as StatusData
    const c = await openCase(
      trx,
      ctx,
      {
        caseType,
        channel: 'carrier',
        source: 'exception_review',
        shipmentId: review.shipment_id,
        entries: [
          {
            type: 'review_opened',
            occurredAt: review.created_at,
            data: { review_id: review.id, reasons: review.reasons, status: review.status },
            text: describe(event),
          },
        ],
      },
      now,
    )
    caseId = c.id
  }
  return toReview(
    await reviewStore.updateReview(trx, ctx.merchantId, id, {
      state: decision.open ? 'opened' : 'dismissed',
      case_id: caseId,
      decided_by: ctx.actor.id,
      decided_at: now,
    }),
  )
}
