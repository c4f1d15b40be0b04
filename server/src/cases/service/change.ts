import type { Transaction, Updateable } from 'kysely'
import { recordAudit } from '../../audit/service.js'
import { auditActor, type ServiceContext } from '../../auth/actor.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import type { DomainEvents, EventType, NewEvent } from '../../jobs/events.js'
import { enqueueEvent } from '../../jobs/outbox.js'
import { publishLive } from '../../live/publish.js'
import type { CaseChangeEvent, CaseChangeMessage } from '../events.js'
import * as caseStore from '../store/cases.js'
import type { CaseRow } from '../store/cases.js'
import { caseNumber } from '../types.js'
import { announceTimelineEntries, insertTimelineEntries, type NewTimelineEntry, searchTexts } from './timeline.js'

type Trx = Transaction<Database>

/** The case, locked until commit: hand it to the service that changes it (`locked`) to save reading it again. */
export async function lockCaseOrThrow(trx: Trx, merchantId: string, id: string): Promise<CaseRow> {
  const row = await caseStore.lockCase(trx, merchantId, id)
  if (!row) throw new AppError('case_not_found', 'No such case', { case_id: id })
  return row
}

/** A case merged into another is read-only: work goes to the survivor. */
export async function lockWorkingCase(trx: Trx, merchantId: string, id: string, locked?: CaseRow): Promise<CaseRow> {
  const row = locked ?? (await lockCaseOrThrow(trx, merchantId, id))
  if (row.merged_into_id)
    throw new AppError('case_merged', 'This case was merged into another', {
      case_id: row.id,
      merged_into_id: row.merged_into_id,
    })
  return row
}

// What the audit trail records of a case: its working fields, not derived ones (in the order the trail sorts them).
const auditedColumns = [
  'assignee_id',
  'checklist',
  'custom_fields',
  'escalation_level',
  'escalation_reason',
  'fault_party',
  'merged_into_id',
  'parent_id',
  'priority',
  'refund_authorised_by',
  'resolution_code',
  'resolution_note',
  'root_cause',
  'sla_tier',
  'status',
  'subject',
  'tags',
  'team_id',
  'value_amount_minor',
  'value_currency',
] as const satisfies readonly (keyof CaseRow)[]

export const auditView = (r: CaseRow) => ({
  number: caseNumber(r.number),
  case_type: r.type_key,
  ...Object.fromEntries(auditedColumns.map((c) => [c, r[c]])),
})

/** An event of the caller's own module (message.received, …), written as given; its subject is the case unless named. */
export type OwnEvent = { [T in EventType]: { type: T; data: DomainEvents[T]; subjectId?: string | null } }[EventType]

export type Change = {
  action: string
  patch: Updateable<Database['cases']>
  timeline: Omit<NewTimelineEntry, 'caseId' | 'actor' | 'occurredAt'>[]
  /** Domain events besides case.updated, e.g. case.resolved */
  events?: CaseChangeEvent[]
  /** Events of the calling module, in the same transaction (recordCaseActivity) */
  ownEvents?: OwnEvent[]
  /** false for changes that are not someone working the case (e.g. a carrier scan appended) */
  acts?: boolean
}

const sameValue = (was: unknown, now: unknown): boolean => {
  if (was instanceof Date && now instanceof Date) return was.getTime() === now.getTime()
  // JSON columns are written as text and read as values.
  if (typeof now === 'string' && was !== null && typeof was === 'object') return JSON.stringify(was) === now
  if (Array.isArray(was) && Array.isArray(now)) return JSON.stringify(was) === JSON.stringify(now)
  return was === now
}

/** The columns a patch really changes: a value equal to the row's is no change. */
function effectivePatch(before: CaseRow, patch: Updateable<Database['cases']>): Updateable<Database['cases']> {
  return Object.fromEntries(
    Object.entries(patch).filter(([k, v]) => v !== undefined && !sameValue(before[k as keyof CaseRow], v)),
  )
}

/**
 * Every change to a case goes through here: the row, the audit entry, the timeline entries and
 * the domain events commit together. The first act on a `new` case opens it. A change that changes
 * no column writes no audit entry and announces no case.updated; its timeline entries and other
 * events still land.
 */
export async function applyChange(
  trx: Trx,
  ctx: ServiceContext,
  before: CaseRow,
  change: Change,
  now: Date,
): Promise<CaseRow> {
  const actor = auditActor(ctx.actor)
  const patch = effectivePatch(before, change.patch)
  const timeline = [...change.timeline]
  // An automation rule's change is not someone working the case: a new case stays new for a person to pick up.
  if ((change.acts ?? ctx.actor.type !== 'rule') && before.status === 'new' && patch.status === undefined) {
    patch.status = 'open'
    timeline.unshift({ type: 'status_changed', data: { from: 'new', to: 'open' }, text: 'Opened' })
  }
  if (patch.status && patch.status !== 'new' && !before.first_acted_at) patch.first_acted_at = now
  const changed = Object.keys(patch).filter((k) => k !== 'first_acted_at')
  // The entries first, so the case's search document grows in the same row version as the change (one update).
  const landed = await insertTimelineEntries(
    trx,
    before.merchant_id,
    timeline.map((t) => ({ ...t, caseId: before.id, actor, occurredAt: now })),
    now,
  )
  const after = await caseStore.updateCase(
    trx,
    before.merchant_id,
    before.id,
    { ...patch, updated_at: now },
    searchTexts(landed).get(before.id),
  )
  if (changed.length)
    await recordAudit(
      trx,
      {
        merchantId: before.merchant_id,
        actor,
        action: change.action,
        entityType: 'case',
        entityId: before.id,
        before: auditView(before),
        after: auditView(after),
        requestId: ctx.requestId,
      },
      now,
    )
  await announceTimelineEntries(trx, before.merchant_id, landed)
  const events: CaseChangeEvent[] = [
    ...(changed.length ? [{ type: 'case.updated' as const, data: { changes: changed } }] : []),
    ...(change.events ?? []),
  ]
  // Each payload is the case summary and the event's own fields (cases/events.ts): a pairing TypeScript does not follow.
  const messages = events.map(
    (e) =>
      ({
        type: e.type,
        data: {
          case_id: before.id,
          number: caseNumber(after.number),
          case_type: after.type_key,
          status: after.status,
          priority: after.priority,
          assignee_id: after.assignee_id,
          team_id: after.team_id,
          ...e.data,
        },
      }) as CaseChangeMessage,
  )
  for (const m of messages)
    await enqueueEvent(trx, { merchant_id: before.merchant_id, subject_id: before.id, occurred_at: now, ...m })
  for (const e of change.ownEvents ?? [])
    await enqueueEvent(trx, {
      merchant_id: before.merchant_id,
      subject_id: e.subjectId === undefined ? before.id : e.subjectId,
      occurred_at: now,
      type: e.type,
      data: e.data,
    } as NewEvent)
  await publishLive(trx, [
    ...messages.map((m) => ({ merchant_id: before.merchant_id, ...m })),
    ...(change.ownEvents ?? []).map((e) => ({
      merchant_id: before.merchant_id,
      type: e.type,
      data: e.data as Record<string, unknown>,
    })),
  ])
  return after
}
