import { systemContext } from '../../auth/actor.js'
import { setPhoneOptOut } from '../../customers/service.js'
import { findCaseOrThrow } from '../../cases/service.js'
import type { Trx } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import type { NewEvent } from '../../jobs/events.js'
import { enqueueEvents } from '../../jobs/outbox.js'
import { publishLive } from '../../live/publish.js'
import type { MessageStatus } from '../tables.js'
import { param, type TwilioRequest } from './params.js'
import * as store from './store.js'

// Status callbacks of the messages we sent (twilio.com/docs/messaging/guides/outbound-message-status-in-status-
// callbacks): applied to the message by its SID in the order a message lives, so a late or repeated callback
// never moves it back.

/** Twilio's statuses as ours, and how far along each is; failed and undelivered are terminal. */
const moves: Record<string, { status: MessageStatus; rank: number }> = {
  accepted: { status: 'queued', rank: 0 },
  scheduled: { status: 'queued', rank: 0 },
  queued: { status: 'queued', rank: 0 },
  sending: { status: 'sending', rank: 1 },
  sent: { status: 'sent', rank: 2 },
  delivered: { status: 'delivered', rank: 3 },
  read: { status: 'read', rank: 4 },
  undelivered: { status: 'failed', rank: 5 },
  failed: { status: 'failed', rank: 5 },
}
const rankOf: Partial<Record<MessageStatus, number>> = { queued: 0, sending: 1, sent: 2, delivered: 3, read: 4 }

/**
 * Error codes that say the recipient refused our messages: 21610 (the recipient replied STOP to this sender) and
 * 30004 (message blocked, e.g. the number is on a block list) (twilio.com/docs/api/errors).
 */
export const optOutErrorCodes = new Set(['21610', '30004'])

/** Whether a message at `from` moves to `to`: only forward, never out of failed, never from delivered to failed. */
function advances(from: MessageStatus, to: { status: MessageStatus; rank: number }): boolean {
  const at = rankOf[from]
  if (at === undefined) return false // failed, held, not_sent, bounced, received: settled or never sent
  if (to.status === 'failed') return at < 3
  return to.rank > at
}

/**
 * How long a callback for a SID we do not know is retried: Twilio can call back before the send that learnt the SID
 * has committed it. Later, the SID is not one of ours (or its message was deleted) and the callback is ignored.
 */
export const unknownSidRetryMs = 10 * 60_000

export async function applyStatusCallback(
  trx: Trx,
  merchantId: string,
  request: Extract<TwilioRequest, { kind: 'status' }>,
  receivedAt: Date,
  now: Date,
): Promise<'processed' | 'ignored'> {
  const move = moves[request.status]
  if (!move) return 'ignored' // a status we do not track (canceled, partially_delivered, …)
  const row = await store.lockMessageBySid(trx, merchantId, 'out', request.sid)
  if (!row && now.getTime() - receivedAt.getTime() < unknownSidRetryMs)
    throw new AppError('message_sid_unknown', `No message with Twilio SID ${request.sid} yet: retried a while`, {
      sid: request.sid,
    })
  if (!row || !advances(row.status, move)) return 'ignored'
  const code = param(request.params, 'ErrorCode')
  const failed = move.status === 'failed'
  const reason = failed
    ? [request.status, code, param(request.params, 'ErrorMessage')].filter(Boolean).join(': ').slice(0, 2000)
    : null
  await store.setMessageStatus(
    trx,
    merchantId,
    row.id,
    { status: move.status, status_reason: reason, ...(move.rank >= 2 && !failed && !row.sent_at && { sent_at: now }) },
    now,
  )
  const fields = { message_id: row.id, case_id: row.case_id, channel: row.channel, visibility: row.visibility }
  if (failed) {
    const event: NewEvent = {
      merchant_id: merchantId,
      type: 'message.failed',
      subject_id: row.id,
      occurred_at: now,
      data: { ...fields, status: 'failed', reason: reason! },
    }
    await enqueueEvents(trx, [event])
    if (optOutErrorCodes.has(code) && (row.channel === 'sms' || row.channel === 'whatsapp')) {
      const kase = await findCaseOrThrow(trx, merchantId, row.case_id)
      if (kase.customer_id)
        await setPhoneOptOut(trx, systemContext(merchantId, 'twilio'), kase.customer_id, row.channel, true, now)
    }
  }
  // The open case page refetches its conversation (the console listens to case.timeline for its case).
  await publishLive(trx, [
    {
      merchant_id: merchantId,
      type: 'case.timeline',
      data: { case_id: row.case_id, entry_types: ['message'], message_id: row.id, status: move.status },
    },
  ])
  return 'processed'
}
