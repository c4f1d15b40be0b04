import { requirePermission, type ServiceContext } from '../auth/actor.js'
import type { Permission } from '../auth/permissions.js'
import { recordAuditFor } from '../changes.js'
import type { Db, Trx } from '../db/owned.js'
import { AppError } from '../errors.js'
import { isUuid, newId } from '../ids.js'
import { type LinkExpectation, signLink, verifyLink } from './signed-links.js'
import * as store from './store.js'
import type { LinkRow } from './store.js'

// Stored links: the row (by the token's `l` claim) is what makes a link revocable and dead once completed.
// The case status page (case_status) and CSAT survey (csat_survey) links stay stateless: their tokens went out
// before rows existed, the survey row already holds its token's hash, and neither needs revoking yet.

/** What minting and checking need of the process: the links key and PUBLIC_URL (the AppContext will do). */
export type LinkApp = { keys: { links: Buffer }; config: { publicUrl: string } }

/** The customer's page for each stored purpose, under PUBLIC_URL. */
const pages: Record<string, string> = { evidence_upload: 'portal/evidence' }

/** Who may revoke a link of each purpose: what minting one needs. */
const revokePermission: Record<string, Permission> = { evidence_upload: 'cases.write' }

export type MintLinkInput = {
  merchantId: string
  purpose: string
  subjectType: string
  subjectId: string
  expiresAt: Date
  /** The actor's id; null for Claimdesk itself */
  createdBy: string | null
}

export type LinkState = 'active' | 'expired' | 'revoked' | 'completed'

export type LinkView = {
  id: string
  purpose: string
  subject_type: string
  subject_id: string
  state: LinkState
  expires_at: Date
  created_by: string | null
  created_at: Date
  revoked_at: Date | null
  revoked_by: string | null
  completed_at: Date | null
  last_used_at: Date | null
}

export function linkState(row: LinkRow, now: Date): LinkState {
  if (row.revoked_at) return 'revoked'
  if (row.completed_at) return 'completed'
  return now.getTime() >= row.expires_at.getTime() ? 'expired' : 'active'
}

function toLinkView(row: LinkRow, now: Date): LinkView {
  const { merchant_id: _m, ...rest } = row
  return { ...rest, state: linkState(row, now) }
}

/** Stores the link and signs its id into the token; the token is returned once and never stored. */
export async function mintLink(
  trx: Trx,
  input: MintLinkInput,
  app: LinkApp,
  now: Date,
): Promise<{ id: string; token: string; url: string }> {
  const id = newId()
  // Signing first: a lifetime over the cap is refused before anything is written.
  const token = signLink(app.keys.links, { ...input, linkId: id }, now)
  await store.insertLink(trx, {
    merchant_id: input.merchantId,
    id,
    purpose: input.purpose,
    subject_type: input.subjectType,
    subject_id: input.subjectId,
    expires_at: input.expiresAt,
    created_by: input.createdBy,
    created_at: now,
  })
  return { id, token, url: pageUrl(app, input.purpose, token) }
}

const pageUrl = (app: LinkApp, purpose: string, token: string) =>
  `${app.config.publicUrl.replace(/\/$/, '')}/${pages[purpose] ?? 'portal'}/${token}`

/**
 * A live stored link's url again (a reminder): the same claims sign to the same token, so nothing is stored.
 * Null when the link is dead.
 */
export async function liveLinkUrl(db: Db, app: LinkApp, merchantId: string, linkId: string, now: Date) {
  const row = await store.findLink(db, merchantId, linkId)
  if (!row || linkState(row, now) !== 'active') return null
  const claims = {
    merchantId,
    purpose: row.purpose,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    expiresAt: row.expires_at,
    linkId: row.id,
  }
  return pageUrl(app, row.purpose, signLink(app.keys.links, claims, now))
}

/**
 * The stored link a token stands for: the signature, purpose, subject and expiry first (verifyLink's 401/403),
 * then the row: unknown 401 link_invalid, revoked 410 link_revoked, completed 410 link_completed, and the row's
 * expiry (link_expired). Records the use.
 */
export async function checkLink(
  db: Db,
  secret: Buffer,
  token: string,
  expect: LinkExpectation,
  now: Date,
): Promise<LinkRow> {
  const claims = verifyLink(secret, token, expect, now)
  const unknown = () => new AppError('link_invalid', 'This link is not valid', undefined, 401)
  if (!isUuid(claims.merchantId) || !isUuid(claims.linkId)) throw unknown()
  const row = await store.findLink(db, claims.merchantId, claims.linkId)
  if (
    !row ||
    row.purpose !== claims.purpose ||
    row.subject_type !== claims.subjectType ||
    row.subject_id !== claims.subjectId
  )
    throw unknown()
  if (row.revoked_at) throw new AppError('link_revoked', 'This link was withdrawn', { revoked_at: row.revoked_at })
  if (row.completed_at)
    throw new AppError('link_completed', 'This link has done its job', { completed_at: row.completed_at })
  if (now.getTime() >= row.expires_at.getTime())
    throw new AppError('link_expired', 'This link has expired', { expired_at: row.expires_at.toISOString() })
  return store.updateLink(db, row.merchant_id, row.id, { last_used_at: now })
}

/** Revokes a live link (a dead one is returned as it is). Needs what minting one of its purpose needs. */
export async function revokeLink(trx: Trx, ctx: ServiceContext, linkId: string, now: Date): Promise<LinkView> {
  const row = await store.lockLink(trx, ctx.merchantId, linkId)
  if (!row) throw new AppError('link_not_found', 'No such link', { link_id: linkId })
  requirePermission(ctx.actor, revokePermission[row.purpose] ?? 'cases.write')
  if (row.revoked_at || row.completed_at) return toLinkView(row, now)
  const after = await store.updateLink(trx, ctx.merchantId, row.id, { revoked_at: now, revoked_by: ctx.actor.id })
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'link.revoked',
      entityType: 'signed_link',
      entityId: row.id,
      before: { revoked_at: null },
      after: { revoked_at: now.toISOString(), purpose: row.purpose, subject_id: row.subject_id },
    },
    now,
  )
  return toLinkView(after, now)
}

/** The link did its job: dead from now on. Whether it was live until now. */
export async function completeLink(trx: Trx, merchantId: string, linkId: string, now: Date): Promise<boolean> {
  const row = await store.lockLink(trx, merchantId, linkId)
  if (!row || row.revoked_at || row.completed_at) return false
  await store.updateLink(trx, merchantId, linkId, { completed_at: now })
  return true
}

export async function listLinksOf(db: Db, merchantId: string, subjectType: string, subjectId: string, now: Date) {
  return (await store.listSubjectLinks(db, merchantId, subjectType, subjectId)).map((r) => toLinkView(r, now))
}
