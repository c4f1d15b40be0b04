import type { ServiceContext } from '../../auth/actor.js'
import type { Db } from '../../db/database.js'
import { AppError } from '../../errors.js'
import { isResolved } from '../lifecycle.js'
import * as caseStore from '../store/cases.js'
import type { CaseRow } from '../store/cases.js'
import type { CaseStatus, Priority, ResolutionCode, RootCause } from '../tables.js'
import { findCaseOrThrow } from './find-cases.js'
import { assignCase, addNote, changeStatus, escalateCase, updateCase } from './work-case.js'

export type BulkAction =
  | { type: 'assign'; assignee_id: string | null; team_id?: string | null }
  | {
      type: 'status'
      status: CaseStatus
      resolution_code?: ResolutionCode
      resolution_note?: string
      root_cause?: RootCause
    }
  | { type: 'tags'; add?: string[]; remove?: string[] }
  | { type: 'priority'; priority: Priority }
  | { type: 'note'; body: string }
  | { type: 'escalate'; reason: string }

export type BulkItem =
  | { id: string; ok: true; case: CaseRow }
  | { id: string; ok: false; error: { code: string; message: string; details?: unknown } }

async function applyOne(db: Db, ctx: ServiceContext, id: string, a: BulkAction, now: Date): Promise<CaseRow> {
  return db.transaction().execute(async (trx) => {
    switch (a.type) {
      case 'assign':
        return assignCase(trx, ctx, id, { assigneeId: a.assignee_id, teamId: a.team_id, how: 'bulk' }, now)
      case 'status':
        return changeStatus(
          trx,
          ctx,
          id,
          {
            status: a.status,
            resolutionCode: a.resolution_code,
            resolutionNote: a.resolution_note,
            rootCause: a.root_cause,
          },
          now,
        )
      case 'tags':
        return updateCase(trx, ctx, id, { addTags: a.add, removeTags: a.remove }, now)
      case 'priority':
        return updateCase(trx, ctx, id, { priority: a.priority }, now)
      case 'note':
        return (await addNote(trx, ctx, id, { body: a.body }, now)).row
      case 'escalate':
        return escalateCase(trx, ctx, id, { reason: a.reason }, now)
    }
  })
}

/**
 * One action on many cases, each case in its own transaction: what can be done is done, and every
 * case gets its own result (the error it met, as the single-case action would have answered). Unknown
 * ids refuse the whole request.
 */
export async function bulkUpdate(
  db: Db,
  ctx: ServiceContext,
  ids: string[],
  action: BulkAction,
  now: Date,
): Promise<{ results: BulkItem[]; succeeded: number; failed: number }> {
  const unique = [...new Set(ids)]
  // Ids this workspace does not have are a bad request, not a partial success.
  const found = await caseStore.existingCaseIds(db, ctx.merchantId, unique)
  const missing = unique.filter((id) => !found.has(id))
  if (missing.length) throw new AppError('case_not_found', 'No such cases', { case_ids: missing })
  const results: BulkItem[] = []
  for (const id of unique) {
    try {
      results.push({ id, ok: true, case: await applyOne(db, ctx, id, action, now) })
    } catch (e) {
      if (!(e instanceof AppError)) throw e
      results.push({ id, ok: false, error: { code: e.code, message: e.message, details: e.details } })
    }
  }
  const succeeded = results.filter((r) => r.ok).length
  return { results, succeeded, failed: results.length - succeeded }
}

/** An action on an incident fans out to its children still being worked (all of them, for a reopen). */
export async function fanOutToChildren(
  db: Db,
  ctx: ServiceContext,
  parentId: string,
  action: BulkAction,
  now: Date,
): Promise<{ results: BulkItem[]; succeeded: number; failed: number }> {
  const parent = await findCaseOrThrow(db, ctx.merchantId, parentId)
  const children = await caseStore.listChildren(db, ctx.merchantId, parent.id)
  const reopening = action.type === 'status' && action.status === 'open'
  const targets = children.filter((ch) => !ch.merged_into_id && (reopening || !isResolved(ch.status)))
  return bulkUpdate(
    db,
    ctx,
    targets.map((t) => t.id),
    action,
    now,
  )
}
