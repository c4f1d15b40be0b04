import { findCaseOrThrow } from '../../cases/service.js'
import type { Db } from '../../db/owned.js'
import * as store from '../store.js'
import { counts, figures, isOpen, measures } from './time.js'

/** GET /cases/:id/sla: the applied policy and every clock with its due time, share spent and time left. */
export async function getCaseSla(db: Db, merchantId: string, caseId: string, now: Date) {
  await findCaseOrThrow(db, merchantId, caseId)
  const clocks = await store.listClocks(db, merchantId, caseId)
  const m = measures(db, merchantId)
  const newest = [...clocks].sort((a, b) => b.updated_at.getTime() - a.updated_at.getTime())[0]
  const targets = await Promise.all(
    clocks.map(async (c) => ({
      target: c.target,
      episode: c.episode,
      state: c.state,
      started_at: c.started_at,
      due_at: c.due_at,
      ...figures(c, await m(c.calendar_id), now),
      paused_seconds: Number(c.paused_seconds),
      business_time: c.calendar_id !== null,
      calendar_id: c.calendar_id,
      minutes: c.minutes,
      met_at: c.met_at,
      breached_at: c.breached_at,
      paused_at: c.paused_at,
    })),
  )
  const due = clocks.filter((c) => isOpen(c) && counts(c)).map((c) => c.due_at.getTime())
  return {
    tier: (newest?.tier ?? null) as 'high' | 'medium' | 'low' | null,
    policy_id: newest?.policy_id ?? null,
    policy_version: newest?.policy_version ?? null,
    targets,
    next_due_at: due.length ? new Date(Math.min(...due)) : null,
  }
}
