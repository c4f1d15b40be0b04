import type { Insertable, Updateable } from 'kysely'
import {
  type Db,
  type Trx,
  deleteKeyed,
  deleteOwned,
  ownedRows,
  selectKeyed,
  selectOwned,
  updateKeyed,
} from '../db/owned.js'
import type { Database } from '../db/schema.js'

const columns = ['id', 'builtin_key', 'name', 'description', 'created_at', 'updated_at'] as const

export async function insertRole(trx: Trx, row: Insertable<Database['roles']>) {
  await trx.insertInto('roles').values(row).execute()
}

export async function listRoles(db: Db, merchantId: string) {
  return selectOwned(db, 'roles', merchantId).select(columns).orderBy('id').execute()
}

export async function findRole(db: Db, merchantId: string, id: string) {
  return selectKeyed(db, 'roles', merchantId, id).select(columns).executeTakeFirst()
}

export async function findBuiltinKey(db: Db, merchantId: string, id: string) {
  return selectKeyed(db, 'roles', merchantId, id).select('builtin_key').executeTakeFirst()
}

export async function findBuiltinRoleId(db: Db, merchantId: string, key: string) {
  return selectOwned(db, 'roles', merchantId).select('id').where('builtin_key', '=', key).executeTakeFirst()
}

/** The roles that hold `permission`: built-in ones by key (declared in code), custom ones by their rows. */
export async function listRoleIdsHolding(db: Db, merchantId: string, builtinKeys: string[], permission: string) {
  const rows = await db
    .selectFrom('roles')
    .select('roles.id')
    .where('roles.merchant_id', '=', merchantId)
    .where((r) =>
      r.or([
        r('roles.builtin_key', 'in', builtinKeys.length ? builtinKeys : ['']),
        r.exists(
          r
            .selectFrom('role_permissions')
            .select('role_permissions.role_id')
            .whereRef('role_permissions.merchant_id', '=', 'roles.merchant_id')
            .whereRef('role_permissions.role_id', '=', 'roles.id')
            .where('role_permissions.permission', '=', permission),
        ),
      ]),
    )
    .execute()
  return rows.map((r) => r.id)
}

export async function updateRole(trx: Trx, merchantId: string, id: string, patch: Updateable<Database['roles']>) {
  await updateKeyed(trx, 'roles', merchantId, id).set(patch).execute()
}

export async function deleteRole(trx: Trx, merchantId: string, id: string) {
  await deleteKeyed(trx, 'roles', merchantId, id)
}

export async function listPermissions(db: Db, merchantId: string, roleIds: string[]) {
  return ownedRows(db, 'role_permissions', merchantId).where('role_id', 'in', roleIds).orderBy('permission').execute()
}

export async function listGrantRows(db: Db, merchantId: string, roleId: string) {
  return selectOwned(db, 'role_permissions', merchantId)
    .select(['permission', 'limit_amount_minor', 'limit_currency'])
    .where('role_id', '=', roleId)
    .execute()
}

export async function deletePermissions(trx: Trx, merchantId: string, roleId: string) {
  await deleteOwned(trx, 'role_permissions', merchantId).where('role_id', '=', roleId).execute()
}

export async function insertPermissions(trx: Trx, rows: Insertable<Database['role_permissions']>[]) {
  await trx.insertInto('role_permissions').values(rows).execute()
}
