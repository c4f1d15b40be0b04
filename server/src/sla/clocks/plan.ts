import type { TimeMeasure } from '../calendar.js'
import type { Trx } from '../../db/owned.js'
import { cancelAction, scheduleAction } from '../../jobs/clock.js'
import * as store from '../store.js'
import type { ClockRow } from '../store.js'
import { counts, pointAt, stepMinutes } from './time.js'

export const stepTask = 'sla:step'
export const alertTask = 'sla:alert'

/** Fires once per (case, target, episode, policy version, step): the clock's key says all five. */
export const stepKey = (c: ClockRow, step: string) =>
  `sla:${c.case_id}:${c.target}:${c.episode}:${c.policy_id}.${c.policy_version}:${step}`

const watchKey = (c: ClockRow, watchId: string) => `sla-watch:${watchId}:${c.episode}`

/** The clock's points still to come: each unfired step, and the breach, with where it falls in minutes spent. */
export function points(c: ClockRow): { id: string; minutes: number }[] {
  const all = [
    { id: 'breach', minutes: c.minutes },
    ...c.steps.map((s, i) => ({ id: String(i), minutes: stepMinutes(c.minutes, s) })),
  ]
  return all.filter((p) => !c.fired_steps.includes(p.id) && p.minutes > c.spent_minutes)
}

/** Arms the clock's coming steps and the watches on its target at their instants (a counting clock only). */
export async function planClock(trx: Trx, c: ClockRow, m: TimeMeasure, now: Date): Promise<void> {
  if (!counts(c)) return
  for (const p of points(c))
    await scheduleAction(
      trx,
      {
        merchantId: c.merchant_id,
        key: stepKey(c, p.id),
        task: stepTask,
        runAt: pointAt(c, m, p.minutes),
        payload: { clock_id: c.id, case_id: c.case_id, step: p.id, policy_version: c.policy_version },
      },
      now,
    )
  for (const w of await store.listWatches(trx, c.merchant_id, c.case_id)) {
    if (w.target !== c.target) continue
    const minutes = w.percent !== null ? (c.minutes * w.percent) / 100 : c.minutes + (w.offset_minutes ?? 0)
    if (minutes <= c.spent_minutes) continue
    await scheduleAction(
      trx,
      {
        merchantId: c.merchant_id,
        key: watchKey(c, w.id),
        task: w.task,
        runAt: pointAt(c, m, minutes),
        payload: { ...w.payload, case_id: c.case_id, target: c.target, episode: c.episode },
      },
      now,
    )
  }
}

/** Takes back every armed step and watch of the clock (paused, met, or about to be re-planned). */
export async function unplanClock(trx: Trx, c: ClockRow): Promise<void> {
  for (const p of points(c)) await cancelAction(trx, c.merchant_id, stepKey(c, p.id))
  for (const w of await store.listWatches(trx, c.merchant_id, c.case_id))
    if (w.target === c.target) await cancelAction(trx, c.merchant_id, watchKey(c, w.id))
}
