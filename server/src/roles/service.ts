import type { Kysely, Transaction } from 'kysely'
import { auditActor, type Actor } from '../auth/actor.js'
import { assertCoversGrants, rateDay } from '../auth/limits.js'
import {
  builtinRoleInfo,
  builtinRolePermissions,
  builtinRoles,
  isPermission,
  type Grant,
  type Permission,
} from '../auth/permissions.js'
import { recordAudit, type AuditActor } from '../audit/service.js'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import { newId } from '../ids.js'

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

export async function seedBuiltinRoles(
  trx: Trx,
  merchantId: string,
  actor: AuditActor,
  now: Date,
): Promise<Record<string, string>> {
  const ids: Record<string, string> = {}
  for (const key of builtinRoles) {
    const id = newId()
    ids[key] = id
    await trx
      .insertInto('roles')
      .values({
        merchant_id: merchantId,
        id,
        builtin_key: key,
        ...builtinRoleInfo[key],
        created_at: now,
        updated_at: now,
      })
      .execute()
    await recordAudit(
      trx,
      {
        merchantId,
        actor,
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
  const perms = custom.length
    ? await db
        .selectFrom('role_permissions')
        .selectAll()
        .where('merchant_id', '=', merchantId)
        .where('role_id', 'in', custom)
        .orderBy('permission')
        .execute()
    : []
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
  const rows = await db
    .selectFrom('roles')
    .select(['id', 'builtin_key', 'name', 'description', 'created_at', 'updated_at'])
    .where('merchant_id', '=', merchantId)
    .orderBy('id')
    .execute()
  return toRoles(db, merchantId, rows)
}

export async function getRole(db: Db, merchantId: string, id: string): Promise<Role> {
  const row = await db
    .selectFrom('roles')
    .select(['id', 'builtin_key', 'name', 'description', 'created_at', 'updated_at'])
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .executeTakeFirst()
  if (!row) throw new AppError('role_not_found', 'No such role', { role_id: id })
  return (await toRoles(db, merchantId, [row]))[0]!
}

export async function findBuiltinRoleId(db: Db, merchantId: string, key: string): Promise<string> {
  const row = await db
    .selectFrom('roles')
    .select('id')
    .where('merchant_id', '=', merchantId)
    .where('builtin_key', '=', key)
    .executeTakeFirst()
  if (!row) throw new AppError('role_not_found', `No built-in role ${key}`, { role: key })
  return row.id
}

export type RoleInput = {
  name: string
  description?: string
  permissions: { permission: string; limit?: { amount_minor: number; currency: string } | null }[]
  requestId?: string
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
    const known = await trx.selectFrom('currencies').select('code').where('code', 'in', currencies).execute()
    const missing = currencies.filter((c) => !known.some((k) => k.code === c))
    if (missing.length) throw new AppError('currency_unknown', 'Unknown currency', { currencies: missing })
  }
  await assertCoversGrants(trx, actor, toGrants(perms), rateDay(now))
}

/** Changing or deleting a role acts on everyone holding it: only by someone holding at least as much, never on one's own. */
async function roleToChange(trx: Trx, actor: Actor, id: string, now: Date): Promise<Role> {
  if (id === actor.roleId)
    throw new AppError('cannot_change_own_role', 'Nobody may change or delete the role they act under', {
      role_id: id,
    })
  const role = await getRole(trx, actor.merchantId, id)
  await assertCoversGrants(trx, actor, toGrants(role.permissions), rateDay(now))
  return role
}

async function writePermissions(trx: Trx, merchantId: string, roleId: string, perms: RoleInput['permissions']) {
  await trx.deleteFrom('role_permissions').where('merchant_id', '=', merchantId).where('role_id', '=', roleId).execute()
  if (perms.length) {
    await trx
      .insertInto('role_permissions')
      .values(
        perms.map((p) => ({
          merchant_id: merchantId,
          role_id: roleId,
          permission: p.permission,
          limit_amount_minor: p.limit?.amount_minor ?? null,
          limit_currency: p.limit?.currency ?? null,
        })),
      )
      .execute()
  }
}

const flat = (perms: RoleInput['permissions']) =>
  perms.map((p) => (p.limit ? `${p.permission}<=${p.limit.amount_minor} ${p.limit.currency}` : p.permission)).sort()

export async function createRole(trx: Trx, actor: Actor, input: RoleInput, now: Date): Promise<Role> {
  await validatePermissions(trx, actor, input.permissions, now)
  const id = newId()
  await trx
    .insertInto('roles')
    .values({
      merchant_id: actor.merchantId,
      id,
      builtin_key: null,
      name: input.name,
      description: input.description ?? '',
      created_at: now,
      updated_at: now,
    })
    .execute()
  await writePermissions(trx, actor.merchantId, id, input.permissions)
  await recordAudit(
    trx,
    {
      merchantId: actor.merchantId,
      actor: auditActor(actor),
      action: 'role.created',
      entityType: 'role',
      entityId: id,
      after: { name: input.name, description: input.description ?? '', permissions: flat(input.permissions) },
      requestId: input.requestId,
    },
    now,
  )
  return getRole(trx, actor.merchantId, id)
}

export async function updateRole(
  trx: Trx,
  actor: Actor,
  id: string,
  input: Partial<RoleInput>,
  now: Date,
): Promise<Role> {
  const before = await roleToChange(trx, actor, id, now)
  if (before.builtin_key && input.permissions)
    throw new AppError('role_builtin', 'The permissions of a built-in role cannot be changed; create a custom role', {
      role_id: id,
    })
  if (input.permissions) {
    await validatePermissions(trx, actor, input.permissions, now)
    await writePermissions(trx, actor.merchantId, id, input.permissions)
  }
  await trx
    .updateTable('roles')
    .set({
      ...(input.name ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      updated_at: now,
    })
    .where('merchant_id', '=', actor.merchantId)
    .where('id', '=', id)
    .execute()
  const after = await getRole(trx, actor.merchantId, id)
  const shape = (r: Role) => ({ name: r.name, description: r.description, permissions: flat(r.permissions) })
  await recordAudit(
    trx,
    {
      merchantId: actor.merchantId,
      actor: auditActor(actor),
      action: 'role.updated',
      entityType: 'role',
      entityId: id,
      before: shape(before),
      after: shape(after),
      requestId: input.requestId,
    },
    now,
  )
  return after
}

export async function deleteRole(trx: Trx, actor: Actor, id: string, now: Date, requestId?: string): Promise<void> {
  const role = await roleToChange(trx, actor, id, now)
  if (role.builtin_key) throw new AppError('role_builtin', 'A built-in role cannot be deleted', { role_id: id })
  const [user, key] = await Promise.all([
    trx
      .selectFrom('users')
      .select('id')
      .where('merchant_id', '=', actor.merchantId)
      .where('role_id', '=', id)
      .limit(1)
      .executeTakeFirst(),
    trx
      .selectFrom('api_keys')
      .select('id')
      .where('merchant_id', '=', actor.merchantId)
      .where('role_id', '=', id)
      .limit(1)
      .executeTakeFirst(),
  ])
  if (user || key)
    throw new AppError('role_in_use', 'People or API keys (revoked ones too) still reference this role', {
      role_id: id,
    })
  await trx
    .deleteFrom('role_permissions')
    .where('merchant_id', '=', actor.merchantId)
    .where('role_id', '=', id)
    .execute()
  await trx.deleteFrom('roles').where('merchant_id', '=', actor.merchantId).where('id', '=', id).execute()
  await recordAudit(
    trx,
    {
      merchantId: actor.merchantId,
      actor: auditActor(actor),
      action: 'role.deleted',
      entityType: 'role',
      entityId: id,
      before: { name: role.name, permissions: flat(role.permissions) },
      requestId,
    },
    now,
  )
}
