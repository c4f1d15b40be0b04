import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import { findCaseOrThrow } from '../../cases/service.js'
import { recordAuditFor } from '../../changes.js'
import { findSurvivor } from '../../customers/service.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import type { Config } from '../../config.js'
import { checkLinks, type QaProblem } from '../templates/link-qa.js'
import { allowedLinkHosts, getEmailSettings } from '../templates/service.js'
import * as store from '../store.js'
import type { Address, MessageStatus, MessageVisibility } from '../tables.js'
import type { Message, NewAttachment } from '../types.js'
import { getMessage } from './conversation.js'
import { notSentReason } from '../email/send-email.js'
import { type PhoneApp, phoneRetry, phoneRetryable } from '../phone/send-phone-message.js'
import { recordMessage } from './record-message.js'

type Trx = Transaction<Database>

/** What sending needs from the configuration: whether there is a mail server, the domain of Message-IDs, link QA's hosts. */
export type MailSetup = { configured: boolean; domain: string; config: Pick<Config, 'publicUrl' | 'email'> }
export const mailSetupOf = (config: Pick<Config, 'publicUrl' | 'email' | 'smtpUrl'>): MailSetup => ({
  configured: !!config.smtpUrl,
  domain: config.email.inboundDomain,
  config,
})

export type SendInput = {
  visibility?: MessageVisibility
  to?: Address[]
  cc?: Address[]
  subject?: string
  text: string
  html?: string
  templateId?: string
  templateVersion?: number
  attachmentIds?: string[]
  /** Files the caller stored for this message (an evidence pack), beside attachments sent again */
  files?: NewAttachment[]
  setWaiting?: boolean
  /** The side conversation it is on (visibility side) */
  sideConversationId?: string
  /** What QA found when its template was rendered: the message is held with them */
  problems?: QaProblem[]
}

/** Attachments sent again from messages on the same case: the stored file, not a copy. */
async function attachmentsOf(trx: Trx, merchantId: string, caseId: string, ids: string[]): Promise<NewAttachment[]> {
  const found = await store.findAttachments(trx, merchantId, ids)
  const usable = new Map(found.filter((a) => a.case_id === caseId && a.blob_key).map((a) => [a.id, a]))
  const bad = ids.filter((id) => !usable.has(id))
  if (bad.length)
    throw new AppError('attachment_invalid', 'Not a stored attachment of a message on this case', {
      attachment_ids: bad,
    })
  return ids.map((id) => {
    const a = usable.get(id)!
    return { fileName: a.file_name, contentType: a.content_type, sizeBytes: Number(a.size_bytes), blobKey: a.blob_key }
  })
}

/**
 * An agent's email on a case: a reply to the customer (public) or a side conversation. Without a mail
 * server it is stored as not_sent; with link QA problems it is held; otherwise it is queued for sending.
 */
export async function sendMessage(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  input: SendInput,
  mail: MailSetup,
  now: Date,
): Promise<Message> {
  const row = await findCaseOrThrow(trx, ctx.merchantId, caseId)
  const customer = row.customer_id ? await findSurvivor(trx, ctx.merchantId, row.customer_id) : undefined
  const to =
    input.to ??
    (customer?.email ? [{ address: customer.email, ...(customer.name ? { name: customer.name } : {}) }] : [])
  if (!to.length)
    throw new AppError('recipient_required', "Name a recipient: the case's customer has no email address", {
      case_id: caseId,
    })
  const settings = await getEmailSettings(trx, ctx.merchantId, mail.config)
  const from = { address: settings.from_address, name: settings.from_name }
  const subject = input.subject ?? `Re: ${row.subject} [CD-${row.number}]`.slice(0, 998)
  // Link QA again at send (the composer's preview ran it too): what fails is held, not sent.
  const problems = checkLinks(
    { subject, text: input.text, html: input.html ?? null },
    await allowedLinkHosts(trx, ctx.merchantId, mail.config, now),
  )
  const found = [...new Set([...(input.problems ?? []), ...problems].map((p) => `${p.code}: ${p.detail}`))]
  const held = found.length ? found.join('; ') : null
  const [status, statusReason]: [MessageStatus, string | null] = held
    ? ['held', `${input.problems?.length ? 'template QA' : 'link QA'}: ${held}`.slice(0, 2000)]
    : mail.configured
      ? ['queued', null]
      : ['not_sent', notSentReason]
  const visibility = input.visibility ?? 'public'
  return recordMessage(
    trx,
    ctx,
    {
      caseId,
      direction: 'out',
      channel: 'email',
      visibility,
      status,
      statusReason,
      // A person in the console, or an API key acting for one (a helpdesk integration); Claimdesk's own work is system.
      authorType: ctx.actor.type === 'system' ? 'system' : 'agent',
      authorId: ctx.actor.type === 'user' ? ctx.actor.id : null,
      from,
      to,
      cc: input.cc ?? [],
      subject,
      text: input.text,
      html: input.html ?? null,
      templateId: input.templateId ?? null,
      templateVersion: input.templateVersion ?? null,
      messageIdDomain: mail.domain,
      attachments: [
        ...(await attachmentsOf(trx, ctx.merchantId, caseId, input.attachmentIds ?? [])),
        ...(input.files ?? []),
      ],
      setWaiting: visibility === 'public' && input.setWaiting,
      sideConversationId: visibility === 'side' ? (input.sideConversationId ?? null) : null,
    },
    now,
  )
}

const retryable: Partial<Record<string, MessageStatus[]>> = {
  email: ['failed', 'held', 'not_sent', 'bounced'],
  sms: phoneRetryable,
  whatsapp: phoneRetryable,
}

/** What a retry needs: the mail setup for an email, the Twilio connection's app for SMS and WhatsApp. */
export type RetrySetup = { mail: MailSetup; phone: PhoneApp }

/**
 * Sends a failed, held or not-sent message again, audited: an email to the recipients it did not reach; an SMS or
 * WhatsApp message through the phone drain once it passes a first send's checks again (phoneRetry).
 */
export async function retryMessage(
  trx: Trx,
  ctx: ServiceContext,
  id: string,
  setup: RetrySetup,
  now: Date,
): Promise<Message> {
  const row = await store.lockMessage(trx, ctx.merchantId, id)
  if (!row) throw new AppError('message_not_found', 'No such message', { message_id: id })
  // What it said is erased (and its recipient with it): there is nothing left to send.
  if (row.redacted_at)
    throw new AppError('message_not_retryable', "A message the customer's erasure reached is not sent again", {
      message_id: id,
      status: row.status,
    })
  if (row.direction !== 'out' || !retryable[row.channel]?.includes(row.status))
    throw new AppError('message_not_retryable', `A ${row.status} message is not sent again`, {
      message_id: id,
      status: row.status,
    })
  const email = row.channel === 'email'
  const patch = email
    ? setup.mail.configured
      ? { status: 'queued' as const, status_reason: null }
      : { status: 'not_sent' as const, status_reason: notSentReason }
    : await phoneRetry(trx, ctx, row, setup.phone, now)
  // Due at once, its attempts counted afresh (the send drains give up after their most attempts).
  await store.updateMessage(trx, ctx.merchantId, id, { ...patch, attempts: 0, next_attempt_at: null, updated_at: now })
  if (email) await store.requeueRecipients(trx, ctx.merchantId, id, now)
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'message.retried',
      entityType: 'message',
      entityId: id,
      before: { status: row.status, status_reason: row.status_reason },
      after: { status: patch.status, status_reason: patch.status_reason },
    },
    now,
  )
  return getMessage(trx, ctx.merchantId, id)
}
