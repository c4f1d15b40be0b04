import type { TimeMeasure } from '../calendar.js'
import type { Trx } from '../../db/owned.js'
import { cancelActions, scheduleActions } from '../../jobs/clock.js'
import * as store from '../store.js'
import type { ClockRow, WatchRow } from '../store.js'
import { counts, pointAt, stepMinutes } from './time.js'

export const stepTask = 'sla:step'
export const alertTask = 'sla:alert'

/** Fires once per (case, target, episode, policy version, step): the clock's key says all five. */
export const stepKey = (c: ClockRow, step: string) =>
  `sla:${c.case_id}:${c.target}:${c.episode}:${c.policy_id}.${c.policy_version}:${step}`

const watchKey = (c: ClockRow, watchId: string) => `sla-watch:${watchId}:${c.episode}`

/** Each unfired step of the clock, and the breach, with where it falls in minutes spent. */
const unfired = (c: ClockRow): { id: string; minutes: number }[] =>
  [
    { id: 'breach', minutes: c.minutes },
    ...c.steps.map((s, i) => ({ id: String(i), minutes: stepMinutes(c.minutes, s) })),
  ].filter((p) => !c.fired_steps.includes(p.id))

/** The clock's points still to come: each unfired step, and the breach, with where it falls in minutes spent. */
const points = (c: ClockRow) => unfired(c).filter((p) => p.minutes > c.spent_minutes)

/** The case's watches, read once by the caller that plans several clocks (a clock's change does not change them). */
export type Watches = () => Promise<WatchRow[]>
const readWatches =
  (trx: Trx, c: ClockRow): Watches =>
  () =>
    store.listWatches(trx, c.merchant_id, c.case_id)

/** Arms the clock's coming steps and the watches on its target at their instants (a counting clock only). */
export async function planClock(
  trx: Trx,
  c: ClockRow,
  m: TimeMeasure,
  now: Date,
  watchesOf: Watches = readWatches(trx, c),
): Promise<void> {
  if (!counts(c)) return
  const steps = points(c).map((p) => ({
    merchantId: c.merchant_id,
    key: stepKey(c, p.id),
    task: stepTask,
    runAt: pointAt(c, m, p.minutes),
    payload: { clock_id: c.id, case_id: c.case_id, step: p.id, policy_version: c.policy_version },
  }))
  const watches = (await watchesOf()).flatMap((w) => {
    if (w.target !== c.target) return []
    const minutes = w.percent !== null ? (c.minutes * w.percent) / 100 : c.minutes + (w.offset_minutes ?? 0)
    if (minutes <= c.spent_minutes) return []
    return [
      {
        merchantId: c.merchant_id,
        key: watchKey(c, w.id),
        task: w.task,
        runAt: pointAt(c, m, minutes),
        payload: { ...w.payload, case_id: c.case_id, target: c.target, episode: c.episode },
      },
    ]
  })
  await scheduleActions(trx, [...steps, ...watches], now)
}

/**
 * Takes back every armed step and watch of the clock (paused, met, or about to be re-planned). `passed`: the steps
 * whose point is already spent too, for a met clock, whose steps never fire (a paused one's still do: they came due
 * before it paused); a replayed history (the demo's) leaves such steps armed, never fired at their time.
 */
export async function unplanClock(
  trx: Trx,
  c: ClockRow,
  opts: { passed?: boolean; watchesOf?: Watches } = {},
): Promise<void> {
  const steps = opts.passed ? unfired(c) : points(c)
  const watches = (await (opts.watchesOf ?? readWatches(trx, c))()).filter((w) => w.target === c.target)
  await cancelActions(trx, c.merchant_id, [
    ...steps.map((p) => stepKey(c, p.id)),
    ...watches.map((w) => watchKey(c, w.id)),
  ])
}
