import type { Kysely, Transaction } from 'kysely'
import { systemContext, type Actor, type ServiceContext } from '../auth/actor.js'
import { recordAuditFor } from '../changes.js'
import * as credentials from '../auth/service.js'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import { newId, randomToken } from '../ids.js'
import { assertCoversRole, assertRoleExists, findBuiltinRoleId, loadGrants } from './service.js'

// An API key acts with a role, so issuing one is bounded like handing out that role: auth keeps the keys, this
// module decides who may mint or revoke them.

type Trx = Transaction<Database>

export type ApiKeyView = credentials.ApiKeyView

/** The actor an API key acts as, if the key is live. */
export async function resolveApiKey(db: Kysely<Database>, key: string, now: Date): Promise<Actor | undefined> {
  const k = await credentials.findLiveApiKey(db, key, now)
  if (!k) return undefined
  return {
    type: 'api_key',
    id: k.id,
    merchantId: k.merchantId,
    name: k.name,
    roleId: k.roleId,
    grants: await loadGrants(db, k.merchantId, k.roleId),
  }
}

export async function createApiKey(
  trx: Trx,
  ctx: ServiceContext,
  input: { name: string; roleId: string; expiresAt?: Date | null; key?: string },
  now: Date,
): Promise<{ key: string; view: ApiKeyView }> {
  if (input.expiresAt && input.expiresAt <= now) {
    throw new AppError('validation_failed', 'The request is not valid', {
      errors: [{ path: 'body/expires_at', message: 'must be in the future' }],
    })
  }
  await assertRoleExists(trx, ctx.merchantId, input.roleId)
  // A key may not carry more than its creator holds (a manager can't mint an admin key), bounds included.
  await assertCoversRole(trx, ctx.actor, input.roleId, now)
  const key = input.key ?? `cd_${randomToken(30)}`
  const id = newId()
  const view: ApiKeyView = {
    // A provided token (CLAIMDESK_ADMIN_TOKEN) may be short: show less of it than of a generated key.
    id,
    name: input.name,
    prefix: input.key ? `${key.slice(0, 4)}…` : key.slice(0, 11),
    role_id: input.roleId,
    created_by: ctx.actor.type === 'user' ? ctx.actor.id : null,
    created_at: now,
    last_used_at: null,
    expires_at: input.expiresAt ?? null,
    revoked_at: null,
  }
  await credentials.insertApiKey(trx, ctx.merchantId, view, key)
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'api_key.created',
      entityType: 'api_key',
      entityId: id,
      after: { name: view.name, prefix: view.prefix, role_id: view.role_id, expires_at: view.expires_at },
    },
    now,
  )
  return { key, view }
}

export async function revokeApiKey(trx: Trx, ctx: ServiceContext, id: string, now: Date): Promise<ApiKeyView> {
  const k = await credentials.lockApiKey(trx, ctx.merchantId, id)
  if (!k) throw new AppError('api_key_not_found', 'No such API key', { api_key_id: id })
  // Revoking is bounded like minting: a key clerk cannot take an admin's key away.
  await assertCoversRole(trx, ctx.actor, k.role_id, now)
  if (k.revoked_at) return k
  await credentials.markApiKeyRevoked(trx, ctx.merchantId, id, now)
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'api_key.revoked',
      entityType: 'api_key',
      entityId: id,
      before: { revoked_at: null },
      after: { revoked_at: now },
    },
    now,
  )
  return { ...k, revoked_at: now }
}

/** CLAIMDESK_ADMIN_TOKEN: make sure an unrevoked admin key with exactly this value exists. */
export async function ensureAdminKey(
  trx: Trx,
  merchantId: string,
  token: string,
  now: Date,
): Promise<'created' | 'exists'> {
  const existing = await credentials.findApiKeyHolder(trx, token)
  if (existing && existing.merchantId === merchantId && !existing.revoked) return 'exists'
  if (existing)
    throw new AppError(
      'conflict',
      'CLAIMDESK_ADMIN_TOKEN is already used by a revoked key or another workspace; choose a new value',
    )
  const admin = await findBuiltinRoleId(trx, merchantId, 'admin')
  await createApiKey(trx, systemContext(merchantId), { name: 'CLAIMDESK_ADMIN_TOKEN', roleId: admin, key: token }, now)
  return 'created'
}
