import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import {
  defaultAutoCloseAfterHours,
  defaultPolicy,
  defaultReopenWindowHours,
  type ExceptionPolicy,
} from '../defaults.js'
import * as settingsStore from '../store/case-settings.js'
import * as caseTypeStore from '../store/case-types.js'
import type { Db } from '../store/cases.js'
import type { RoutingRule } from '../tables.js'
import { listTeams } from '../../teams/service.js'
import { recordAuditFor } from '../../changes.js'
import { ensureDefaultCaseTypes } from './case-types.js'

type Trx = Transaction<Database>

export type CaseSettings = {
  exception_policy: ExceptionPolicy
  reopen_window_hours: number
  auto_close_after_hours: number
  routing: RoutingRule[]
  updated_at: Date | null
}

export async function getCaseSettings(db: Db, merchantId: string): Promise<CaseSettings> {
  const row = await settingsStore.findSettings(db, merchantId)
  if (!row)
    return {
      exception_policy: defaultPolicy,
      reopen_window_hours: defaultReopenWindowHours,
      auto_close_after_hours: defaultAutoCloseAfterHours,
      routing: [],
      updated_at: null,
    }
  return {
    exception_policy: row.exception_policy as ExceptionPolicy,
    reopen_window_hours: row.reopen_window_hours,
    auto_close_after_hours: row.auto_close_after_hours,
    routing: row.routing,
    updated_at: row.updated_at,
  }
}

export async function updateCaseSettings(
  trx: Trx,
  ctx: ServiceContext,
  input: Partial<Omit<CaseSettings, 'updated_at'>>,
  now: Date,
): Promise<CaseSettings> {
  const { merchantId } = ctx
  const before = await getCaseSettings(trx, merchantId)
  const policy = input.exception_policy ?? before.exception_policy
  const errors: { path: string; message: string }[] = []
  await ensureDefaultCaseTypes(trx, merchantId, now)
  const types = new Set((await caseTypeStore.listCaseTypes(trx, merchantId, false)).map((t) => t.key))
  const seen = new Set<string>()
  policy.rules.forEach((r, i) => {
    if (!types.has(r.case_type))
      errors.push({ path: `body/exception_policy/rules/${i}/case_type`, message: `no active case type ${r.case_type}` })
    if (seen.has(r.on))
      errors.push({ path: `body/exception_policy/rules/${i}/on`, message: `${r.on} has a rule already` })
    seen.add(r.on)
  })
  const routing = input.routing ?? before.routing
  const teams = new Set((await listTeams(trx, merchantId, { limit: 1000 })).map((t) => t.id))
  routing.forEach((r, i) => {
    if (!teams.has(r.team_id)) errors.push({ path: `body/routing/${i}/team_id`, message: `no team ${r.team_id}` })
    for (const [j, t] of (r.when.case_types ?? []).entries())
      if (!types.has(t))
        errors.push({ path: `body/routing/${i}/when/case_types/${j}`, message: `no active case type ${t}` })
  })
  if (errors.length) throw new AppError('validation_failed', 'The case settings are not valid', { errors })
  const after = {
    exception_policy: policy,
    reopen_window_hours: input.reopen_window_hours ?? before.reopen_window_hours,
    auto_close_after_hours: input.auto_close_after_hours ?? before.auto_close_after_hours,
    routing,
  }
  await settingsStore.upsertSettings(trx, {
    merchant_id: merchantId,
    ...after,
    exception_policy: JSON.stringify(after.exception_policy),
    routing: JSON.stringify(routing),
    updated_at: now,
  })
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'case_settings.updated',
      entityType: 'case_settings',
      entityId: merchantId,
      before: { ...before, updated_at: undefined },
      after,
    },
    now,
  )
  return { ...after, updated_at: now }
}
