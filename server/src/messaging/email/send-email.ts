import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import type { Kysely } from 'kysely'
import type { AppContext } from '../../context.js'
import type { Trx } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import { enqueueEvents } from '../../jobs/outbox.js'
import type { NewEvent } from '../../jobs/events.js'
import { type LiveMessage, publishLive } from '../../live/publish.js'
import type { Drain } from '../../modules.js'
import type { Address } from '../tables.js'
import { composeEmail } from './compose.js'
import { replyAddress, sideReplyAddress } from './reply-address.js'
import * as store from './send-store.js'
import { deliverAll, type RecipientOutcome } from './smtp-send.js'
import { smtpSettings, type SmtpSettings } from './transport.js'

export const interruptedReason =
  'interrupted mid-send; not retried automatically so it is never sent twice — retry by hand'
export const notSentReason = 'no mail server configured'

/** Attempts before what is still refused temporarily fails for good (with exp(attempt) s between, up to e^10). */
export const maxSendAttempts = 25
/** The .eml of a larger message goes to the file store; a smaller one is stored with the message. */
const rawInDbBytes = 256 * 1024
/** SMTP transactions a run has in flight at once, each on its own kept connection. */
const smtpConcurrency = 8

type Send = { row: store.MessageRow; to: string[]; raw: Buffer }
type Options = { maxAttempts?: number }

/**
 * The send path of outbound email, as a drain: each run claims up to `limit` due messages and, in one
 * transaction, composes those sent for the first time (their bytes fixed for every later attempt) and marks their
 * queued recipients `sending` under the run's sender key; sends them over several kept SMTP connections at once;
 * then records every recipient's outcome and settles the messages in one transaction. A recipient moves queued →
 * sending (committed before its SMTP transaction starts) → sent | failed, or back to queued after a temporary
 * refusal (the message is due again after a backoff). One found `sending` under a sender that is gone was cut off
 * mid-send: it is failed as interrupted, never sent again automatically.
 */
export const sendEmailsDrain: Drain = {
  name: 'messaging:send-emails',
  batchSize: 100,
  concurrency: 2,
  run: (ctx, limit) => sendDueEmails(ctx, limit),
}

/** One run of the drain: how many messages it claimed or settled for a sender that is gone. */
export async function sendDueEmails(ctx: AppContext, limit: number, opts: Options = {}): Promise<number> {
  const settings = smtpSettings(ctx.config)
  const maxAttempts = opts.maxAttempts ?? maxSendAttempts
  return ctx.db.connection().execute(async (db) => {
    const key = await store.takeSenderKey(db)
    try {
      const recovered = await settleDeadSenders(db, key)
      const now = new Date()
      const claim = await db.transaction().execute((trx) => claimBatch(trx, ctx, settings, key, limit, now))
      if (claim.sends.length && settings) {
        const envelopes = claim.sends.map((s) => envelope(ctx, s))
        const results = await deliverAll(settings, envelopes, smtpConcurrency)
        await db.transaction().execute((trx) => record(trx, claim.sends, results, maxAttempts, new Date()))
      }
      return recovered + claim.claimed
    } finally {
      await store.releaseSenderKeys(db, [key])
    }
  })
}

/** Where answers go: a side conversation's own address for its messages (the third party's reply stays in it), else the case's. */
const replyTo = (ctx: AppContext, row: Pick<store.MessageRow, 'merchant_id' | 'case_id' | 'side_conversation_id'>) => {
  const domain = ctx.config.email.inboundDomain
  return row.side_conversation_id
    ? sideReplyAddress(ctx.keys.links, row.merchant_id, row.side_conversation_id, domain)
    : replyAddress(ctx.keys.links, row.merchant_id, row.case_id, domain)
}

/**
 * The envelope sender (MAIL FROM, the Return-Path) is the case's reply address on our inbound domain, whatever From
 * says: a bounce comes back to the SMTP listener, lands on the case and marks the message bounced.
 */
const envelope = (ctx: AppContext, s: Send) => ({
  from: replyTo(ctx, s.row),
  to: s.to,
  raw: s.raw,
})

/** What senders that died mid-send left `sending`: those recipients fail as interrupted; the messages settle. */
async function settleDeadSenders(db: Kysely<Database>, own: number): Promise<number> {
  const dead = await store.lockDeadSenders(db, own, ['email'])
  if (!dead.length) return 0
  try {
    return await db.transaction().execute(async (trx) => {
      const now = new Date()
      const rows = await store.lockSendingOf(trx, dead)
      const recipients = await store.listRecipients(trx, rows)
      await store.moveRecipients(
        trx,
        rows.flatMap((row) =>
          recipients
            .get(row.id)!
            .filter((r) => r.status === 'sending')
            .map((r) => interrupted(row, r.address, interruptedReason)),
        ),
        now,
      )
      await settle(trx, rows, new Map(), maxSendAttempts, now)
      return rows.length
    })
  } finally {
    await store.releaseSenderKeys(db, dead)
  }
}

const interrupted = (row: store.Key, address: string, reply: string): store.RecipientMove => ({
  merchant_id: row.merchant_id,
  message_id: row.id,
  address,
  from: 'sending',
  status: 'failed',
  reply,
  sent_at: null,
})

/**
 * Claims due messages and makes them ready to send, committed before any is sent: the first attempt of each fixes
 * its sender, thread and bytes; its queued recipients move to `sending`. Without a mail server they are stored as
 * not sent instead.
 */
async function claimBatch(
  trx: Trx,
  ctx: AppContext,
  settings: SmtpSettings | null,
  sendKey: number,
  limit: number,
  now: Date,
): Promise<{ claimed: number; sends: Send[] }> {
  const rows = await store.claimDue(trx, limit, now)
  const none = { claimed: rows.length, sends: [] }
  if (!rows.length) return none
  if (!settings) {
    await store.markNotSent(trx, rows, notSentReason, now)
    return none
  }
  await store.insertRecipients(trx, rows, now)
  const recipients = await store.listRecipients(trx, rows)
  const queued = new Map(
    rows.map((row) => [
      row.id,
      recipients
        .get(row.id)!
        .filter((r) => r.status === 'queued')
        .map((r) => r.address),
    ]),
  )
  // A queued message with nobody left to send to (all sent or failed before) just settles.
  const ready = rows.filter((row) => queued.get(row.id)!.length)
  await settle(
    trx,
    rows.filter((row) => !queued.get(row.id)!.length),
    new Map(),
    maxSendAttempts,
    now,
  )
  if (!ready.length) return none

  const fresh = ready.filter((row) => !row.raw_in_db && !row.raw_blob_key)
  const { composed, raws } = await composeBatch(trx, ctx, fresh, now)
  const stored = await store.findRawEmails(
    trx,
    ready.filter((row) => row.raw_in_db),
  )
  for (const row of ready.filter((r) => r.raw_blob_key && !raws.has(r.id)))
    raws.set(row.id, Buffer.concat(await (await ctx.blobs.get(row.raw_blob_key!)).toArray()))
  await store.moveRecipients(
    trx,
    ready.flatMap((row) =>
      queued.get(row.id)!.map(
        (address): store.RecipientMove => ({
          merchant_id: row.merchant_id,
          message_id: row.id,
          address,
          from: 'queued',
          status: 'sending',
          reply: null,
          sent_at: null,
          attempt: true,
        }),
      ),
    ),
    now,
  )
  const sending = await store.markSending(trx, ready, composed, sendKey, now)
  return {
    claimed: rows.length,
    sends: sending.map((row) => ({ row, to: queued.get(row.id)!, raw: raws.get(row.id) ?? stored.get(row.id)! })),
  }
}

/**
 * The first attempt decides everything a retry must repeat: the sender, the Message-ID (given when the message
 * was recorded), the thread and the bytes, stored with the message (or as a file when large) and committed with
 * the first move to `sending`.
 */
async function composeBatch(
  trx: Trx,
  ctx: AppContext,
  rows: store.MessageRow[],
  now: Date,
): Promise<{ composed: store.Composed[]; raws: Map<string, Buffer> }> {
  const domain = ctx.config.email.inboundDomain
  const senders = await store.findEmailSenders(trx, [
    ...new Set(rows.filter((r) => !r.from_address).map((r) => r.merchant_id)),
  ])
  const parents = await store.findThreadParents(
    trx,
    rows.filter((r) => !r.in_reply_to && !r.references_headers.length),
  )
  const attachments = await store.listSendableAttachments(trx, rows)
  const composed: store.Composed[] = []
  const raws = new Map<string, Buffer>()
  const inDb: (store.Key & { raw: Buffer })[] = []
  for (const row of rows) {
    const { merchant_id: merchantId, id } = row
    const from: Address = row.from_address
      ? { address: row.from_address, name: row.from_name ?? undefined }
      : (senders.get(merchantId) ?? { name: 'Claimdesk', address: `no-reply@${domain}` })
    const messageId = row.message_id_header ?? `${randomUUID()}@${domain}`
    const parent = parents.get(id)
    const inReplyTo = row.in_reply_to ?? parent?.message_id_header ?? null
    const references = parent
      ? [...new Set([...parent.references_headers, parent.message_id_header!])].slice(-20)
      : row.references_headers
    const raw = await composeEmail(
      {
        from,
        to: row.to_addresses,
        cc: row.cc_addresses,
        replyTo: replyTo(ctx, row),
        subject: row.subject,
        text: row.text_body,
        html: row.html_body,
        messageId,
        inReplyTo,
        references,
        automatic: row.automatic,
        date: now,
        attachments: await Promise.all(
          (attachments.get(id) ?? []).map(async (a) => ({
            fileName: a.file_name,
            contentType: a.content_type,
            contentId: a.content_id,
            content: await ctx.blobs.get(a.blob_key!),
          })),
        ),
      },
      ctx.config.email.dkim,
    )
    raws.set(id, raw)
    const inline = raw.length <= rawInDbBytes
    if (inline) inDb.push({ merchant_id: merchantId, id, raw })
    const blob = inline ? null : await ctx.blobs.put(Readable.from([raw]), { merchantId, maxBytes: raw.length + 1 })
    composed.push({
      merchant_id: merchantId,
      id,
      from_address: from.address,
      from_name: from.name ?? null,
      message_id_header: messageId,
      in_reply_to: inReplyTo,
      references_headers: references,
      raw_blob_key: blob?.key ?? null,
      raw_in_db: inline,
    })
  }
  await store.insertRawEmails(trx, inDb)
  return { composed, raws }
}

const recipientMoves = {
  accepted: 'sent',
  permanent: 'failed',
  unknown: 'failed',
  temporary: 'queued',
} as const

/** Every recipient's outcome, then the messages' states; a temporary refusal's reply is why a message waits. */
async function record(
  trx: Trx,
  sends: Send[],
  results: RecipientOutcome[][],
  maxAttempts: number,
  now: Date,
): Promise<void> {
  const temporary = new Map<string, string>()
  const moves = sends.flatMap((s, i) =>
    results[i]!.map((r): store.RecipientMove => {
      if (r.outcome === 'temporary') temporary.set(s.row.id, r.reply)
      return {
        merchant_id: s.row.merchant_id,
        message_id: s.row.id,
        address: r.address,
        from: 'sending',
        status: recipientMoves[r.outcome],
        reply: (r.outcome === 'unknown' ? `${interruptedReason} (${r.reply})` : r.reply).slice(0, 2000),
        sent_at: r.outcome === 'accepted' ? now : null,
      }
    }),
  )
  await store.moveRecipients(trx, moves, now)
  await settle(
    trx,
    sends.map((s) => s.row),
    temporary,
    maxAttempts,
    now,
  )
}

/**
 * Each message follows its recipients: queued while some wait for a retry (due again after a backoff; on the last
 * attempt they fail with the last reply instead); once none does, `sent` when the server accepted it for at least
 * one (the others named in status_reason), `failed` when for none. Announced once (message.sent or
 * message.failed, and the case page's live `case.timeline`): only a message still queued or sending settles.
 */
async function settle(
  trx: Trx,
  rows: store.MessageRow[],
  temporary: Map<string, string>,
  maxAttempts: number,
  now: Date,
): Promise<void> {
  if (!rows.length) return
  let recipients = await store.listRecipients(trx, rows)
  const exhausted = rows.filter((row) => temporary.has(row.id) && row.attempts >= maxAttempts)
  if (exhausted.length) {
    await store.moveRecipients(
      trx,
      exhausted.flatMap((row) =>
        recipients
          .get(row.id)!
          .filter((r) => r.status === 'queued')
          .map((r) => ({
            ...interrupted(row, r.address, ''),
            from: 'queued' as const,
            reply: `gave up after ${row.attempts} attempts: temporary failure: ${temporary.get(row.id)}`.slice(0, 2000),
          })),
      ),
      now,
    )
    recipients = await store.listRecipients(trx, rows)
  }
  const settlements: store.Settlement[] = []
  const finals: { row: store.MessageRow; status: 'sent' | 'failed'; reason: string | null }[] = []
  for (const row of rows) {
    const rs = recipients.get(row.id)!
    if (rs.some((r) => r.status === 'sending')) continue // settled by the run sending them
    const key = { merchant_id: row.merchant_id, id: row.id }
    if (rs.some((r) => r.status === 'queued')) {
      const reply = temporary.get(row.id) ?? 'waiting to be sent'
      const delaySeconds = Math.exp(Math.min(row.attempts, 10))
      settlements.push({
        ...key,
        status: 'queued',
        status_reason: `temporary failure, retrying: ${reply}`.slice(0, 2000),
        sent_at: null,
        next_attempt_at: new Date(now.getTime() + delaySeconds * 1000),
      })
      continue
    }
    const failures = rs
      .filter((r) => r.status === 'failed')
      .map((r) => `${r.address}: ${r.smtp_reply ?? 'failed'}`)
      .join('; ')
    const anySent = rs.some((r) => r.status === 'sent')
    const status = anySent ? 'sent' : 'failed'
    const reason = (anySent ? (failures ? `not delivered to ${failures}` : null) : failures || 'no recipients')?.slice(
      0,
      2000,
    )
    settlements.push({
      ...key,
      status,
      status_reason: reason ?? null,
      sent_at: anySent ? now : null,
      next_attempt_at: null,
    })
    finals.push({ row, status, reason: reason ?? null })
  }
  const settled = await store.settleMessages(trx, settlements, now)
  await announceSettled(
    trx,
    finals.filter((f) => settled.has(f.row.id)),
    now,
  )
}

/**
 * Messages that reached sent or failed, announced once (every channel's drain calls this for what it settled):
 * message.sent or message.failed, and the case page's live `case.timeline`.
 */
export async function announceSettled(
  trx: Trx,
  announced: { row: store.MessageRow; status: 'sent' | 'failed'; reason: string | null }[],
  now: Date,
): Promise<void> {
  await enqueueEvents(
    trx,
    announced.map((f) => messageEvent(f.row, f.status, f.reason, now)),
  )
  // The open case page refetches its conversation (the console listens to case.timeline for its case).
  await publishLive(
    trx,
    announced.map(
      ({ row, status }): LiveMessage => ({
        merchant_id: row.merchant_id,
        type: 'case.timeline',
        data: { case_id: row.case_id, entry_types: ['message'], message_id: row.id, status },
      }),
    ),
  )
}

function messageEvent(row: store.MessageRow, status: 'sent' | 'failed', reason: string | null, now: Date): NewEvent {
  const fields = { message_id: row.id, case_id: row.case_id, channel: row.channel, visibility: row.visibility }
  const common = { merchant_id: row.merchant_id, subject_id: row.id, occurred_at: now }
  if (status === 'sent')
    return {
      ...common,
      type: 'message.sent',
      data: { ...fields, public: row.visibility === 'public', automatic: row.automatic, author_id: row.author_id },
    }
  return { ...common, type: 'message.failed', data: { ...fields, status: 'failed', reason: reason! } }
}
