import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import {
  type CaseActivity,
  type CaseActivityEvent,
  findCaseOrThrow,
  notifyUsers,
  recordCaseActivity,
  reopenCase,
} from '../../cases/service.js'
import type { Db } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import { newId } from '../../ids.js'
import { addJob } from '../../jobs/queue.js'
import * as store from '../store.js'
import type { Message, NewMessage } from '../types.js'
import { withDetails } from './conversation.js'

type Trx = Transaction<Database>

export const sendEmailTask = 'messaging:send-email'

/** Message-IDs as stored: without angle brackets or surrounding space. */
export const bareMessageId = (id: string) => id.trim().replace(/^<|>$/g, '')

/** Queues the send of an outbound email: one job per message (its key), in the caller's transaction. */
export async function queueSend(trx: Trx, merchantId: string, messageId: string): Promise<void> {
  await addJob(
    trx,
    sendEmailTask,
    { merchant_id: merchantId, message_id: messageId },
    { jobKey: `send-email:${messageId}` },
  )
}

/**
 * Records a message on its case: the message, its recipients and attachments, the case's `message`
 * timeline entry (public for the customer's conversation, internal for a side conversation), the case's
 * effects (first response, waiting for the customer and back, reopening) and the events, and for an
 * outbound email that is queued, its send job. A customer writing to a resolved or closed case reopens
 * it by the reopen rules; past the reopen window the message lands on the follow-up case.
 */
export async function recordMessage(trx: Trx, ctx: ServiceContext, input: NewMessage, now: Date): Promise<Message> {
  // A message recorded again (a redelivered email, a retried job) is the one already stored.
  const known = input.messageIdHeader
    ? await store.findMessageByHeader(trx, ctx.merchantId, bareMessageId(input.messageIdHeader))
    : undefined
  if (known) return (await withDetails(trx, ctx.merchantId, [known]))[0]!
  const fromCustomer = input.direction === 'in' && input.authorType === 'customer' && input.visibility === 'public'
  let row = await findCaseOrThrow(trx, ctx.merchantId, input.caseId)
  // Mail to a merged case belongs on the case it was merged into.
  for (let hops = 0; row.merged_into_id && hops < 5; hops++)
    row = await findCaseOrThrow(trx, ctx.merchantId, row.merged_into_id)
  if (fromCustomer && (row.status === 'resolved' || row.status === 'closed'))
    row = await reopenCase(trx, ctx, row.id, { reason: 'The customer wrote' }, now)

  const id = newId()
  const messageIdHeader = input.messageIdHeader
    ? bareMessageId(input.messageIdHeader)
    : input.direction === 'out' && input.channel === 'email'
      ? `${id}@${input.messageIdDomain ?? 'claimdesk.invalid'}`
      : null
  const message = await store.insertMessage(trx, {
    merchant_id: ctx.merchantId,
    id,
    case_id: row.id,
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
    created_at: now,
    updated_at: now,
  })
  if (input.direction === 'out' && input.channel === 'email')
    await store.insertRecipients(
      trx,
      [...input.to.map((a) => ['to', a] as const), ...input.cc.map((a) => ['cc', a] as const)].map(([kind, a]) => ({
        merchant_id: ctx.merchantId,
        message_id: id,
        address: a.address.toLowerCase(),
        kind,
        updated_at: now,
      })),
    )
  await store.insertAttachments(
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

  const byPerson = input.direction === 'out' && input.authorType === 'agent' && !input.automatic
  const patch: CaseActivity['patch'] = {}
  if (byPerson && input.visibility === 'public') patch.first_response_at = now
  if (input.direction === 'out' && input.visibility === 'public' && input.setWaiting) patch.status = 'waiting_customer'
  const answered = fromCustomer && row.status === 'waiting_customer'
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
  await recordCaseActivity(
    trx,
    ctx,
    row.id,
    {
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
            status: input.status,
            author_type: input.authorType,
            automatic: input.automatic ?? false,
            from: input.from.address,
            subject: input.subject,
            excerpt: (input.replyText ?? input.text).slice(0, 280),
          },
        },
      ],
    },
    now,
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
  if (input.direction === 'out' && input.channel === 'email' && input.status === 'queued')
    await queueSend(trx, ctx.merchantId, id)
  return (await withDetails(trx, ctx.merchantId, [message]))[0]!
}

/** The case of any of our or their stored Message-IDs (In-Reply-To, References), newest first. */
export async function findCaseForMessageHeader(
  db: Db,
  merchantId: string,
  messageIds: string[],
): Promise<string | null> {
  const ids = [...new Set(messageIds.map(bareMessageId).filter((m) => m.length > 0 && m.length <= 998))]
  return store.findCaseByMessageIds(db, merchantId, ids.slice(0, 100))
}
