import { listNotifications } from '../../cases/service.js'
import type { AppContext } from '../../context.js'
import type { Db, Trx } from '../../db/owned.js'
import { getMerchant } from '../../merchants/service.js'
import { consumer } from '../../modules.js'
import { getUser, type User } from '../../users/service.js'
import { composeEmail } from '../email/compose.js'
import { deliver } from '../email/smtp-send.js'
import { smtpSettings, type SmtpSettings } from '../email/transport.js'
import { getEmailSettings } from '../templates/service/email-settings.js'
import { type DigestItem, renderDigest } from './render.js'
import * as store from './store.js'

export const sendDigestsTask = 'messaging:email-digests'

/** A notification this fresh waits for the next digest: someone reading the console as it happens gets no email. */
export const digestQuietMs = 60_000
const batchSize = 50

export type DigestSettings = { enabled: boolean; interval_minutes: number; last_sent_at: Date | null }

const defaults: DigestSettings = { enabled: true, interval_minutes: 30, last_sent_at: null }
const toSettings = (r: store.DigestSettingsRow): DigestSettings => ({
  enabled: r.enabled,
  interval_minutes: r.interval_minutes,
  last_sent_at: r.last_sent_at,
})

/** A person's email digest settings: on, every 30 minutes, until they change them. */
export async function getDigestSettings(db: Db, merchantId: string, userId: string): Promise<DigestSettings> {
  const row = await store.findDigestSettings(db, merchantId, userId)
  return row ? toSettings(row) : defaults
}

export async function updateDigestSettings(
  trx: Trx,
  merchantId: string,
  userId: string,
  input: { enabled?: boolean; interval_minutes?: number },
): Promise<DigestSettings> {
  return toSettings(await store.upsertDigestSettings(trx, merchantId, userId, input))
}

/** Every in-app notification makes its person due a digest (the row remembers the oldest one not yet mailed). */
export const markDigestPending = consumer({
  name: 'messaging:digest-pending',
  types: ['notification.created'],
  handle: async (event, ctx) => {
    await ctx.db
      .transaction()
      .execute((trx) => store.markPending(trx, event.merchant_id, event.data.user_id, new Date(event.occurred_at)))
  },
})

type Digest = { row: store.DigestSettingsRow; user: User; items: DigestItem[]; now: Date }

/**
 * Takes up to `limit` people due a digest (locked, see claimDue) and commits, for each, the digest as sent before
 * any SMTP starts: last_sent_at, mailed_until (what it covers) and pending_at (the oldest notification still too
 * fresh, or none). Read notifications, and those an earlier digest covered, are not mailed.
 */
async function takeDigests(trx: Trx, now: Date, limit: number): Promise<{ claimed: number; digests: Digest[] }> {
  const cutoff = new Date(now.getTime() - digestQuietMs)
  const rows = await store.claimDue(trx, now, cutoff, limit)
  const digests: Digest[] = []
  for (const row of rows) {
    const unread = await listNotifications(trx, row.merchant_id, row.user_id, { unread: true, limit: 500 })
    const covered = row.mailed_until
    const items = unread.filter((n) => n.created_at <= cutoff && (!covered || n.created_at > covered))
    const fresh = unread.filter((n) => n.created_at > cutoff).map((n) => n.created_at.getTime())
    const pending_at = fresh.length ? new Date(Math.min(...fresh)) : null
    const user = items.length ? await getUser(trx, row.merchant_id, row.user_id) : null
    if (user?.status !== 'active') {
      await store.updateDigestState(trx, row, { pending_at: user ? null : pending_at })
      continue
    }
    await store.updateDigestState(trx, row, { pending_at, mailed_until: cutoff, last_sent_at: now })
    digests.push({ row, user, items, now })
  }
  return { claimed: rows.length, digests }
}

/**
 * Sends the digests that are due: one email per person with unread notifications, at most one per their interval.
 * At most once: what a digest covers is committed before its SMTP transaction, so a crash between the two loses
 * that digest (the notifications stay unread in the app) rather than sending it twice. A server's temporary
 * refusal, known to have delivered nothing, puts it back for the next run. With no SMTP_URL nothing is sent.
 */
export async function sendDigests(ctx: AppContext, now: Date): Promise<number> {
  const settings = smtpSettings(ctx.config)
  if (!settings) return 0
  let sent = 0
  for (;;) {
    const taken = await ctx.db.transaction().execute((trx) => takeDigests(trx, now, batchSize))
    for (const d of taken.digests) if (await deliverDigest(ctx, settings, d)) sent++
    if (taken.claimed < batchSize) return sent
  }
}

async function deliverDigest(ctx: AppContext, settings: SmtpSettings, d: Digest): Promise<boolean> {
  const { merchant_id: merchantId } = d.row
  const [merchant, sender] = await Promise.all([
    getMerchant(ctx.db, merchantId),
    getEmailSettings(ctx.db, merchantId, ctx.config),
  ])
  const content = renderDigest({
    name: d.user.name,
    workspace: merchant.brand_name,
    consoleUrl: ctx.config.publicUrl,
    items: d.items,
    intervalMinutes: d.row.interval_minutes,
  })
  const raw = await composeEmail(
    {
      from: { address: sender.from_address, name: `${sender.from_name} (Claimdesk)` },
      to: [{ address: d.user.email, name: d.user.name }],
      cc: [],
      // Nobody reads answers to a digest: no Reply-To, and Auto-Submitted keeps auto-responders quiet.
      ...content,
      messageId: `digest.${d.user.id}.${d.now.getTime()}@${ctx.config.email.inboundDomain}`,
      inReplyTo: null,
      references: [],
      automatic: true,
      date: d.now,
      attachments: [],
    },
    settings.dkim,
  )
  const [outcome] = await deliver(settings, sender.from_address, [d.user.email], raw)
  if (outcome?.outcome === 'accepted') return true
  ctx.log.warn({ merchantId, userId: d.user.id, outcome }, 'email digest not delivered')
  if (outcome?.outcome === 'temporary') {
    const oldest = new Date(Math.min(...d.items.map((i) => i.created_at.getTime())))
    await store.restoreDigest(ctx.db, d.row, d.now, oldest)
  }
  return false
}
