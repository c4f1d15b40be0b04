import type { Kysely, Transaction } from 'kysely'
import { grantsOf, type Actor, type ServiceContext } from '../auth/actor.js'
import { recordAuditFor } from '../changes.js'
import {
  builtinRoleInfo,
  builtinRolePermissions,
  builtinRoles,
  isPermission,
  type Grant,
  type Permission,
} from '../auth/permissions.js'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import { newId } from '../ids.js'
import { assertCoversGrants, rateDay } from '../merchants/limits.js'
import { findCurrencies } from '../merchants/service.js'
import * as store from './store.js'

type Trx = Transaction<Database>
type Db = Kysely<Database> | Trx

export type RolePermission = { permission: Permission; limit?: { amount_minor: number; currency: string } | null }
export type Role = {
  id: string
  builtin_key: string | null
  name: string
  description: string
  permissions: RolePermission[]
  created_at: Date
  updated_at: Date
}

/** A new workspace's five built-in roles; returns their ids by key. */
export async function seedBuiltinRoles(trx: Trx, ctx: ServiceContext, now: Date): Promise<Record<string, string>> {
  const ids: Record<string, string> = {}
  for (const key of builtinRoles) {
    const id = newId()
    ids[key] = id
    await store.insertRole(trx, {
      merchant_id: ctx.merchantId,
      id,
      builtin_key: key,
      ...builtinRoleInfo[key],
      created_at: now,
      updated_at: now,
    })
    await recordAuditFor(
      trx,
      ctx,
      {
        action: 'role.created',
        entityType: 'role',
        entityId: id,
        after: { builtin_key: key, name: builtinRoleInfo[key].name },
      },
      now,
    )
  }
  return ids
}

type RoleRow = Omit<Role, 'permissions'>

async function toRoles(db: Db, merchantId: string, rows: RoleRow[]): Promise<Role[]> {
  const custom = rows.filter((r) => !r.builtin_key).map((r) => r.id)
  const perms = custom.length ? await store.listPermissions(db, merchantId, custom) : []
  return rows.map((r) => ({
    ...r,
    permissions: r.builtin_key
      ? builtinRolePermissions[r.builtin_key as keyof typeof builtinRolePermissions].map((p) => ({
          permission: p,
          limit: null,
        }))
      : perms
          .filter((p) => p.role_id === r.id && isPermission(p.permission))
          .map((p) => ({
            permission: p.permission as Permission,
            limit:
              p.limit_amount_minor !== null && p.limit_currency
                ? { amount_minor: p.limit_amount_minor, currency: p.limit_currency }
                : null,
          })),
  }))
}

export async function listRoles(db: Db, merchantId: string): Promise<Role[]> {
  return toRoles(db, merchantId, await store.listRoles(db, merchantId))
}

export async function getRole(db: Db, merchantId: string, id: string): Promise<Role> {
  const row = await store.findRole(db, merchantId, id)
  if (!row) throw new AppError('role_not_found', 'No such role', { role_id: id })
  return (await toRoles(db, merchantId, [row]))[0]!
}

export async function findBuiltinRoleId(db: Db, merchantId: string, key: string): Promise<string> {
  const row = await store.findBuiltinRoleId(db, merchantId, key)
  if (!row) throw new AppError('role_not_found', `No built-in role ${key}`, { role: key })
  return row.id
}

/** Refuses a role id the workspace does not have (for a person or a key about to get it). */
export async function assertRoleExists(db: Db, merchantId: string, roleId: string): Promise<void> {
  if (!(await store.findBuiltinKey(db, merchantId, roleId)))
    throw new AppError('role_not_found', 'No such role', { role_id: roleId })
}

/** What a role allows; an unknown role allows nothing. */
export async function loadGrants(db: Db, merchantId: string, roleId: string): Promise<Map<Permission, Grant>> {
  const builtinKey = await builtinKeyOf(db, merchantId, roleId)
  if (builtinKey === undefined) return new Map()
  // Built-in roles' permissions are declared in code: no rows to read.
  return grantsOf(builtinKey, builtinKey ? [] : await store.listGrantRows(db, merchantId, roleId))
}

// Whether a role is built in (and which) never changes, and role ids are never reused: every request's
// credential resolves its role, so the answer is kept rather than read each time.
const builtinKeys = new Map<string, string | null>()

async function builtinKeyOf(db: Db, merchantId: string, roleId: string): Promise<string | null | undefined> {
  const cacheKey = `${merchantId}:${roleId}`
  const known = builtinKeys.get(cacheKey)
  if (known !== undefined) return known
  const role = await store.findBuiltinKey(db, merchantId, roleId)
  if (!role) return undefined
  if (builtinKeys.size >= 10_000) builtinKeys.clear()
  builtinKeys.set(cacheKey, role.builtin_key)
  return role.builtin_key
}

/** assertCoversGrants for everything a role holds: the role a key or person would get, or already has. */
export async function assertCoversRole(db: Db, actor: Actor, roleId: string, now: Date): Promise<void> {
  await assertCoversGrants(db, actor, (await loadGrants(db, actor.merchantId, roleId)).values(), rateDay(now))
}

/** The roles whose holders have `permission` (admin holds every one). */
export async function listRoleIdsHolding(db: Db, merchantId: string, permission: Permission): Promise<string[]> {
  const builtin = builtinRoles.filter((r) => builtinRolePermissions[r].includes(permission))
  return store.listRoleIdsHolding(db, merchantId, builtin, permission)
}

export type RoleInput = {
  name: string
  description?: string
  permissions: { permission: string; limit?: { amount_minor: number; currency: string } | null }[]
}

const toGrants = (perms: RoleInput['permissions']): Grant[] =>
  perms.map((p) => ({
    permission: p.permission as Permission,
    ...(p.limit ? { limit: { amountMinor: p.limit.amount_minor, currency: p.limit.currency } } : {}),
  }))

async function validatePermissions(trx: Trx, actor: Actor, perms: RoleInput['permissions'], now: Date) {
  const unknown = perms.filter((p) => !isPermission(p.permission)).map((p) => p.permission)
  if (unknown.length)
    throw new AppError('validation_failed', 'Unknown permissions', {
      errors: unknown.map((p) => ({ path: 'body/permissions', message: `unknown permission ${p}` })),
    })
  const currencies = [...new Set(perms.flatMap((p) => (p.limit ? [p.limit.currency] : [])))]
  if (currencies.length) {
    const known = await findCurrencies(trx, currencies)
    const missing = currencies.filter((c) => !known.some((k) => k.code === c))
    if (missing.length) throw new AppError('currency_unknown', 'Unknown currency', { currencies: missing })
  }
  await assertCoversGrants(trx, actor, toGrants(perms), rateDay(now))
}

/** Changing or deleting a role acts on everyone holding it: only by someone holding at least as much, never on one's own. */
async function roleToChange(trx: Trx, ctx: ServiceContext, id: string, now: Date): Promise<Role> {
  if (id === ctx.actor.roleId)
    throw new AppError('cannot_change_own_role', 'Nobody may change or delete the role they act under', {
      role_id: id,
    })
  const role = await getRole(trx, ctx.merchantId, id)
  await assertCoversGrants(trx, ctx.actor, toGrants(role.permissions), rateDay(now))
  return role
}

async function writePermissions(trx: Trx, merchantId: string, roleId: string, perms: RoleInput['permissions']) {
  await store.deletePermissions(trx, merchantId, roleId)
  if (perms.length) {
    await store.insertPermissions(
      trx,
      perms.map((p) => ({
        merchant_id: merchantId,
        role_id: roleId,
        permission: p.permission,
        limit_amount_minor: p.limit?.amount_minor ?? null,
        limit_currency: p.limit?.currency ?? null,
      })),
    )
  }
}

const flat = (perms: RoleInput['permissions']) =>
  perms.map((p) => (p.limit ? `${p.permission}<=${p.limit.amount_minor} ${p.limit.currency}` : p.permission)).sort()

export async function createRole(trx: Trx, ctx: ServiceContext, input: RoleInput, now: Date): Promise<Role> {
  await validatePermissions(trx, ctx.actor, input.permissions, now)
  const id = newId()
  await store.insertRole(trx, {
    merchant_id: ctx.merchantId,
    id,
    builtin_key: null,
    name: input.name,
    description: input.description ?? '',
    created_at: now,
    updated_at: now,
  })
  await writePermissions(trx, ctx.merchantId, id, input.permissions)
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'role.created',
      entityType: 'role',
      entityId: id,
      after: { name: input.name, description: input.description ?? '', permissions: flat(input.permissions) },
    },
    now,
  )
  return getRole(trx, ctx.merchantId, id)
}

export async function updateRole(
  trx: Trx,
  ctx: ServiceContext,
  id: string,
  input: Partial<RoleInput>,
  now: Date,
): Promise<Role> {
  const before = await roleToChange(trx, ctx, id, now)
  if (before.builtin_key && input.permissions)
    throw new AppError('role_builtin', 'The permissions of a built-in role cannot be changed; create a custom role', {
      role_id: id,
    })
  if (input.permissions) {
    await validatePermissions(trx, ctx.actor, input.permissions, now)
    await writePermissions(trx, ctx.merchantId, id, input.permissions)
  }
  await store.updateRole(trx, ctx.merchantId, id, {
    ...(input.name ? { name: input.name } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    updated_at: now,
  })
  const after = await getRole(trx, ctx.merchantId, id)
  const shape = (r: Role) => ({ name: r.name, description: r.description, permissions: flat(r.permissions) })
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'role.updated',
      entityType: 'role',
      entityId: id,
      before: shape(before),
      after: shape(after),
    },
    now,
  )
  return after
}

export async function deleteRole(trx: Trx, ctx: ServiceContext, id: string, now: Date): Promise<void> {
  const role = await roleToChange(trx, ctx, id, now)
  if (role.builtin_key) throw new AppError('role_builtin', 'A built-in role cannot be deleted', { role_id: id })
  await store.deletePermissions(trx, ctx.merchantId, id)
  try {
    await store.deleteRole(trx, ctx.merchantId, id)
  } catch (err) {
    // People and API keys reference their role by foreign key, so the delete itself refuses a role in use: roles
    // need not read the users and api_keys tables (and no holder can be added between a check and the delete).
    if ((err as { code?: string }).code !== '23503') throw err
    throw new AppError('role_in_use', 'People or API keys (revoked ones too) still reference this role', {
      role_id: id,
    })
  }
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'role.deleted',
      entityType: 'role',
      entityId: id,
      before: { name: role.name, permissions: flat(role.permissions) },
    },
    now,
  )
}
