import type { Kysely, Transaction } from 'kysely'
import type { ServiceContext } from '../auth/actor.js'
import { recordAuditFor } from '../changes.js'
import { hashPassword } from '../auth/passwords.js'
import type { Permission } from '../auth/permissions.js'
import { revokeSessions } from '../auth/service.js'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import { newId } from '../ids.js'
import { assertCoversRole, assertRoleExists, findBuiltinRoleId, listRoleIdsHolding } from '../roles/service.js'
import * as store from './store.js'

type Trx = Transaction<Database>
type Db = Kysely<Database> | Trx

export type User = {
  id: string
  email: string
  name: string
  role_id: string
  status: 'active' | 'disabled'
  created_at: Date
  updated_at: Date
  last_login_at: Date | null
}
const personal = ['email', 'name'] as const

export async function getUser(db: Db, merchantId: string, id: string): Promise<User> {
  const row = await store.findUser(db, merchantId, id)
  if (!row) throw new AppError('user_not_found', 'No such user', { user_id: id })
  return row
}

export async function listUsers(
  db: Db,
  merchantId: string,
  page: { after?: string; limit: number; status?: string; permission?: Permission },
): Promise<User[]> {
  // Built-in roles' permissions are declared in code, custom roles' in role_permissions. Admin holds every one.
  const roleIds = page.permission ? await listRoleIdsHolding(db, merchantId, page.permission) : undefined
  if (roleIds?.length === 0) return []
  return store.listUsers(db, merchantId, { ...page, status: page.status as User['status'] | undefined, roleIds })
}

/** Of these ids, those that are people in the workspace. */
export async function findExistingUserIds(db: Db, merchantId: string, ids: string[]): Promise<string[]> {
  return store.findIdsIn(db, merchantId, ids)
}

async function assertAssignableRole(trx: Trx, ctx: ServiceContext, roleId: string, now: Date) {
  await assertRoleExists(trx, ctx.merchantId, roleId)
  await assertCoversRole(trx, ctx.actor, roleId, now)
}

export type CreateUserInput = { email: string; name: string; password: string; roleId: string }

/** The CLI and seeds create people as the system (systemContext), which holds every permission. */
export async function createUser(trx: Trx, ctx: ServiceContext, input: CreateUserInput, now: Date): Promise<User> {
  await assertAssignableRole(trx, ctx, input.roleId, now)
  const clash = await store.findIdByEmail(trx, ctx.merchantId, input.email)
  if (clash) throw new AppError('user_email_taken', 'Someone in this workspace already has this email')
  const user: User = {
    id: newId(),
    email: input.email.trim(),
    name: input.name.trim(),
    role_id: input.roleId,
    status: 'active',
    created_at: now,
    updated_at: now,
    last_login_at: null,
  }
  await store.insertUser(trx, {
    merchant_id: ctx.merchantId,
    ...user,
    password_hash: await hashPassword(input.password),
    password_changed_at: now,
  })
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'user.created',
      entityType: 'user',
      entityId: user.id,
      after: { email: user.email, name: user.name, role_id: user.role_id, status: user.status },
      personal,
    },
    now,
  )
  return user
}

// A workspace always keeps one active admin, or nobody could manage people, roles or keys again.
async function assertNotLastAdmin(trx: Trx, merchantId: string, user: User) {
  const admin = await findBuiltinRoleId(trx, merchantId, 'admin')
  if (user.role_id !== admin) return
  const others = await store.lockOtherActiveHolders(trx, merchantId, admin, user.id)
  if (!others.length)
    throw new AppError('last_admin', 'This is the last active admin; make someone else admin first', {
      user_id: user.id,
    })
}

export type UpdateUserInput = { name?: string; roleId?: string; status?: 'active' | 'disabled' }

export async function updateUser(
  trx: Trx,
  ctx: ServiceContext,
  id: string,
  input: UpdateUserInput,
  now: Date,
): Promise<User> {
  const before = await store.lockUser(trx, ctx.merchantId, id)
  if (!before) throw new AppError('user_not_found', 'No such user', { user_id: id })
  // Changing or disabling someone is bounded like creating them: a people manager cannot disable an admin.
  await assertCoversRole(trx, ctx.actor, before.role_id, now)
  if (input.roleId && input.roleId !== before.role_id) await assertAssignableRole(trx, ctx, input.roleId, now)
  if (id === ctx.actor.id && (input.status === 'disabled' || (input.roleId && input.roleId !== before.role_id))) {
    throw new AppError('cannot_change_self', 'You cannot disable yourself or change your own role')
  }
  const losesAdmin = input.status === 'disabled' || (input.roleId !== undefined && input.roleId !== before.role_id)
  if (losesAdmin && before.status === 'active') await assertNotLastAdmin(trx, ctx.merchantId, before)
  const after = await store.updateUser(trx, ctx.merchantId, id, {
    ...(input.name ? { name: input.name.trim() } : {}),
    ...(input.roleId ? { role_id: input.roleId } : {}),
    ...(input.status ? { status: input.status } : {}),
    updated_at: now,
  })
  if (input.status === 'disabled') await revokeSessions(trx, ctx.merchantId, { userId: id }, now)
  const view = (u: User) => ({ name: u.name, role_id: u.role_id, status: u.status })
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'user.updated',
      entityType: 'user',
      entityId: id,
      before: view(before),
      after: view(after),
      personal,
    },
    now,
  )
  return after
}
