import type { Db } from '../../db/owned.js'
import type { Trx } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import { newId } from '../../ids.js'
import * as store from '../store.js'
import { planClock } from './plan.js'
import { isOpen, measures } from './time.js'

export type Threshold = { percent: number } | { offsetMinutes: number }

/**
 * Calls the caller's clock task when the case's running `target` crosses a share of it or an offset from its due
 * time (the rules engine's SLA_elapsed >= 75%), on the same clock as the SLA steps: re-planned on pause, resume
 * and re-apply, once per target episode, with { case_id, target, episode } added to the payload.
 */
export async function watchSlaThreshold(
  trx: Trx,
  merchantId: string,
  caseId: string,
  target: string,
  at: Threshold,
  task: string,
  payload: Record<string, unknown>,
  now: Date,
): Promise<string> {
  if ('percent' in at ? !(at.percent > 0) : !Number.isInteger(at.offsetMinutes))
    throw new AppError('validation_failed', 'A threshold is a positive percent or whole minutes from due', {
      errors: [{ path: 'threshold', message: 'out of range' }],
    })
  const clocks = await store.lockClocks(trx, merchantId, caseId)
  const watch = await store.insertWatch(trx, {
    merchant_id: merchantId,
    id: newId(),
    case_id: caseId,
    target,
    percent: 'percent' in at ? at.percent : null,
    offset_minutes: 'offsetMinutes' in at ? at.offsetMinutes : null,
    task,
    payload: JSON.stringify(payload),
    created_at: now,
  })
  const running = clocks.filter((c) => c.target === target && isOpen(c)).sort((a, b) => b.episode - a.episode)[0]
  if (running) await planClock(trx, running, await measures(trx, merchantId)(running.calendar_id), now)
  return watch.id
}

/** The case's threshold watches (whoever armed them), so a caller arms each of its thresholds once. */
export const listSlaWatches = (db: Db, merchantId: string, caseId: string) => store.listWatches(db, merchantId, caseId)
