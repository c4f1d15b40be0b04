import type { Kysely, Transaction } from 'kysely'
import { auditActor, type Actor } from '../auth/actor.js'
import { assertCoversRole } from '../auth/limits.js'
import { hashPassword } from '../auth/passwords.js'
import { builtinRolePermissions, builtinRoles, type Permission } from '../auth/permissions.js'
import { recordAudit, type AuditActor } from '../audit/service.js'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import { newId } from '../ids.js'

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
const columns = ['id', 'email', 'name', 'role_id', 'status', 'created_at', 'updated_at', 'last_login_at'] as const
const personal = ['email', 'name'] as const

export async function getUser(db: Db, merchantId: string, id: string): Promise<User> {
  const row = await db
    .selectFrom('users')
    .select(columns)
    .where('merchant_id', '=', merchantId)
    .where('id', '=', id)
    .executeTakeFirst()
  if (!row) throw new AppError('user_not_found', 'No such user', { user_id: id })
  return row
}

export async function listUsers(
  db: Db,
  merchantId: string,
  page: { after?: string; limit: number; status?: string; permission?: Permission },
): Promise<User[]> {
  let q = db.selectFrom('users').select(columns).where('merchant_id', '=', merchantId).orderBy('id').limit(page.limit)
  if (page.after) q = q.where('id', '>', page.after)
  if (page.status) q = q.where('status', '=', page.status as User['status'])
  const permission = page.permission
  if (permission) {
    // Built-in roles' permissions are declared in code, custom roles' in role_permissions. Admin holds every one.
    const builtin = builtinRoles.filter((r) => builtinRolePermissions[r].includes(permission))
    q = q.where('role_id', 'in', (eb) =>
      eb
        .selectFrom('roles')
        .select('roles.id')
        .where('roles.merchant_id', '=', merchantId)
        .where((r) =>
          r.or([
            r('roles.builtin_key', 'in', builtin),
            r.exists(
              r
                .selectFrom('role_permissions')
                .select('role_permissions.role_id')
                .whereRef('role_permissions.merchant_id', '=', 'roles.merchant_id')
                .whereRef('role_permissions.role_id', '=', 'roles.id')
                .where('role_permissions.permission', '=', permission),
            ),
          ]),
        ),
    )
  }
  return q.execute()
}

async function assertAssignableRole(trx: Trx, actor: Actor | null, merchantId: string, roleId: string, now: Date) {
  const role = await trx
    .selectFrom('roles')
    .select('id')
    .where('merchant_id', '=', merchantId)
    .where('id', '=', roleId)
    .executeTakeFirst()
  if (!role) throw new AppError('role_not_found', 'No such role', { role_id: roleId })
  if (actor) await assertCoversRole(trx, actor, roleId, now)
}

export type CreateUserInput = { email: string; name: string; password: string; roleId: string; requestId?: string }

/** `actor` null: created by the CLI or seed, outside any person's permissions. */
export async function createUser(
  trx: Trx,
  merchantId: string,
  actor: Actor | null,
  input: CreateUserInput,
  now: Date,
): Promise<User> {
  await assertAssignableRole(trx, actor, merchantId, input.roleId, now)
  const clash = await trx
    .selectFrom('users')
    .select('id')
    .where('merchant_id', '=', merchantId)
    .where((eb) => eb(eb.fn('lower', ['email']), '=', input.email.toLowerCase()))
    .executeTakeFirst()
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
  await trx
    .insertInto('users')
    .values({
      merchant_id: merchantId,
      ...user,
      password_hash: await hashPassword(input.password),
      password_changed_at: now,
    })
    .execute()
  const by: AuditActor = actor ? auditActor(actor) : { type: 'system', id: null }
  await recordAudit(
    trx,
    {
      merchantId,
      actor: by,
      action: 'user.created',
      entityType: 'user',
      entityId: user.id,
      after: { email: user.email, name: user.name, role_id: user.role_id, status: user.status },
      personal,
      requestId: input.requestId,
    },
    now,
  )
  return user
}

// A workspace always keeps one active admin, or nobody could manage people, roles or keys again.
async function assertNotLastAdmin(trx: Trx, merchantId: string, user: User) {
  const admin = await trx
    .selectFrom('roles')
    .select('id')
    .where('merchant_id', '=', merchantId)
    .where('builtin_key', '=', 'admin')
    .executeTakeFirstOrThrow()
  if (user.role_id !== admin.id) return
  // Locked so two concurrent demotions cannot each see the other as the remaining admin.
  const others = await trx
    .selectFrom('users')
    .select('id')
    .where('merchant_id', '=', merchantId)
    .where('role_id', '=', admin.id)
    .where('status', '=', 'active')
    .where('id', '<>', user.id)
    .forUpdate()
    .execute()
  if (!others.length)
    throw new AppError('last_admin', 'This is the last active admin; make someone else admin first', {
      user_id: user.id,
    })
}

export type UpdateUserInput = { name?: string; roleId?: string; status?: 'active' | 'disabled'; requestId?: string }

export async function updateUser(trx: Trx, actor: Actor, id: string, input: UpdateUserInput, now: Date): Promise<User> {
  const before = await trx
    .selectFrom('users')
    .select(columns)
    .where('merchant_id', '=', actor.merchantId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()
  if (!before) throw new AppError('user_not_found', 'No such user', { user_id: id })
  // Changing or disabling someone is bounded like creating them: a people manager cannot disable an admin.
  await assertCoversRole(trx, actor, before.role_id, now)
  if (input.roleId && input.roleId !== before.role_id)
    await assertAssignableRole(trx, actor, actor.merchantId, input.roleId, now)
  if (id === actor.id && (input.status === 'disabled' || (input.roleId && input.roleId !== before.role_id))) {
    throw new AppError('cannot_change_self', 'You cannot disable yourself or change your own role')
  }
  const losesAdmin = input.status === 'disabled' || (input.roleId !== undefined && input.roleId !== before.role_id)
  if (losesAdmin && before.status === 'active') await assertNotLastAdmin(trx, actor.merchantId, before)
  const after = await trx
    .updateTable('users')
    .set({
      ...(input.name ? { name: input.name.trim() } : {}),
      ...(input.roleId ? { role_id: input.roleId } : {}),
      ...(input.status ? { status: input.status } : {}),
      updated_at: now,
    })
    .where('merchant_id', '=', actor.merchantId)
    .where('id', '=', id)
    .returning(columns)
    .executeTakeFirstOrThrow()
  if (input.status === 'disabled') {
    await trx
      .updateTable('sessions')
      .set({ revoked_at: now })
      .where('merchant_id', '=', actor.merchantId)
      .where('user_id', '=', id)
      .where('revoked_at', 'is', null)
      .execute()
  }
  const view = (u: User) => ({ name: u.name, role_id: u.role_id, status: u.status })
  await recordAudit(
    trx,
    {
      merchantId: actor.merchantId,
      actor: auditActor(actor),
      action: 'user.updated',
      entityType: 'user',
      entityId: id,
      before: view(before),
      after: view(after),
      personal,
      requestId: input.requestId,
    },
    now,
  )
  return after
}
