import { systemContext } from '../../auth/actor.js'
import type { AppContext } from '../../context.js'
import { defaultAutoCloseAfterHours } from '../defaults.js'
import * as caseStore from '../store/cases.js'
import { changeStatus } from './work-case.js'

/**
 * Closes resolved cases once the workspace's auto-close delay has passed without a reopen (a drain
 * of the job workers). Each case closes in its own transaction, re-checked under its lock.
 */
export async function closeDueCases(ctx: Pick<AppContext, 'db'>, limit: number, now = new Date()): Promise<number> {
  const due = await caseStore.listDueForClose(ctx.db, now, defaultAutoCloseAfterHours, limit)
  for (const d of due) {
    await ctx.db.transaction().execute(async (trx) => {
      const row = await caseStore.lockCase(trx, d.merchant_id, d.id)
      if (row?.status !== 'resolved' || row.resolved_at?.getTime() !== d.resolved_at.getTime()) return
      await changeStatus(
        trx,
        systemContext(d.merchant_id, 'auto-close'),
        d.id,
        { status: 'closed', reason: 'auto_close' },
        now,
      )
    })
  }
  return due.length
}
