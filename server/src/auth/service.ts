import { createHash, timingSafeEqual } from 'node:crypto'
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../db/schema.js'
import { newId, randomToken } from '../ids.js'
import type { ServiceContext } from './actor.js'
import * as store from './store.js'

// Credentials: sessions, API keys and failed sign-ins. Who holds them (people, roles) is the users and roles
// modules' business: they sit above auth (they act through its Actor), so they call these functions, never the
// other way round.

type Db = Kysely<Database>
type Trx = Transaction<Database>

export const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest()

// Compares digests, so neither the contents nor the length of the secret shows in the timing.
export const safeEqual = (a: string, b: string): boolean => timingSafeEqual(sha256(a), sha256(b))

export const loginLimits = { windowMs: 15 * 60_000, perEmail: 5, perIp: 50 }
const absoluteSessionMs = 30 * 24 * 3600_000

export async function countRecentFailures(db: Db, by: { emailKey?: string; ip?: string }, since: Date) {
  return store.countRecentFailures(db, by, since)
}

export async function recordFailedLogin(db: Db, emailKey: string, ip: string, now: Date): Promise<void> {
  await store.insertLoginAttempt(db, { id: newId(), email_key: emailKey, ip, succeeded: false, at: now })
}

export async function clearFailedLogins(trx: Trx, emailKey: string): Promise<void> {
  await store.clearFailures(trx, emailKey)
}

export type NewSession = { token: string; csrfToken: string; expiresAt: Date }

export async function startSession(
  trx: Trx,
  input: { merchantId: string; userId: string; ip: string; userAgent?: string },
  now: Date,
  ttlHours: number,
): Promise<NewSession> {
  const token = randomToken(32)
  const csrfToken = randomToken(24)
  const expiresAt = new Date(now.getTime() + ttlHours * 3600_000)
  await store.insertSession(trx, {
    merchant_id: input.merchantId,
    id: newId(),
    user_id: input.userId,
    token_hash: sha256(token),
    csrf_token: csrfToken,
    ip: input.ip,
    user_agent: input.userAgent?.slice(0, 500) ?? null,
    created_at: now,
    last_seen_at: now,
    expires_at: expiresAt,
    revoked_at: null,
  })
  return { token, csrfToken, expiresAt }
}

export type LiveSession = {
  merchantId: string
  id: string
  userId: string
  csrfToken: string
  createdAt: Date
  lastSeenAt: Date
}

/** The unrevoked, unexpired session this token opens, if any. */
export async function findLiveSession(db: Db, token: string, now: Date): Promise<LiveSession | undefined> {
  const s = await store.findSessionByTokenHash(db, sha256(token))
  if (!s || s.revoked_at || s.expires_at <= now) return undefined
  return {
    merchantId: s.merchant_id,
    id: s.id,
    userId: s.user_id,
    csrfToken: s.csrf_token,
    createdAt: s.created_at,
    lastSeenAt: s.last_seen_at,
  }
}

/** Sliding expiry, capped at 30 days from sign-in; touched at most once a minute to spare writes. */
export async function extendSession(db: Db, s: LiveSession, now: Date, ttlHours: number): Promise<void> {
  if (now.getTime() - s.lastSeenAt.getTime() <= 60_000) return
  const expiresAt = new Date(Math.min(now.getTime() + ttlHours * 3600_000, s.createdAt.getTime() + absoluteSessionMs))
  await store.touchSession(db, s.merchantId, s.id, now, expiresAt)
}

/** Ends a person's sessions (`exceptId`: all but the one in use), or one session (`id`). */
export async function revokeSessions(
  trx: Trx,
  merchantId: string,
  filter: { id?: string; userId?: string; exceptId?: string },
  now: Date,
): Promise<void> {
  await store.revokeSessions(trx, merchantId, filter, now)
}

export async function logout(trx: Trx, ctx: ServiceContext, now: Date): Promise<void> {
  if (ctx.actor.sessionId) await store.revokeSessions(trx, ctx.merchantId, { id: ctx.actor.sessionId }, now)
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

export type LiveApiKey = { merchantId: string; id: string; name: string; roleId: string }

export async function findLiveApiKey(db: Db, key: string, now: Date): Promise<LiveApiKey | undefined> {
  const k = await store.findApiKeyByHash(db, sha256(key))
  if (!k || k.revoked_at || (k.expires_at && k.expires_at <= now)) return undefined
  if (!k.last_used_at || now.getTime() - k.last_used_at.getTime() > 60_000)
    await store.touchApiKey(db, k.merchant_id, k.id, now)
  return { merchantId: k.merchant_id, id: k.id, name: k.name, roleId: k.role_id }
}

/** Who holds a key with this value, revoked or not (CLAIMDESK_ADMIN_TOKEN must not reuse one). */
export async function findApiKeyHolder(
  db: Db | Trx,
  key: string,
): Promise<{ merchantId: string; revoked: boolean } | undefined> {
  const k = await store.findApiKeyByHash(db, sha256(key))
  return k && { merchantId: k.merchant_id, revoked: k.revoked_at !== null }
}

export async function insertApiKey(trx: Trx, merchantId: string, view: ApiKeyView, key: string): Promise<void> {
  await store.insertApiKey(trx, { merchant_id: merchantId, ...view, secret_hash: sha256(key) })
}

export async function listApiKeys(
  db: Db,
  merchantId: string,
  page: { after?: string; limit: number },
): Promise<ApiKeyView[]> {
  return store.listApiKeys(db, merchantId, page)
}

export async function lockApiKey(trx: Trx, merchantId: string, id: string): Promise<ApiKeyView | undefined> {
  return store.lockApiKey(trx, merchantId, id)
}

export async function markApiKeyRevoked(trx: Trx, merchantId: string, id: string, now: Date): Promise<void> {
  await store.revokeApiKey(trx, merchantId, id, now)
}

/** Housekeeping: failed sign-ins older than a day, sessions expired a week ago. */
export async function purgeCredentials(db: Db, now: Date): Promise<void> {
  await store.deleteLoginAttemptsBefore(db, new Date(now.getTime() - 24 * 3600_000))
  await store.deleteSessionsExpiredBefore(db, new Date(now.getTime() - 7 * 24 * 3600_000))
}
