import type { Kysely, Transaction } from 'kysely'
import { auditActor, type Actor, type ServiceContext } from '../auth/actor.js'
import { decoyHash, hashPassword, verifyPassword } from '../auth/passwords.js'
import * as credentials from '../auth/service.js'
import { recordAudit } from '../audit/service.js'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import { listWorkspaceSlugs } from '../merchants/service.js'
import { loadGrants } from '../roles/service.js'
import * as store from './store.js'

// People signing in with a password: auth keeps the sessions and the failed attempts, this module the people.

type Db = Kysely<Database>
type Trx = Transaction<Database>

const { loginLimits } = credentials

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
    credentials.countRecentFailures(db, { emailKey }, since),
    credentials.countRecentFailures(db, { ip: input.ip }, since),
  ])
  const windowSeconds = loginLimits.windowMs / 1000
  if (byEmail >= loginLimits.perEmail) {
    const details = { retry_after_seconds: windowSeconds }
    throw new AppError('too_many_attempts', 'Too many failed sign-ins; try again later', details)
  }
  let candidates = (await findSignInCandidates(db, emailKey)).filter((u) => u.status === 'active')
  if (input.workspace) candidates = candidates.filter((u) => u.slug === input.workspace)
  const matches = []
  for (const u of candidates) if (await verifyPassword(u.password_hash, input.password)) matches.push(u)
  if (candidates.length === 0) await verifyPassword(await decoyHash(), input.password)
  if (matches.length === 0) await credentials.recordFailedLogin(db, emailKey, input.ip, now)
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
  const session = await db.transaction().execute(async (trx) => {
    const started = await credentials.startSession(
      trx,
      { merchantId: user.merchant_id, userId: user.id, ip: input.ip, userAgent: input.userAgent },
      now,
      ttlHours,
    )
    await store.setLastLogin(trx, user.merchant_id, user.id, now)
    await credentials.clearFailedLogins(trx, emailKey)
    return started
  })
  return { ...session, merchantId: user.merchant_id, userId: user.id }
}

/** Everyone with this email in any workspace, with the workspace's slug. */
async function findSignInCandidates(db: Db, email: string) {
  const users = await store.listByEmail(db, email)
  if (!users.length) return []
  const slugs = await listWorkspaceSlugs(db, { ids: [...new Set(users.map((u) => u.merchant_id))] })
  return users.map((u) => ({ ...u, slug: slugs.find((m) => m.id === u.merchant_id)!.slug }))
}

export type SessionActor = Actor & { sessionId: string; csrfToken: string }

/** The person a session cookie signs in, while the session lives and the person is active. */
export async function resolveSession(
  db: Db,
  token: string,
  now: Date,
  ttlHours: number,
): Promise<SessionActor | undefined> {
  const s = await credentials.findLiveSession(db, token, now)
  if (!s) return undefined
  const user = await store.findUser(db, s.merchantId, s.userId)
  if (user?.status !== 'active') return undefined
  await credentials.extendSession(db, s, now, ttlHours)
  return {
    type: 'user',
    id: user.id,
    merchantId: s.merchantId,
    name: user.name,
    roleId: user.role_id,
    grants: await loadGrants(db, s.merchantId, user.role_id),
    sessionId: s.id,
    csrfToken: s.csrfToken,
  }
}

export async function changePassword(
  trx: Trx,
  ctx: ServiceContext,
  input: { current: string; next: string },
  now: Date,
): Promise<void> {
  const { actor } = ctx
  if (actor.type !== 'user' || !actor.id)
    throw new AppError('forbidden', 'Only a signed-in person can change a password')
  const user = await store.lockPasswordHash(trx, ctx.merchantId, actor.id)
  if (!(await verifyPassword(user.password_hash, input.current)))
    throw new AppError('invalid_credentials', 'The current password is wrong')
  if (input.current === input.next)
    throw new AppError('password_unchanged', 'The new password must differ from the current one')
  await store.setPasswordHash(trx, ctx.merchantId, actor.id, await hashPassword(input.next), now)
  // Every other session of this person ends: a changed password is often a response to a leak.
  await credentials.revokeSessions(trx, ctx.merchantId, { userId: actor.id, exceptId: actor.sessionId }, now)
  await recordAudit(
    trx,
    {
      merchantId: ctx.merchantId,
      actor: auditActor(actor),
      action: 'user.password_changed',
      entityType: 'user',
      entityId: actor.id,
      before: { password: 'old' },
      after: { password: 'new' },
      secret: ['password'],
      requestId: ctx.requestId,
    },
    now,
  )
}
