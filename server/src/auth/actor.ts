import type { Transaction } from 'kysely'
import type { Db } from '../db/database.js'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import type { AuditActor } from '../audit/service.js'
import { builtinRolePermissions, isPermission, type BuiltinRole, type Grant, type Permission } from './permissions.js'

/** Who is calling: resolved once per request by the auth hook, then passed to services. */
export type Actor = {
  type: 'user' | 'api_key' | 'system' | 'rule'
  id: string | null
  merchantId: string
  name: string
  roleId: string | null
  grants: ReadonlyMap<Permission, Grant>
  sessionId?: string
}

/**
 * The one context every service call takes: for whom (the workspace), who acts, and under which request
 * (null for work Claimdesk does itself). Routes build it with `requestContext`, jobs with `systemContext`.
 */
export type ServiceContext = { merchantId: string; actor: Actor; requestId: string | null }

export const requestContext = (req: { actor: Actor; id: string }): ServiceContext => ({
  merchantId: req.actor.merchantId,
  actor: req.actor,
  requestId: req.id,
})

export const systemContext = (merchantId: string, name?: string): ServiceContext => ({
  merchantId,
  actor: systemActor(merchantId, name),
  requestId: null,
})

export const auditActor = (actor: Actor): AuditActor => ({ type: actor.type, id: actor.id })

export function can(actor: Actor, permission: Permission): boolean {
  return actor.grants.has(permission)
}

export function requirePermission(actor: Actor, permission: Permission): void {
  if (!can(actor, permission))
    throw new AppError('forbidden', `This needs the ${permission} permission`, { permission })
}

/** An automation rule acting: audit entries and timeline entries say { type: 'rule', id: the rule's id }. */
export const ruleContext = (merchantId: string, rule: { id: string; name: string }): ServiceContext => ({
  merchantId,
  actor: { ...systemActor(merchantId, rule.name), type: 'rule', id: rule.id },
  requestId: null,
})

/** The actor for work done by Claimdesk itself (jobs, the CLI). */
export function systemActor(merchantId: string, name = 'system'): Actor {
  return { type: 'system', id: null, merchantId, name, roleId: null, grants: grantsOf('admin', []) }
}

export function grantsOf(
  builtinKey: string | null,
  rows: { permission: string; limit_amount_minor: number | null; limit_currency: string | null }[],
): Map<Permission, Grant> {
  const grants = new Map<Permission, Grant>()
  if (builtinKey) {
    for (const p of builtinRolePermissions[builtinKey as BuiltinRole] ?? []) grants.set(p, { permission: p })
  }
  for (const r of rows) {
    if (!isPermission(r.permission)) continue // a permission since removed from the catalogue
    grants.set(r.permission, {
      permission: r.permission,
      ...(r.limit_amount_minor !== null && r.limit_currency
        ? { limit: { amountMinor: r.limit_amount_minor, currency: r.limit_currency } }
        : {}),
    })
  }
  return grants
}

/** A service call for the request's caller, in one transaction, at the time read as it starts. */
export function inTransaction<T>(
  db: Db,
  req: { actor: Actor; id: string },
  work: (trx: Transaction<Database>, ctx: ServiceContext, now: Date) => Promise<T>,
): Promise<T> {
  return db.transaction().execute((trx) => work(trx, requestContext(req), new Date()))
}
