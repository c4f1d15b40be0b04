import { sql } from 'kysely'
import { findCaseOrThrow } from '../../cases/service.js'
import { AppError } from '../../errors.js'
import type { ActionArgs, ActionHandler, ActionName, ActionOutcome, ActionRun } from '../types.js'

export type CaseRow = Awaited<ReturnType<typeof findCaseOrThrow>>

/** What a handler reports; the action's name and text are the dispatcher's. */
export type Result = Omit<ActionOutcome, 'action' | 'text'>

export const done = (caseId: string | null, detail: string, result?: Record<string, unknown>): Result => ({
  status: 'done',
  detail,
  ...(caseId && { case_id: caseId }),
  ...(result && { result }),
})

export const skipped = (detail: string, caseId?: string | null, result?: Record<string, unknown>): Result => ({
  status: 'skipped',
  detail,
  ...(caseId && { case_id: caseId }),
  ...(result && { result }),
})

/**
 * A handler: the action runs under a savepoint, so a service's refusal (an AppError: it will not change on retry)
 * leaves nothing half-written and is reported as failed with its message; any other error propagates.
 */
export function defineAction<N extends ActionName>(
  name: N,
  act: (run: ActionRun, args: ActionArgs[N]) => Promise<Result>,
): ActionHandler<N> {
  return async (run, args) => {
    await sql`savepoint rule_action_handler`.execute(run.trx)
    try {
      const result = await act(run, args)
      await sql`release savepoint rule_action_handler`.execute(run.trx)
      return { action: name, text: name, ...result }
    } catch (err) {
      if (!(err instanceof AppError)) throw err
      await sql`rollback to savepoint rule_action_handler`.execute(run.trx)
      return {
        action: name,
        text: name,
        status: 'failed',
        detail: err.message,
        ...(run.target.caseId && { case_id: run.target.caseId }),
        result: { code: err.code, ...(err.details && { details: err.details }) },
      }
    }
  }
}

/** The case the action works on, or why there is none to work on. */
export async function targetCase(
  run: ActionRun,
  opts: { resolved?: boolean } = {},
): Promise<{ row: CaseRow } | { skip: Result }> {
  const caseId = run.target.caseId
  if (!caseId) return { skip: skipped('no case') }
  const row = await findCaseOrThrow(run.trx, run.ctx.merchantId, caseId)
  if (!opts.resolved && (row.status === 'resolved' || row.status === 'closed'))
    return { skip: skipped(`the case is ${row.status}`, row.id) }
  return { row }
}

/** The cause of a rule's notifications: a repeat of the same trigger occurrence notifies nobody twice. */
export const notificationCause = (run: ActionRun) => `rule:${run.rule.id}:${run.triggerKey}`

/** A value the compiler checked, checked again against the vocabulary as it is now. */
export function oneOf<T extends string>(list: readonly T[], value: string, field: string): T {
  if ((list as readonly string[]).includes(value)) return value as T
  throw new AppError('validation_failed', `No ${field.replace(/_/g, ' ')} ${value}`, {
    errors: [{ path: `/${field}`, message: `one of ${list.join(', ')}` }],
  })
}
