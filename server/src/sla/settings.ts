import type { ServiceContext } from '../auth/actor.js'
import { recordAuditFor } from '../changes.js'
import type { pauseStatuses } from './schemas.js'
import type { Db, Trx } from '../db/owned.js'
import * as store from './store.js'

type PauseStatus = (typeof pauseStatuses)[number]
export type SlaSettings = { pause_statuses: PauseStatus[] }

/** Waiting on the customer or the carrier stops the clocks unless the workspace says otherwise. */
export const defaultPauseStatuses: PauseStatus[] = ['waiting_customer', 'waiting_carrier']

export async function getSlaSettings(db: Db, merchantId: string): Promise<SlaSettings> {
  const row = await store.findSettings(db, merchantId)
  return { pause_statuses: (row?.pause_statuses as PauseStatus[] | undefined) ?? defaultPauseStatuses }
}

export async function updateSlaSettings(
  trx: Trx,
  ctx: ServiceContext,
  input: SlaSettings,
  now: Date,
): Promise<SlaSettings> {
  const before = await getSlaSettings(trx, ctx.merchantId)
  const row = await store.upsertSettings(trx, {
    merchant_id: ctx.merchantId,
    pause_statuses: [...new Set(input.pause_statuses)].sort(),
    updated_at: now,
  })
  const after = { pause_statuses: row.pause_statuses as PauseStatus[] }
  await recordAuditFor(
    trx,
    ctx,
    { action: 'sla_settings.updated', entityType: 'sla_settings', entityId: ctx.merchantId, before, after },
    now,
  )
  return after
}
