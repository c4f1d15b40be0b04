import type { Transaction, Updateable } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import type { Database } from '../../db/schema.js'
import type { CaseRow } from '../store/cases.js'
import { AppError } from '../../errors.js'
import { assertTransition, isResolved } from '../lifecycle.js'
import type { CaseStatus, TimelineVisibility } from '../tables.js'
import { type Case, toCase } from '../types.js'
import { applyChange, lockWorkingCase, type OwnEvent } from './change.js'

export type CaseActivity = {
  /** The audit action, `<module>.<verb>` (message.recorded, sla.breached, …) */
  action: string
  patch?: {
    /** A working status (open, waiting_customer, …): resolving and reopening have their own services */
    status?: CaseStatus
    /** Set once: ignored when the case already has one */
    first_response_at?: Date
    /** The whole set of tags */
    tags?: string[]
    /** The SLA module's summary of the case's clocks, and the tier of its policy */
    sla_tier?: string | null
    sla_next_due_at?: Date | null
    sla_state?: 'active' | 'paused' | 'met' | 'breached' | null
    /** The evidence module's count of the case's classified items */
    evidence_count?: number
    /** The case type's required evidence types the case lacks */
    missing_evidence?: string[]
  }
  timeline?: {
    type: string
    data?: Record<string, unknown>
    text?: string
    visibility?: TimelineVisibility
    dedupKey?: string
  }[]
  /** The calling module's own typed events; their subject is the case unless given */
  events?: OwnEvent[]
  /** false when this is not someone working the case (a new `new` case stays new) */
  acts?: boolean
}

/**
 * The public way for any module to change a case together with its own timeline entries and events:
 * one path (applyChange) for the row, the audit entry, case.updated and the live feed, in the caller's
 * transaction. Values equal to the case's are no change.
 */
export async function recordCaseActivity(
  trx: Transaction<Database>,
  ctx: ServiceContext,
  caseId: string,
  activity: CaseActivity,
  now: Date,
  /** The case as the caller locked it in this transaction (lockCaseOrThrow), not read again */
  locked?: CaseRow,
): Promise<Case> {
  const row = await lockWorkingCase(trx, ctx.merchantId, caseId, locked)
  const p = activity.patch ?? {}
  const patch: Updateable<Database['cases']> = {}
  const timeline = [...(activity.timeline ?? [])]
  if (p.status !== undefined && p.status !== row.status) {
    if (p.status === 'resolved' || p.status === 'closed' || isResolved(row.status))
      throw new AppError(
        'case_transition_invalid',
        `Use the status service to move a ${row.status} case to ${p.status}`,
        {
          case_id: row.id,
          status: row.status,
          requested: p.status,
        },
      )
    assertTransition(row.id, row.status, p.status)
    patch.status = p.status
    timeline.unshift({ type: 'status_changed', data: { from: row.status, to: p.status }, text: `Status ${p.status}` })
  }
  if (p.first_response_at && !row.first_response_at) patch.first_response_at = p.first_response_at
  if (p.tags) patch.tags = [...new Set(p.tags)].sort()
  if (p.sla_tier !== undefined) patch.sla_tier = p.sla_tier
  if (p.sla_next_due_at !== undefined) patch.sla_next_due_at = p.sla_next_due_at
  if (p.sla_state !== undefined) patch.sla_state = p.sla_state
  if (p.evidence_count !== undefined) patch.evidence_count = p.evidence_count
  if (p.missing_evidence !== undefined) patch.missing_evidence = p.missing_evidence
  const after = await applyChange(
    trx,
    ctx,
    row,
    { action: activity.action, patch, timeline, ownEvents: activity.events, acts: activity.acts },
    now,
  )
  return toCase(after)
}
