import type { ServiceContext } from '../../auth/actor.js'
import { recordAuditFor } from '../../changes.js'
import type { Db, Trx } from '../../db/owned.js'
import * as store from '../store.js'

/** How far rule-caused changes may run rules again (the engine's loop protection). */
export type RuleSettings = { max_depth: number; repeat_limit: number; repeat_window_minutes: number }

// The migration's column defaults, for a workspace without a settings row yet.
const defaults: RuleSettings = { max_depth: 3, repeat_limit: 5, repeat_window_minutes: 60 }

const toSettings = (r: store.SettingsRow | undefined): RuleSettings =>
  r
    ? { max_depth: r.max_depth, repeat_limit: r.repeat_limit, repeat_window_minutes: r.repeat_window_minutes }
    : defaults

export async function getRuleSettings(db: Db, merchantId: string): Promise<RuleSettings> {
  return toSettings(await store.findSettings(db, merchantId))
}

export async function updateRuleSettings(
  trx: Trx,
  ctx: ServiceContext,
  input: Partial<RuleSettings>,
  now: Date,
): Promise<RuleSettings> {
  const before = await getRuleSettings(trx, ctx.merchantId)
  await store.bumpRevision(trx, ctx.merchantId)
  const changed = Object.keys(input).length > 0
  const after = changed ? toSettings(await store.updateSettings(trx, ctx.merchantId, input)) : before
  await recordAuditFor(
    trx,
    ctx,
    { action: 'rule_settings.updated', entityType: 'rule_settings', entityId: ctx.merchantId, before, after },
    now,
  )
  return after
}
