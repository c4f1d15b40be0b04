import type { ServiceContext } from '../auth/actor.js'
import { recordAuditFor } from '../changes.js'
import type { Db, Trx } from '../db/owned.js'
import { AppError } from '../errors.js'
import * as store from './store.js'
import type { SurveyKind } from './tables.js'

export type CsatSettings = {
  enabled: boolean
  kind: SurveyKind
  /** Minutes after the resolution the survey goes out (at most 7 days) */
  delay_minutes: number
  /** A score at or under this notifies the case team's lead */
  low_score_threshold: number
  /** Days the survey link works */
  expiry_days: number
}
export type CsatSettingsInput = Partial<Omit<CsatSettings, 'low_score_threshold'>> & {
  /** null: the kind's default */
  low_score_threshold?: number | null
}

/** The scale a kind asks on, and the low scores by default: CSAT 1–5 (low ≤ 2), NPS 0–10 (detractors ≤ 6). */
export const scales: Record<SurveyKind, { min: number; max: number; low: number }> = {
  csat: { min: 1, max: 5, low: 2 },
  nps: { min: 0, max: 10, low: 6 },
}

export const maxDelayMinutes = 7 * 24 * 60

export async function getCsatSettings(db: Db, merchantId: string): Promise<CsatSettings> {
  const row = await store.findSettings(db, merchantId)
  const kind = row?.kind ?? 'csat'
  return {
    enabled: row?.enabled ?? true,
    kind,
    delay_minutes: row?.delay_minutes ?? 0,
    low_score_threshold: row?.low_score_threshold ?? scales[kind].low,
    expiry_days: row?.expiry_days ?? 14,
  }
}

/** Changes the fields given; switching the kind resets the threshold to the new kind's default unless one is given. */
export async function updateCsatSettings(
  trx: Trx,
  ctx: ServiceContext,
  input: CsatSettingsInput,
  now: Date,
): Promise<CsatSettings> {
  const before = await getCsatSettings(trx, ctx.merchantId)
  const saved = await store.findSettings(trx, ctx.merchantId)
  const kind = input.kind ?? before.kind
  const kindChanged = kind !== before.kind
  const threshold =
    input.low_score_threshold !== undefined
      ? input.low_score_threshold
      : kindChanged
        ? null
        : (saved?.low_score_threshold ?? null)
  const scale = scales[kind]
  if (threshold !== null && (threshold < scale.min || threshold >= scale.max))
    throw new AppError('validation_failed', `A ${kind} low-score threshold is from ${scale.min} to ${scale.max - 1}`, {
      errors: [{ path: 'body/low_score_threshold', message: `must be from ${scale.min} to ${scale.max - 1}` }],
    })
  await store.upsertSettings(trx, {
    merchant_id: ctx.merchantId,
    enabled: input.enabled ?? before.enabled,
    kind,
    delay_minutes: input.delay_minutes ?? before.delay_minutes,
    low_score_threshold: threshold,
    expiry_days: input.expiry_days ?? before.expiry_days,
    updated_at: now,
  })
  const after = await getCsatSettings(trx, ctx.merchantId)
  await recordAuditFor(
    trx,
    ctx,
    { action: 'csat_settings.updated', entityType: 'csat_settings', entityId: ctx.merchantId, before, after },
    now,
  )
  return after
}
