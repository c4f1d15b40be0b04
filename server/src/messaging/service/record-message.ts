import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import {
  type CaseActivity,
  type CaseActivityEvent,
  lockCaseOrThrow,
  lockSurvivingCaseId,
  notifyUsers,
  recordCaseActivity,
  reopenCase,
} from '../../cases/service.js'
import type { Db } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import { newId } from '../../ids.js'
import * as store from '../store.js'
import type { RecipientRow } from '../store.js'
import { type Message, type NewMessage, toMessage } from '../types.js'
import { withDetails } from './conversation.js'

type Trx = Transaction<Database>
type CaseRow = Awaited<ReturnType<typeof lockCaseOrThrow>>

/** Message-IDs as stored: without angle brackets or surrounding space. */
export const bareMessageId = (id: string) => id.trim().replace(/^<|>$/g, '')

/**
 * Records a message on its case: the message, its recipients and attachments, the case's `message`
 * timeline entry (public for the customer's conversation, internal for a side conversation), the case's
 * effects (first response, waiting for the customer and back, reopening) and the events; an outbound email
 * recorded as queued is due at once (the send drain, email/send-email.ts, picks it up). A customer writing to a
 * resolved or closed case reopens it by the reopen rules; past the reopen window the message lands on the
 * follow-up case. A message recorded again (a redelivered email, a retried job: the same Message-ID) is the one already stored.
 */
export async function recordMessage(trx: Trx, ctx: ServiceContext, input: NewMessage, now: Date): Promise<Message> {
  const given = input.messageIdHeader ? bareMessageId(input.messageIdHeader) : null
  const target = await caseToRecordOn(trx, ctx, input, given, now)
  if ('known' in target) return target.known
  const { row } = target
  const inserted = await insertMessageRows(trx, ctx, row.id, input, given, now)
  if ('known' in inserted) return inserted.known
  const { message } = inserted
  const id = message.id
  const fromCustomer = input.direction === 'in' && input.authorType === 'customer' && input.visibility === 'public'
  const answered = fromCustomer && row.status === 'waiting_customer'
  await recordCaseActivity(
    trx,
    ctx,
    row.id,
    messageActivity(input, id, row, answered, now),
    now,
    target.locked ? row : undefined,
  )
  if (answered && row.assignee_id && row.assignee_id !== ctx.actor.id)
    await notifyUsers(
      trx,
      ctx.merchantId,
      [row.assignee_id],
      {
        caseId: row.id,
        cause: 'customer_replied',
        title: `The customer answered on CD-${row.number}`,
        body: (input.replyText ?? input.text).slice(0, 500),
        dedupKey: `${row.id}:customer_replied:${id}`,
      },
      now,
    )
  return message
}

/**
 * The case the message lands on, locked (mail to a merged case belongs on the case it was merged into; a
 * customer writing to a resolved or closed case reopens it), or the message when it is recorded already. The
 * insert finds a known Message-ID by itself; only a reopen, a change of its own, looks for it first.
 */
async function caseToRecordOn(
  trx: Trx,
  ctx: ServiceContext,
  input: NewMessage,
  messageIdHeader: string | null,
  now: Date,
): Promise<{ row: CaseRow; locked: boolean } | { known: Message }> {
  const caseId = (await lockSurvivingCaseId(trx, ctx.merchantId, input.caseId)) ?? input.caseId
  const row = await lockCaseOrThrow(trx, ctx.merchantId, caseId)
  const fromCustomer = input.direction === 'in' && input.authorType === 'customer' && input.visibility === 'public'
  if (!fromCustomer || (row.status !== 'resolved' && row.status !== 'closed')) return { row, locked: true }
  const recorded = messageIdHeader ? await findKnown(trx, ctx.merchantId, messageIdHeader) : undefined
  if (recorded) return { known: recorded }
  // The reopened case, or a follow-up one, is read again when the activity is recorded.
  return { row: await reopenCase(trx, ctx, row.id, { reason: 'The customer wrote' }, now, row), locked: false }
}

async function findKnown(trx: Trx, merchantId: string, messageIdHeader: string): Promise<Message | undefined> {
  const row = await store.findMessageByHeader(trx, merchantId, messageIdHeader)
  return row && (await withDetails(trx, merchantId, [row]))[0]
}

/** The message's rows (message, recipients of an outbound email, attachments), or the message known already. */
async function insertMessageRows(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  input: NewMessage,
  given: string | null,
  now: Date,
): Promise<{ message: Message } | { known: Message }> {
  const id = newId()
  const messageIdHeader =
    given ??
    (input.direction === 'out' && input.channel === 'email'
      ? `${id}@${input.messageIdDomain ?? 'claimdesk.invalid'}`
      : null)
  const message = await store.insertMessageUnlessKnown(trx, {
    merchant_id: ctx.merchantId,
    id,
    case_id: caseId,
    direction: input.direction,
    channel: input.channel,
    visibility: input.visibility,
    status: input.status,
    status_reason: input.statusReason ?? null,
    author_type: input.authorType,
    author_id: input.authorId ?? null,
    automatic: input.automatic ?? false,
    from_address: input.from.address,
    from_name: input.from.name ?? null,
    to_addresses: JSON.stringify(input.to),
    cc_addresses: JSON.stringify(input.cc),
    subject: input.subject,
    text_body: input.text,
    reply_text: input.replyText ?? null,
    quoted_text: input.quotedText ?? null,
    html_body: input.html ?? null,
    template_id: input.templateId ?? null,
    template_version: input.templateVersion ?? null,
    message_id_header: messageIdHeader,
    in_reply_to: input.inReplyTo ? bareMessageId(input.inReplyTo) : null,
    references_headers: (input.references ?? []).map(bareMessageId),
    provider: input.provider ?? null,
    provider_message_id: input.providerMessageId ?? null,
    raw_blob_key: input.rawBlobKey ?? null,
    robot_reason: input.robotReason ?? null,
    inbox_delivery_id: input.inboxDeliveryId ?? null,
    side_conversation_id: input.sideConversationId ?? null,
    deliver_after: input.deliverAfter ?? null,
    sms_segments: input.smsSegments ?? null,
    sms_encoding: input.smsEncoding ?? null,
    content_sid: input.contentSid ?? null,
    content_variables: input.contentVariables ? JSON.stringify(input.contentVariables) : null,
    created_at: now,
    updated_at: now,
  })
  // Recorded meanwhile by a transaction that committed first (the insert waited for it, so this read sees it).
  if (!message) {
    const known = await findKnown(trx, ctx.merchantId, messageIdHeader!)
    if (!known) throw new Error('messaging: Message-ID conflict without a stored message')
    return { known }
  }
  const addressed = [...input.to.map((a) => ['to', a] as const), ...input.cc.map((a) => ['cc', a] as const)]
  const recipients =
    input.direction === 'out' && input.channel === 'email'
      ? await store.insertRecipients(
          trx,
          addressed.map(([kind, a]) => ({
            merchant_id: ctx.merchantId,
            message_id: id,
            address: a.address.toLowerCase(),
            kind,
            updated_at: now,
          })),
        )
      : []
  const attachments = await store.insertAttachments(
    trx,
    (input.attachments ?? []).map((a) => ({
      merchant_id: ctx.merchantId,
      id: newId(),
      message_id: id,
      file_name: a.fileName,
      content_type: a.contentType,
      size_bytes: a.sizeBytes,
      blob_key: a.blobKey,
      content_id: a.contentId ?? null,
      refused_reason: a.refusedReason ?? null,
      created_at: now,
    })),
  )
  // What withDetails would read back, from the rows just written, in its order (ids are UUIDv7, minted in order).
  return { message: toMessage(message, attachments.sort(byId), recipients.sort(byKindThenAddress)) }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
const byId = (a: { id: string }, b: { id: string }) => compare(a.id, b.id)
// listRecipients' order: kind descending (to, cc, bcc), then address.
const byKindThenAddress = (a: RecipientRow, b: RecipientRow) => compare(b.kind, a.kind) || compare(a.address, b.address)

/** The case's side of a message: its timeline entry, events, first response and waiting status. */
function messageActivity(input: NewMessage, id: string, row: CaseRow, answered: boolean, now: Date): CaseActivity {
  const byPerson = input.direction === 'out' && input.authorType === 'agent' && !input.automatic
  const patch: CaseActivity['patch'] = {}
  if (byPerson && input.visibility === 'public') patch.first_response_at = now
  if (input.direction === 'out' && input.visibility === 'public' && input.setWaiting) patch.status = 'waiting_customer'
  if (answered) patch.status = 'open'
  const events: CaseActivityEvent[] = []
  const fields = { message_id: id, case_id: row.id, channel: input.channel, visibility: input.visibility }
  if (input.direction === 'in')
    events.push({
      type: 'message.received',
      subjectId: id,
      data: { ...fields, customer_id: row.customer_id, robot: input.robotReason ?? null, new_case: !!input.newCase },
    })
  if (input.status === 'held')
    events.push({
      type: 'message.failed',
      subjectId: id,
      data: { ...fields, status: 'held', reason: input.statusReason ?? 'held' },
    })
  return {
    action: input.direction === 'in' ? 'message.received' : 'message.recorded',
    patch,
    acts: byPerson,
    events,
    timeline: [
      {
        type: 'message',
        visibility: input.visibility === 'public' ? 'public' : 'internal',
        dedupKey: `message:${id}`,
        text: `${input.subject}\n${input.text}`,
        data: {
          message_id: id,
          direction: input.direction,
          channel: input.channel,
          visibility: input.visibility,
          side_conversation_id: input.sideConversationId ?? null,
          status: input.status,
          author_type: input.authorType,
          automatic: input.automatic ?? false,
          from: input.from.address,
          subject: input.subject,
          excerpt: (input.replyText ?? input.text).slice(0, 280),
        },
      },
    ],
  }
}

/** The case (and side conversation) of any of our or their stored Message-IDs (In-Reply-To, References), newest first. */
export async function findThreadForMessageHeader(
  db: Db,
  merchantId: string,
  messageIds: string[],
): Promise<{ caseId: string; sideConversationId: string | null } | null> {
  const ids = [...new Set(messageIds.map(bareMessageId).filter((m) => m.length > 0 && m.length <= 998))]
  const row = await store.findThreadByMessageIds(db, merchantId, ids.slice(0, 100))
  return row ? { caseId: row.case_id, sideConversationId: row.side_conversation_id } : null
}
