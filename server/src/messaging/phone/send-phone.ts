import type { Kysely } from 'kysely'
import { systemContext } from '../../auth/actor.js'
import { findCaseOrThrow } from '../../cases/service.js'
import type { AppContext } from '../../context.js'
import { setPhoneOptOut } from '../../customers/service.js'
import type { Trx } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import type { Drain } from '../../modules.js'
import type { OutboundChannel, SendOutcome } from '../channel.js'
import { announceSettled } from '../email/send-email.js'
import { lockDeadSenders, releaseSenderKeys, takeSenderKey } from '../email/send-store.js'
import { type TwilioError, type TwilioClient, unsubscribedCode } from '../twilio/client.js'
import {
  clientFor,
  findTwilioConnection,
  senderRate,
  statusCallbackUrl,
  type TwilioConnection,
} from '../twilio/connection.js'
import { type PhoneChannel, twilioAddress } from '../twilio/types.js'
import { noTwilioReason, phoneInterruptedReason } from './send-phone-message.js'
import * as store from './store.js'

/** Attempts before a message Twilio keeps refusing for now (throttled, 5xx) fails for good. */
export const maxPhoneAttempts = 12
/**
 * How late a send may leave after its slot. Each message of a sender goes at its reserved slot, the slots
 * (1000 + this) / per_second ms apart; one whose slot has passed by more than this takes a fresh slot. So in any
 * one second a sender's requests come from slots spanning at most 1000 + this ms: never more than per_second.
 */
export const slotSlackMs = 50
/** A run reserves slots this far ahead at most; the rest waits for the next run. */
const horizonMs = 2000

type Send = {
  row: store.MessageRow
  connection: TwilioConnection
  client: TwilioClient
  /** The Twilio address the message goes from, and its limit's slot spacing. */
  sender: string
  intervalMs: number
  /** Its slot, on the database's clock. */
  slot: number
}
/** `now`: what the run takes for now when it looks for due messages (tests of quiet hours inject it). */
type Options = { maxAttempts?: number; now?: Date }

/**
 * SMS and WhatsApp out, as a drain. Each run claims due phone messages, reserves every one a send slot of its
 * sender (the per-sender rate limit, held in PostgreSQL so it holds across processes) and marks those `sending`
 * under the run's sender key, committed before any request leaves; then sends each at its slot, and records what
 * Twilio said in one transaction. Accepted (201, Twilio's `queued`): `sent` with the message SID, the status
 * callbacks move it on. Refused for good: `failed` with Twilio's reason (21610 also marks the customer opted out).
 * Refused for now (throttled, 5xx, no connection made): back to `queued` after a backoff. A message found
 * `sending` under a sender that is gone, or whose request may have reached Twilio (a timeout), is failed as
 * interrupted, never sent again automatically: Twilio has no idempotency key.
 */
export const sendPhoneDrain: Drain = {
  name: 'messaging:send-phone',
  batchSize: 500,
  concurrency: 2,
  run: (ctx, limit) => sendDuePhoneMessages(ctx, limit),
}

/** The phone channel as the messaging module's outbound channels see it. */
export const phoneChannel: OutboundChannel = { channels: ['sms', 'whatsapp'], drain: sendPhoneDrain }

export async function sendDuePhoneMessages(ctx: AppContext, limit: number, opts: Options = {}): Promise<number> {
  const maxAttempts = opts.maxAttempts ?? maxPhoneAttempts
  return ctx.db.connection().execute(async (db) => {
    const key = await takeSenderKey(db)
    try {
      const recovered = await settleDeadSenders(db, key)
      const claim = await db.transaction().execute((trx) => claimBatch(trx, ctx, key, limit, opts.now ?? new Date()))
      if (claim.sends.length) {
        const outcomes = await sendAtSlots(ctx.db, claim.sends, claim.offsetMs, ctx.config.publicUrl)
        await db.transaction().execute((trx) => record(trx, claim.sends, outcomes, maxAttempts, new Date()))
      }
      return recovered + claim.claimed
    } finally {
      await releaseSenderKeys(db, [key])
    }
  })
}

/** Phone messages a dead run left `sending` are failed as interrupted. */
async function settleDeadSenders(db: Kysely<Database>, own: number): Promise<number> {
  const dead = await lockDeadSenders(db, own, ['sms', 'whatsapp'])
  if (!dead.length) return 0
  try {
    return await db.transaction().execute(async (trx) => {
      const rows = await store.lockPhoneSendingOf(trx, dead)
      const now = new Date()
      await settle(
        trx,
        rows.map((row) => failed(row, 'sending', phoneInterruptedReason)),
        now,
      )
      return rows.length
    })
  } finally {
    await releaseSenderKeys(db, dead)
  }
}

const failed = (row: store.MessageRow, from: 'queued' | 'sending', reason: string) => ({
  row,
  settlement: {
    merchant_id: row.merchant_id,
    id: row.id,
    from,
    status: 'failed' as const,
    status_reason: reason.slice(0, 2000),
    provider_message_id: null,
    sent_at: null,
    next_attempt_at: null,
  },
})

/**
 * Claims due messages; each workspace's connection and client; per sender, consecutive slots (as many as fit the
 * horizon: the rest stay queued for a later run), senders locked in one order so runs never deadlock. Those with a
 * slot are marked `sending`, committed before anything is sent.
 */
async function claimBatch(
  trx: Trx,
  ctx: AppContext,
  sendKey: number,
  limit: number,
  now: Date,
): Promise<{ claimed: number; sends: Send[]; offsetMs: number }> {
  const rows = await store.claimDuePhone(trx, limit, now)
  const none = { claimed: rows.length, sends: [] as Send[], offsetMs: 0 }
  if (!rows.length) return none
  const accounts = new Map<string, { connection: TwilioConnection; client: TwilioClient } | null>()
  for (const merchantId of new Set(rows.map((r) => r.merchant_id))) {
    const connection = await findTwilioConnection(trx, merchantId, now)
    accounts.set(
      merchantId,
      connection ? { connection, client: await clientFor(trx, ctx.keys.secrets, connection, now) } : null,
    )
  }
  // The connection went (or never had a sender for it): stored as not sent, as without one at the start.
  const unsendable = rows.filter((r) => !accounts.get(r.merchant_id) || !r.from_address)
  await settle(
    trx,
    unsendable.map((r) => {
      const { row, settlement } = failed(r, 'queued', accounts.get(r.merchant_id) ? 'no sender' : noTwilioReason)
      return { row, settlement: { ...settlement, status: 'not_sent' as const } }
    }),
    now,
  )
  const groups = new Map<string, store.MessageRow[]>()
  for (const row of rows.filter((r) => !unsendable.includes(r))) {
    const k = `${row.merchant_id}|${twilioAddress(row.channel as PhoneChannel, row.from_address)}`
    groups.set(k, [...(groups.get(k) ?? []), row])
  }
  const sends: Send[] = []
  let offsetMs = 0
  for (const k of [...groups.keys()].sort()) {
    const group = groups.get(k)!
    const [merchantId, sender] = k.split('|') as [string, string]
    const { connection, client } = accounts.get(merchantId)!
    const channel = group[0]!.channel as PhoneChannel
    const configured = connection.settings.senders.find((s) => s.address === group[0]!.from_address)
    const intervalMs = (1000 + slotSlackMs) / senderRate(configured, channel, group[0]!.from_address)
    const slots = await store.reserveSlots(trx, merchantId, sender, group.length, intervalMs, horizonMs)
    offsetMs = slots.dbNow.getTime() - Date.now()
    for (const [i, row] of group.slice(0, slots.granted).entries())
      sends.push({ row, connection, client, sender, intervalMs, slot: slots.first.getTime() + i * intervalMs })
  }
  await store.markSending(
    trx,
    sends.map((s) => s.row),
    sendKey,
    now,
  )
  return { claimed: unsendable.length + sends.length, sends, offsetMs }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)))

/**
 * Sends each message at its slot (the database's clock, `offsetMs` ahead of this process's), each on its own; one
 * whose slot has passed by more than the slack (this process was busy) takes a fresh slot first (on a pooled
 * connection of its own) rather than go late, so no sender ever sends faster than its limit, and a late one never
 * holds up the rest.
 */
async function sendAtSlots(
  db: Kysely<Database>,
  sends: Send[],
  offsetMs: number,
  publicUrl: string,
): Promise<SendOutcome[]> {
  const clock = () => Date.now() + offsetMs
  return Promise.all(
    sends.map(async (s) => {
      let slot = s.slot
      for (;;) {
        await sleep(slot - clock())
        if (clock() <= slot + slotSlackMs) break
        slot = await db.transaction().execute(async (trx) => {
          const fresh = await store.reserveSlots(trx, s.row.merchant_id, s.sender, 1, s.intervalMs, 3_600_000)
          return fresh.first.getTime()
        })
      }
      return sendOne(s, publicUrl)
    }),
  )
}

async function sendOne(s: Send, publicUrl: string): Promise<SendOutcome> {
  const { row } = s
  const channel = row.channel as PhoneChannel
  try {
    const sent = await s.client.createMessage({
      to: twilioAddress(channel, row.to_addresses[0]!.address),
      from: s.sender,
      body: row.text_body,
      contentSid: row.content_sid ?? undefined,
      contentVariables: row.content_variables ?? undefined,
      statusCallback: statusCallbackUrl(publicUrl, s.connection.id),
    })
    return { outcome: 'accepted', providerId: sent.sid }
  } catch (err) {
    const e = err as TwilioError
    if (e.name !== 'TwilioError') return { outcome: 'unknown', reason: String(err) }
    return {
      outcome: e.kind === 'permanent' ? 'permanent' : e.kind === 'retryable' ? 'temporary' : 'unknown',
      reason: e.reason,
      code: e.code,
    }
  }
}

/** What Twilio said, recorded: sent, failed (and the customer opted out on 21610), queued again, or interrupted. */
async function record(trx: Trx, sends: Send[], outcomes: SendOutcome[], maxAttempts: number, now: Date) {
  const moves = sends.map((s, i) => {
    const o = outcomes[i]!
    const key = { merchant_id: s.row.merchant_id, id: s.row.id, from: 'sending' as const }
    if (o.outcome === 'accepted')
      return {
        row: s.row,
        settlement: {
          ...key,
          status: 'sent' as const,
          status_reason: null,
          provider_message_id: o.providerId,
          sent_at: now,
          next_attempt_at: null,
        },
      }
    if (o.outcome === 'temporary' && s.row.attempts < maxAttempts)
      return {
        row: s.row,
        settlement: {
          ...key,
          status: 'queued' as const,
          status_reason: `temporary failure, retrying: ${o.reason}`.slice(0, 2000),
          provider_message_id: null,
          sent_at: null,
          next_attempt_at: new Date(now.getTime() + Math.exp(Math.min(s.row.attempts, 8)) * 1000),
        },
      }
    const reason =
      o.outcome === 'unknown'
        ? `${phoneInterruptedReason} (${o.reason})`
        : o.outcome === 'temporary'
          ? `gave up after ${s.row.attempts + 1} attempts: temporary failure: ${o.reason}`
          : o.reason
    return failed(s.row, 'sending', reason)
  })
  await settle(trx, moves, now)
  for (const [i, s] of sends.entries()) {
    const o = outcomes[i]!
    if (o.outcome === 'permanent' && o.code === unsubscribedCode) await markOptedOut(trx, s.row, now)
  }
}

/** Twilio says the recipient unsubscribed (replied STOP to this sender): the case's customer is opted out. */
async function markOptedOut(trx: Trx, row: store.MessageRow, now: Date) {
  const ctx = systemContext(row.merchant_id, 'twilio')
  const c = await findCaseOrThrow(trx, row.merchant_id, row.case_id)
  if (c.customer_id) await setPhoneOptOut(trx, ctx, c.customer_id, row.channel as PhoneChannel, true, now)
}

async function settle(
  trx: Trx,
  moves: { row: store.MessageRow; settlement: store.PhoneSettlement }[],
  now: Date,
): Promise<void> {
  const settled = await store.settlePhoneMessages(
    trx,
    moves.map((m) => m.settlement),
    now,
  )
  await announceSettled(
    trx,
    moves
      .filter((m) => settled.has(m.row.id) && (m.settlement.status === 'sent' || m.settlement.status === 'failed'))
      .map((m) => ({
        row: m.row,
        status: m.settlement.status as 'sent' | 'failed',
        reason: m.settlement.status_reason,
      })),
    now,
  )
}
