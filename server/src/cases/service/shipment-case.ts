import type { Transaction } from 'kysely'
import { auditActor, type ServiceContext } from '../../auth/actor.js'
import type { Database } from '../../db/schema.js'
import * as caseStore from '../store/cases.js'
import type { CaseRow, Db } from '../store/cases.js'
import * as timelineStore from '../store/timeline.js'
import type { Priority } from '../tables.js'
import { applyChange } from './change.js'
import { openCase } from './open-case.js'
import { appendTimelineEntry } from './timeline.js'

type Trx = Transaction<Database>

/** A carrier signal as it reaches a case; its key (the event id) is the timeline entry's dedup key. */
export type CarrierSignal = { key: string; data: Record<string, unknown>; text: string; at: Date }

/** The signal on a case's timeline, once: the entry's id, or null when a redelivery finds it there. */
export function appendCarrierEvent(trx: Trx, ctx: ServiceContext, caseId: string, signal: CarrierSignal, now: Date) {
  return appendTimelineEntry(
    trx,
    ctx.merchantId,
    {
      caseId,
      type: 'carrier_event',
      actor: auditActor(ctx.actor),
      occurredAt: signal.at,
      data: signal.data,
      text: signal.text,
      dedupKey: signal.key,
    },
    now,
  )
}

export type ShipmentCaseInput = {
  caseType: string
  priority?: Priority
  /** exception_policy, rule, … */
  source: string
  /** carrier (the default): a carrier signal opened it */
  channel?: string
  subject?: string
}

export type ShipmentCaseOutcome =
  | { outcome: 'opened' | 'updated'; case: CaseRow }
  /** The signal is on the case already (a redelivery, or the exception policy and a rule hearing one event) */
  | { outcome: 'unchanged'; case: CaseRow | null }

/**
 * Opens a case of the type for a shipment, or, when an unresolved case of that type exists, puts the signal on it
 * instead: the exception policy and the rules' create_case both come here, so one signal never opens two cases.
 * The shipment's key is locked first (two events never open twins), and the entry's dedup key (the event id) makes
 * a redelivered event a no-op. `unresolved`: the shipment's unresolved cases, when the caller holds them locked.
 */
export async function openOrUpdateShipmentCase(
  trx: Trx,
  ctx: ServiceContext,
  shipmentId: string,
  input: ShipmentCaseInput,
  signal: CarrierSignal,
  now: Date,
  unresolved?: CaseRow[],
): Promise<ShipmentCaseOutcome> {
  await caseStore.lockShipmentKey(trx, ctx.merchantId, shipmentId)
  const existing = (
    unresolved ?? (await caseStore.lockUnresolvedForShipment(trx, ctx.merchantId, shipmentId, input.caseType))
  ).find((c) => c.type_key === input.caseType)
  if (existing) {
    if (!(await appendCarrierEvent(trx, ctx, existing.id, signal, now))) return { outcome: 'unchanged', case: existing }
    const after = await applyChange(
      trx,
      ctx,
      existing,
      { action: 'case.carrier_updated', acts: false, patch: {}, timeline: [] },
      now,
    )
    return { outcome: 'updated', case: after }
  }
  // Events are delivered at least once: one that opened a case of the type since resolved must not open another (a
  // case of another type it reached, the policy's Undeliverable beside a rule's Lost Parcel, does not count).
  if (await timelineStore.shipmentCaseHasEntry(trx, ctx.merchantId, shipmentId, input.caseType, signal.key))
    return { outcome: 'unchanged', case: null }
  const opened = await openCase(
    trx,
    ctx,
    {
      caseType: input.caseType,
      priority: input.priority,
      subject: input.subject,
      channel: input.channel ?? 'carrier',
      source: input.source,
      shipmentId,
      entries: [
        { type: 'carrier_event', data: signal.data, text: signal.text, dedupKey: signal.key, occurredAt: signal.at },
      ],
    },
    now,
  )
  return { outcome: 'opened', case: opened }
}

/** The shipment's unresolved cases, oldest first: the cases a shipment's events reach. */
export async function listUnresolvedShipmentCaseIds(db: Db, merchantId: string, shipmentId: string): Promise<string[]> {
  return (await caseStore.listUnresolvedForShipment(db, merchantId, shipmentId)).map((c) => c.id)
}

/** A page of the workspace's unresolved cases (id and shipment), after `after` by id. */
export const listUnresolvedCaseRefs = caseStore.listUnresolvedRefs
