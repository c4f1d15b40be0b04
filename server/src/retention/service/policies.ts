import type { ServiceContext } from '../../auth/actor.js'
import { recordAuditFor } from '../../changes.js'
import type { Db, Trx } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import { defaultPolicies, type Policy } from '../defaults.js'
import * as store from '../store.js'
import type { RetentionKind, RetentionStart } from '../tables.js'

export type PolicyView = Policy & { source: 'default' | 'workspace' }

const keyOf = (p: { kind: string; scope: string }) => `${p.kind}/${p.scope}`

/** The policies in force: the workspace's own, and the defaults for every kind and scope it has not set. */
export async function listPolicies(db: Db, merchantId: string): Promise<PolicyView[]> {
  const own = await store.listPolicies(db, merchantId)
  const set = new Set(own.map(keyOf))
  const views: PolicyView[] = [
    ...own.map((r) => ({
      kind: r.kind,
      scope: r.scope,
      keep_days: r.keep_days,
      after: r.after,
      enabled: r.enabled,
      source: 'workspace' as const,
    })),
    ...defaultPolicies.filter((p) => !set.has(keyOf(p))).map((p) => ({ ...p, source: 'default' as const })),
  ]
  return views.sort((a, b) => a.kind.localeCompare(b.kind) || a.scope.localeCompare(b.scope))
}

export type PolicyInput = {
  kind: RetentionKind
  scope?: string
  keep_days: number
  after: RetentionStart
  enabled?: boolean
}

/** Replaces the workspace's policies with these (the defaults stand for the rest). */
export async function replacePolicies(
  trx: Trx,
  ctx: ServiceContext,
  input: PolicyInput[],
  now: Date,
): Promise<PolicyView[]> {
  const errors: { index: number; reason: string }[] = []
  const seen = new Set<string>()
  input.forEach((p, index) => {
    const scope = p.scope ?? ''
    if (seen.has(keyOf({ kind: p.kind, scope }))) errors.push({ index, reason: 'the same kind and scope twice' })
    seen.add(keyOf({ kind: p.kind, scope }))
    if (scope && p.kind !== 'evidence') errors.push({ index, reason: 'only evidence policies have a scope' })
    if (scope && !/^[a-z0-9_]{1,100}$/.test(scope)) errors.push({ index, reason: 'scope is an evidence type key' })
    if (p.kind === 'customer_data' && p.after !== 'created')
      errors.push({ index, reason: 'customer_data counts from the last change (after: created)' })
  })
  if (errors.length) throw new AppError('retention_policy_invalid', 'Some policies are invalid', { errors })
  const before = await listPolicies(trx, ctx.merchantId)
  await store.replacePolicies(
    trx,
    ctx.merchantId,
    input.map((p) => ({
      merchant_id: ctx.merchantId,
      kind: p.kind,
      scope: p.scope ?? '',
      keep_days: p.keep_days,
      after: p.after,
      enabled: p.enabled ?? true,
      updated_at: now,
    })),
  )
  const after = await listPolicies(trx, ctx.merchantId)
  const summary = (list: PolicyView[]) =>
    Object.fromEntries(list.map((p) => [keyOf(p), `${p.enabled ? p.keep_days : 'off'} ${p.after} (${p.source})`]))
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'retention_policies.changed',
      entityType: 'merchant',
      entityId: ctx.merchantId,
      before: summary(before),
      after: summary(after),
    },
    now,
  )
  return after
}
