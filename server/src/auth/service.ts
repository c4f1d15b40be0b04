import { createHash, timingSafeEqual } from 'node:crypto'
import type { Kysely, Transaction } from 'kysely'
import { recordAudit } from '../audit/service.js'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import { newId, randomToken } from '../ids.js'
import { auditActor, grantsOf, loadGrants, type Actor } from './actor.js'
import { assertCoversRole } from './limits.js'
import { decoyHash, hashPassword, verifyPassword } from './passwords.js'
import * as store from './store.js'

type Db = Kysely<Database>
type Trx = Transaction<Database>

export const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest()

export const loginLimits = { windowMs: 15 * 60_000, perEmail: 5, perIp: 50 }
const absoluteSessionMs = 30 * 24 * 3600_000

export type LoginInput = { email: string; password: string; workspace?: string; ip: string; userAgent?: string }
export type LoginResult = { token: string; csrfToken: string; expiresAt: Date; merchantId: string; userId: string }

/**
 * Two throttles, after OWASP's authentication cheat sheet: lock accounts, slow addresses, never lock out by address.
 * An email with 5 failures in the window is locked for everyone, the right password included.
 * An address with 50 failures is "hot". Many people can share one (an office, a NAT, a proxy without TRUST_PROXY),
 * so it is slowed, not shut: from it an account gets one guess per window (the right password for an untouched
 * account signs in; a miss, or any password for an account already missed, is the same 429), and each further
 * failure doubles the Retry-After. The password is checked before the address rule answers, so a refusal costs
 * and takes as long as a real attempt and tells nothing that the attempt would not.
 */
export async function login(db: Db, input: LoginInput, now: Date, ttlHours: number): Promise<LoginResult> {
  const emailKey = input.email.trim().toLowerCase()
  const since = new Date(now.getTime() - loginLimits.windowMs)
  const [byEmail, byIp] = await Promise.all([
    store.countRecentFailures(db, { emailKey }, since),
    store.countRecentFailures(db, { ip: input.ip }, since),
  ])
  const windowSeconds = loginLimits.windowMs / 1000
  if (byEmail >= loginLimits.perEmail) {
    const details = { retry_after_seconds: windowSeconds }
    throw new AppError('too_many_attempts', 'Too many failed sign-ins; try again later', details)
  }
  let candidates = (await store.findUsersByEmail(db, emailKey)).filter((u) => u.status === 'active')
  if (input.workspace) candidates = candidates.filter((u) => u.slug === input.workspace)
  const matches = []
  for (const u of candidates) if (await verifyPassword(u.password_hash, input.password)) matches.push(u)
  if (candidates.length === 0) await verifyPassword(await decoyHash(), input.password)
  if (matches.length === 0) {
    await store.insertLoginAttempt(db, { id: newId(), email_key: emailKey, ip: input.ip, succeeded: false, at: now })
  }
  if (byIp >= loginLimits.perIp && (matches.length === 0 || byEmail > 0)) {
    const wait = Math.min(windowSeconds, 2 ** Math.min(byIp - loginLimits.perIp, 10))
    throw new AppError('too_many_attempts', 'Too many failed sign-ins from this address; try again later', {
      retry_after_seconds: wait,
    })
  }
  if (matches.length === 0) throw new AppError('invalid_credentials', 'Email or password is wrong')
  // Only someone who knows the password learns that the email has several workspaces.
  if (matches.length > 1) {
    throw new AppError('workspace_required', 'This email belongs to several workspaces; name one', {
      workspaces: matches.map((m) => m.slug),
    })
  }
  const user = matches[0]!
  const token = randomToken(32)
  const csrfToken = randomToken(24)
  const expiresAt = new Date(now.getTime() + ttlHours * 3600_000)
  await db.transaction().execute(async (trx) => {
    await store.insertSession(trx, {
      merchant_id: user.merchant_id,
      id: newId(),
      user_id: user.id,
      token_hash: sha256(token),
      csrf_token: csrfToken,
      ip: input.ip,
      user_agent: input.userAgent?.slice(0, 500) ?? null,
      created_at: now,
      last_seen_at: now,
      expires_at: expiresAt,
      revoked_at: null,
    })
    await trx
      .updateTable('users')
      .set({ last_login_at: now })
      .where('merchant_id', '=', user.merchant_id)
      .where('id', '=', user.id)
      .execute()
    await store.clearFailures(trx, emailKey)
  })
  return { token, csrfToken, expiresAt, merchantId: user.merchant_id, userId: user.id }
}

export type SessionActor = Actor & { sessionId: string; csrfToken: string }

/** Sliding expiry, capped at 30 days from sign-in; touched at most once a minute to spare writes. */
export async function resolveSession(
  db: Db,
  token: string,
  now: Date,
  ttlHours: number,
): Promise<SessionActor | undefined> {
  const s = await store.findSessionByTokenHash(db, sha256(token))
  if (!s || s.revoked_at || s.expires_at <= now || s.status !== 'active') return undefined
  if (now.getTime() - s.last_seen_at.getTime() > 60_000) {
    const expiresAt = new Date(
      Math.min(now.getTime() + ttlHours * 3600_000, s.created_at.getTime() + absoluteSessionMs),
    )
    await store.touchSession(db, s.merchant_id, s.id, now, expiresAt)
  }
  return {
    type: 'user',
    id: s.user_id,
    merchantId: s.merchant_id,
    name: s.name,
    roleId: s.role_id,
    grants: await loadGrants(db, s.merchant_id, s.role_id, s.builtin_key),
    sessionId: s.id,
    csrfToken: s.csrf_token,
  }
}

export async function resolveApiKey(db: Db, key: string, now: Date): Promise<Actor | undefined> {
  const k = await store.findApiKeyByHash(db, sha256(key))
  if (!k || k.revoked_at || (k.expires_at && k.expires_at <= now)) return undefined
  if (!k.last_used_at || now.getTime() - k.last_used_at.getTime() > 60_000)
    await store.touchApiKey(db, k.merchant_id, k.id, now)
  return {
    type: 'api_key',
    id: k.id,
    merchantId: k.merchant_id,
    name: k.name,
    roleId: k.role_id,
    grants: await loadGrants(db, k.merchant_id, k.role_id, k.builtin_key),
  }
}

// Compares digests, so neither the contents nor the length of the secret shows in the timing.
export const safeEqual = (a: string, b: string): boolean => timingSafeEqual(sha256(a), sha256(b))

export async function logout(trx: Trx, actor: Actor, now: Date): Promise<void> {
  if (actor.sessionId) await store.revokeSessions(trx, actor.merchantId, { id: actor.sessionId }, now)
}

export async function changePassword(
  trx: Trx,
  actor: Actor,
  input: { current: string; next: string; requestId?: string },
  now: Date,
): Promise<void> {
  if (actor.type !== 'user' || !actor.id)
    throw new AppError('forbidden', 'Only a signed-in person can change a password')
  const user = await trx
    .selectFrom('users')
    .select(['password_hash'])
    .where('merchant_id', '=', actor.merchantId)
    .where('id', '=', actor.id)
    .forUpdate()
    .executeTakeFirstOrThrow()
  if (!(await verifyPassword(user.password_hash, input.current)))
    throw new AppError('invalid_credentials', 'The current password is wrong')
  if (input.current === input.next)
    throw new AppError('password_unchanged', 'The new password must differ from the current one')
  await trx
    .updateTable('users')
    .set({ password_hash: await hashPassword(input.next), password_changed_at: now, updated_at: now })
    .where('merchant_id', '=', actor.merchantId)
    .where('id', '=', actor.id)
    .execute()
  // Every other session of this person ends: a changed password is often a response to a leak.
  await store.revokeSessions(trx, actor.merchantId, { userId: actor.id, exceptId: actor.sessionId }, now)
  await recordAudit(
    trx,
    {
      merchantId: actor.merchantId,
      actor: auditActor(actor),
      action: 'user.password_changed',
      entityType: 'user',
      entityId: actor.id,
      before: { password: 'old' },
      after: { password: 'new' },
      secret: ['password'],
      requestId: input.requestId,
    },
    now,
  )
}

export type ApiKeyView = {
  id: string
  name: string
  prefix: string
  role_id: string
  created_by: string | null
  created_at: Date
  last_used_at: Date | null
  expires_at: Date | null
  revoked_at: Date | null
}

async function assertRole(trx: Trx, merchantId: string, roleId: string) {
  const role = await trx
    .selectFrom('roles')
    .select('id')
    .where('merchant_id', '=', merchantId)
    .where('id', '=', roleId)
    .executeTakeFirst()
  if (!role) throw new AppError('role_not_found', 'No such role', { role_id: roleId })
}

export async function createApiKey(
  trx: Trx,
  actor: Actor,
  input: { name: string; roleId: string; expiresAt?: Date | null; key?: string; requestId?: string },
  now: Date,
): Promise<{ key: string; view: ApiKeyView }> {
  if (input.expiresAt && input.expiresAt <= now) {
    throw new AppError('validation_failed', 'The request is not valid', {
      errors: [{ path: 'body/expires_at', message: 'must be in the future' }],
    })
  }
  await assertRole(trx, actor.merchantId, input.roleId)
  // A key may not carry more than its creator holds (a manager can't mint an admin key), bounds included.
  await assertCoversRole(trx, actor, input.roleId, now)
  const key = input.key ?? `cd_${randomToken(30)}`
  const id = newId()
  const view: ApiKeyView = {
    // A provided token (CLAIMDESK_ADMIN_TOKEN) may be short: show less of it than of a generated key.
    id,
    name: input.name,
    prefix: input.key ? `${key.slice(0, 4)}…` : key.slice(0, 11),
    role_id: input.roleId,
    created_by: actor.type === 'user' ? actor.id : null,
    created_at: now,
    last_used_at: null,
    expires_at: input.expiresAt ?? null,
    revoked_at: null,
  }
  await store.insertApiKey(trx, { merchant_id: actor.merchantId, ...view, secret_hash: sha256(key) })
  await recordAudit(
    trx,
    {
      merchantId: actor.merchantId,
      actor: auditActor(actor),
      action: 'api_key.created',
      entityType: 'api_key',
      entityId: id,
      after: { name: view.name, prefix: view.prefix, role_id: view.role_id, expires_at: view.expires_at },
      requestId: input.requestId,
    },
    now,
  )
  return { key, view }
}

export async function listApiKeys(
  db: Db,
  merchantId: string,
  page: { after?: string; limit: number },
): Promise<ApiKeyView[]> {
  return store.listApiKeys(db, merchantId, page)
}

export async function revokeApiKey(
  trx: Trx,
  actor: Actor,
  id: string,
  now: Date,
  requestId?: string,
): Promise<ApiKeyView> {
  const k = await store.lockApiKey(trx, actor.merchantId, id)
  if (!k) throw new AppError('api_key_not_found', 'No such API key', { api_key_id: id })
  // Revoking is bounded like minting: a key clerk cannot take an admin's key away.
  await assertCoversRole(trx, actor, k.role_id, now)
  if (k.revoked_at) return k
  await store.revokeApiKey(trx, actor.merchantId, id, now)
  await recordAudit(
    trx,
    {
      merchantId: actor.merchantId,
      actor: auditActor(actor),
      action: 'api_key.revoked',
      entityType: 'api_key',
      entityId: id,
      before: { revoked_at: null },
      after: { revoked_at: now },
      requestId,
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
  const existing = await store.findApiKeyByHash(trx, sha256(token))
  if (existing && existing.merchant_id === merchantId && !existing.revoked_at) return 'exists'
  if (existing)
    throw new AppError(
      'conflict',
      'CLAIMDESK_ADMIN_TOKEN is already used by a revoked key or another workspace; choose a new value',
    )
  const admin = await trx
    .selectFrom('roles')
    .select('id')
    .where('merchant_id', '=', merchantId)
    .where('builtin_key', '=', 'admin')
    .executeTakeFirstOrThrow()
  const system: Actor = {
    type: 'system',
    id: null,
    merchantId,
    name: 'system',
    roleId: null,
    grants: grantsOf('admin', []),
  }
  await createApiKey(trx, system, { name: 'CLAIMDESK_ADMIN_TOKEN', roleId: admin.id, key: token }, now)
  return 'created'
}
