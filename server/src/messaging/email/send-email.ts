import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import type { Kysely } from 'kysely'
import type { AppContext } from '../../context.js'
import type { Trx } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import { enqueueEvent } from '../../jobs/outbox.js'
import { publishLive } from '../../live/publish.js'
import type { JobHandler } from '../../modules.js'
import type { Address } from '../tables.js'
import { composeEmail } from './compose.js'
import { replyAddress } from './reply-address.js'
import * as store from './send-store.js'
import { deliver, type RecipientOutcome } from './smtp-send.js'
import { smtpSettings, type SmtpSettings } from './transport.js'

export const interruptedReason =
  'interrupted mid-send; not retried automatically so it is never sent twice — retry by hand'

type Job = { attempts: number; maxAttempts: number }
type Prepared = { row: store.MessageRow; from: string; to: string[]; raw: Buffer }

/**
 * `messaging:send-email` { merchant_id, message_id }: delivers an outbound email at most once per recipient.
 * Each recipient moves queued → sending (committed before the SMTP transaction starts) → sent | failed, or back
 * to queued after a temporary refusal; a recipient found in `sending` by a later run was cut off mid-send (the
 * process died) and is failed, never sent again automatically. Temporary failures throw, so graphile-worker
 * retries with its backoff; on the last attempt what is left fails with the last reply.
 */
export const sendEmailJob: JobHandler = async (payload, ctx, job) => {
  await sendEmail(ctx, String(payload.merchant_id), String(payload.message_id), job)
}

export async function sendEmail(
  ctx: AppContext,
  merchantId: string,
  messageId: string,
  job: Job = { attempts: 1, maxAttempts: 1 },
): Promise<void> {
  const settings = smtpSettings(ctx.config)
  await ctx.db.connection().execute(async (db) => {
    // Another process is sending it (or its connection is not yet gone): that one settles what it sends.
    if (!(await store.tryLockSend(db, merchantId, messageId))) throw new SendInProgress()
    try {
      await attempt(ctx, db, settings, merchantId, messageId, job)
    } catch (err) {
      if (job.attempts < job.maxAttempts) throw err
      const reason = `gave up after ${job.attempts} attempts: ${(err as Error).message}`
      await db.transaction().execute((trx) => giveUp(trx, merchantId, messageId, reason, new Date()))
    } finally {
      await store.unlockSend(db, merchantId, messageId)
    }
  })
}

export class SendInProgress extends Error {
  constructor() {
    super('another process is sending this message; will retry')
  }
}

async function attempt(
  ctx: AppContext,
  db: Kysely<Database>,
  settings: SmtpSettings | null,
  merchantId: string,
  messageId: string,
  job: Job,
): Promise<void> {
  const prepared = await db.transaction().execute((trx) => prepare(trx, ctx, settings, merchantId, messageId))
  if (!prepared || !settings) return
  const results = await deliver(settings, prepared.from, prepared.to, prepared.raw)
  const retry = await db.transaction().execute((trx) => record(trx, prepared.row, results, job, new Date()))
  if (retry) throw new Error(`temporary failure: ${retry}`)
}

/**
 * Settles what an earlier run left in `sending`, fixes the message's headers and bytes on its first attempt, and
 * marks the queued recipients `sending`: what this run will send, committed before it connects.
 */
async function prepare(
  trx: Trx,
  ctx: AppContext,
  settings: SmtpSettings | null,
  merchantId: string,
  messageId: string,
): Promise<Prepared | null> {
  const now = new Date()
  let row = await store.lockMessage(trx, merchantId, messageId)
  if (row?.direction !== 'out' || row.channel !== 'email') return null
  if (row.status !== 'queued' && row.status !== 'sending') return null
  if (!settings) {
    // The composer stores such messages as not_sent already; a job queued before SMTP_URL was removed lands here.
    await store.updateMessage(trx, merchantId, messageId, {
      status: 'not_sent',
      status_reason: 'no mail server configured',
      updated_at: now,
    })
    return null
  }
  await store.insertRecipients(trx, merchantId, messageId, row.to_addresses, row.cc_addresses, now)
  const recipients = await store.listRecipients(trx, merchantId, messageId)
  const cutOff = recipients.filter((r) => r.status === 'sending').map((r) => r.address)
  await store.moveRecipients(trx, merchantId, messageId, cutOff, 'sending', {
    status: 'failed',
    smtp_reply: interruptedReason,
    updated_at: now,
  })
  const queued = recipients.filter((r) => r.status === 'queued').map((r) => r.address)
  if (!queued.length) {
    await settle(trx, row, null, now)
    return null
  }
  let raw: Buffer
  if (row.raw_blob_key) raw = Buffer.concat(await (await ctx.blobs.get(row.raw_blob_key)).toArray())
  else ({ row, raw } = await composeOnce(trx, ctx, row, now))
  await store.moveRecipients(trx, merchantId, messageId, queued, 'queued', { status: 'sending', updated_at: now }, true)
  row = await store.updateMessage(trx, merchantId, messageId, {
    status: 'sending',
    attempts: row.attempts + 1,
    updated_at: now,
  })
  // The envelope sender (MAIL FROM, the Return-Path) is the case's reply address on our inbound domain, whatever
  // From says: a bounce comes back to the SMTP listener, lands on the case and marks the message bounced.
  const returnPath = replyAddress(ctx.keys.links, merchantId, row.case_id, ctx.config.email.inboundDomain)
  return { row, from: returnPath, to: queued, raw }
}

/**
 * The first attempt decides everything a retry must repeat: the sender, the Message-ID, the thread and the bytes
 * (stored as the .eml), all committed with the first move to `sending`.
 */
async function composeOnce(
  trx: Trx,
  ctx: AppContext,
  row: store.MessageRow,
  now: Date,
): Promise<{ row: store.MessageRow; raw: Buffer }> {
  const { merchant_id: merchantId, id } = row
  const domain = ctx.config.email.inboundDomain
  const from: Address = row.from_address
    ? { address: row.from_address, name: row.from_name ?? undefined }
    : ((await store.findEmailSender(trx, merchantId)) ?? { name: 'Claimdesk', address: `no-reply@${domain}` })
  const messageId = row.message_id_header ?? `${randomUUID()}@${domain}`
  let inReplyTo = row.in_reply_to
  let references = row.references_headers
  if (!inReplyTo && !references.length) {
    const parent = await store.findThreadParent(trx, merchantId, row.case_id, row)
    if (parent?.message_id_header) {
      inReplyTo = parent.message_id_header
      references = [...new Set([...parent.references_headers, parent.message_id_header])].slice(-20)
    }
  }
  const attachments = await Promise.all(
    (await store.listSendableAttachments(trx, merchantId, id)).map(async (a) => ({
      fileName: a.file_name,
      contentType: a.content_type,
      contentId: a.content_id,
      content: await ctx.blobs.get(a.blob_key!),
    })),
  )
  const raw = await composeEmail(
    {
      from,
      to: row.to_addresses,
      cc: row.cc_addresses,
      replyTo: replyAddress(ctx.keys.links, merchantId, row.case_id, domain),
      subject: row.subject,
      text: row.text_body,
      html: row.html_body,
      messageId,
      inReplyTo,
      references,
      automatic: row.automatic,
      date: now,
      attachments,
    },
    ctx.config.email.dkim,
  )
  const blob = await ctx.blobs.put(Readable.from([raw]), { merchantId, maxBytes: raw.length + 1 })
  const updated = await store.updateMessage(trx, merchantId, id, {
    from_address: from.address,
    from_name: from.name ?? null,
    message_id_header: messageId,
    in_reply_to: inReplyTo,
    references_headers: references,
    raw_blob_key: blob.key,
    updated_at: now,
  })
  return { row: updated, raw }
}

const recipientMoves = {
  accepted: 'sent',
  permanent: 'failed',
  unknown: 'failed',
  temporary: 'queued',
} as const

/** Each recipient's outcome, then the message's state; the last temporary reply when some are to be retried. */
async function record(
  trx: Trx,
  sent: store.MessageRow,
  results: RecipientOutcome[],
  job: Job,
  now: Date,
): Promise<string | null> {
  const { merchant_id: merchantId, id } = sent
  for (const r of results) {
    const reply = r.outcome === 'unknown' ? `${interruptedReason} (${r.reply})` : r.reply
    await store.moveRecipients(trx, merchantId, id, [r.address], 'sending', {
      status: recipientMoves[r.outcome],
      smtp_reply: reply.slice(0, 2000),
      sent_at: r.outcome === 'accepted' ? now : null,
      updated_at: now,
    })
  }
  const row = await store.lockMessage(trx, merchantId, id)
  const temporary = results.filter((r) => r.outcome === 'temporary').at(-1)
  return settle(trx, row!, temporary ? { reply: temporary.reply, job } : null, now)
}

/** On the last attempt: recipients still queued fail with the reason; the message settles. */
async function giveUp(trx: Trx, merchantId: string, messageId: string, reason: string, now: Date): Promise<void> {
  const row = await store.lockMessage(trx, merchantId, messageId)
  if (!row || (row.status !== 'queued' && row.status !== 'sending')) return
  const queued = (await store.listRecipients(trx, merchantId, messageId)).filter((r) => r.status === 'queued')
  await store.moveRecipients(
    trx,
    merchantId,
    messageId,
    queued.map((r) => r.address),
    'queued',
    { status: 'failed', smtp_reply: reason.slice(0, 2000), updated_at: now },
  )
  await settle(trx, row, null, now)
}

/**
 * The message follows its recipients: queued while some wait for a retry; once none does, `sent` when the server
 * accepted it for at least one (the others named in status_reason), `failed` when for none. Announced once: only
 * a message still queued or sending settles.
 */
async function settle(
  trx: Trx,
  row: store.MessageRow,
  retry: { reply: string; job: Job } | null,
  now: Date,
): Promise<string | null> {
  const { merchant_id: merchantId, id } = row
  const recipients = await store.listRecipients(trx, merchantId, id)
  const failed = recipients.filter((r) => r.status === 'failed')
  const failures = failed.map((r) => `${r.address}: ${r.smtp_reply ?? 'failed'}`).join('; ')
  if (recipients.some((r) => r.status === 'sending')) return null // settled by the run sending them
  if (recipients.some((r) => r.status === 'queued')) {
    const reply = retry?.reply ?? 'waiting to be sent'
    const delaySeconds = Math.exp(Math.min(retry?.job.attempts ?? 0, 10))
    await store.updateMessage(trx, merchantId, id, {
      status: 'queued',
      status_reason: `temporary failure, retrying: ${reply}`.slice(0, 2000),
      next_attempt_at: new Date(now.getTime() + delaySeconds * 1000),
      updated_at: now,
    })
    return reply
  }
  const anySent = recipients.some((r) => r.status === 'sent')
  const status = anySent ? 'sent' : 'failed'
  const reason = anySent ? (failures ? `not delivered to ${failures}` : null) : failures || 'no recipients'
  await store.updateMessage(trx, merchantId, id, {
    status,
    status_reason: reason?.slice(0, 2000) ?? null,
    sent_at: anySent ? now : null,
    next_attempt_at: null,
    updated_at: now,
  })
  const fields = { message_id: id, case_id: row.case_id, channel: row.channel, visibility: row.visibility }
  const common = { merchant_id: merchantId, subject_id: id, occurred_at: now }
  if (anySent)
    await enqueueEvent(trx, {
      ...common,
      type: 'message.sent',
      data: { ...fields, public: row.visibility === 'public', automatic: row.automatic, author_id: row.author_id },
    })
  else
    await enqueueEvent(trx, {
      ...common,
      type: 'message.failed',
      data: { ...fields, status: 'failed', reason: reason!.slice(0, 2000) },
    })
  // The open case page refetches its conversation (the console listens to case.timeline for its case).
  await publishLive(trx, [
    {
      merchant_id: merchantId,
      type: 'case.timeline',
      data: { case_id: row.case_id, entry_types: ['message'], message_id: id, status },
    },
  ])
  return null
}
