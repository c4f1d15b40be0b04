import type { AttachmentRow, MessageRow, RecipientRow } from './store.js'
import type {
  Address,
  MessageAuthor,
  MessageChannel,
  MessageDirection,
  MessageStatus,
  MessageVisibility,
  RecipientStatus,
} from './tables.js'
import type { SmsEncoding } from './sms-segments.js'

export type { Address } from './tables.js'

export type NewAttachment = {
  fileName: string
  contentType: string
  sizeBytes: number
  /** null when the attachment was refused (too large, refused type): the message keeps its name and reason */
  blobKey: string | null
  contentId?: string | null
  refusedReason?: string | null
}

/** A message as a module records it on its case (recordMessage). */
export type NewMessage = {
  caseId: string
  direction: MessageDirection
  channel: MessageChannel
  visibility: MessageVisibility
  status: MessageStatus
  /** Why it has its status: not_sent's "no mail server configured", held's QA problems, … */
  statusReason?: string | null
  authorType: MessageAuthor
  authorId?: string | null
  /** Sent by automation: never a first response; mail says Auto-Submitted */
  automatic?: boolean
  from: Address
  to: Address[]
  cc: Address[]
  subject: string
  text: string
  /** Of a received text whose quoted history or signature folds away: the reply above it, and that tail */
  replyText?: string | null
  quotedText?: string | null
  html?: string | null
  templateId?: string | null
  templateVersion?: number | null
  /** RFC 5322 Message-ID without angle brackets; an outbound email without one gets `<id>@<messageIdDomain>` */
  messageIdHeader?: string | null
  /** The domain of generated Message-IDs (INBOUND_EMAIL_DOMAIN or PUBLIC_URL's host) */
  messageIdDomain?: string
  inReplyTo?: string | null
  references?: string[]
  provider?: string | null
  providerMessageId?: string | null
  rawBlobKey?: string | null
  robotReason?: string | null
  inboxDeliveryId?: string | null
  attachments?: NewAttachment[]
  /** An outbound public reply that waits for the customer: the case becomes waiting_customer */
  setWaiting?: boolean
  /** An inbound message that opened its case (message.received's new_case) */
  newCase?: boolean
  /** The side conversation it belongs to (visibility side) */
  sideConversationId?: string | null
  /** A phone message: not sent before (quiet hours), its SMS segments and encoding, its WhatsApp content template */
  deliverAfter?: Date | null
  smsSegments?: number | null
  smsEncoding?: SmsEncoding | null
  contentSid?: string | null
  contentVariables?: Record<string, string> | null
}

export type MessageAttachment = {
  id: string
  file_name: string
  content_type: string
  size_bytes: number
  stored: boolean
  content_id: string | null
  refused_reason: string | null
}

export type MessageRecipient = {
  address: string
  kind: 'to' | 'cc' | 'bcc'
  status: RecipientStatus
  smtp_reply: string | null
  attempts: number
  sent_at: Date | null
}

/** A message as it leaves through the API. */
export type Message = {
  id: string
  case_id: string
  direction: MessageDirection
  channel: MessageChannel
  visibility: MessageVisibility
  status: MessageStatus
  status_reason: string | null
  author: { type: MessageAuthor; id: string | null }
  automatic: boolean
  from: Address
  to: Address[]
  cc: Address[]
  subject: string
  /** The whole text, as received or sent */
  text: string
  /** What the conversation shows: the text above its folded quoted history and signature (the text when none) */
  reply_text: string
  /** Quoted history and signature folded away under the reply; null when nothing folds */
  quoted_text: string | null
  html: string | null
  template_id: string | null
  template_version: number | null
  message_id_header: string | null
  in_reply_to: string | null
  references: string[]
  provider: string | null
  provider_message_id: string | null
  /** Whether the raw message (.eml) is stored: GET /messages/{id}/raw */
  has_raw: boolean
  robot_reason: string | null
  attempts: number
  sent_at: Date | null
  /** A phone message: not sent before this (quiet hours: "scheduled for …") */
  deliver_after: Date | null
  /** An SMS: its segments and encoding (GSM-7 or UCS-2) */
  sms_segments: number | null
  sms_encoding: SmsEncoding | null
  /** A WhatsApp message sent as an approved content template (outside the 24-hour window) */
  content_sid: string | null
  /** When the customer's erasure reached it: its personal content is a marker, its original and files are gone */
  redacted_at: Date | null
  /** The side conversation it belongs to; null for the customer's conversation */
  side_conversation_id: string | null
  created_at: Date
  updated_at: Date
  attachments: MessageAttachment[]
  recipients: MessageRecipient[]
}

export const toAttachment = (r: AttachmentRow): MessageAttachment => ({
  id: r.id,
  file_name: r.file_name,
  content_type: r.content_type,
  size_bytes: Number(r.size_bytes),
  stored: r.blob_key !== null,
  content_id: r.content_id,
  refused_reason: r.refused_reason,
})

export const toRecipient = (r: RecipientRow): MessageRecipient => ({
  address: r.address,
  kind: r.kind,
  status: r.status,
  smtp_reply: r.smtp_reply,
  attempts: r.attempts,
  sent_at: r.sent_at,
})

/**
 * An email our SMTP listener received keeps its .eml in its inbox delivery, whose body is the raw message as
 * committed before the 250 (no second copy, no file of its own).
 */
export const rawInInbox = (r: Pick<MessageRow, 'raw_blob_key' | 'direction' | 'provider' | 'inbox_delivery_id'>) =>
  r.raw_blob_key === null && r.direction === 'in' && r.provider === 'smtp' && r.inbox_delivery_id !== null

export function toMessage(r: MessageRow, attachments: AttachmentRow[], recipients: RecipientRow[]): Message {
  return {
    id: r.id,
    case_id: r.case_id,
    direction: r.direction,
    channel: r.channel,
    visibility: r.visibility,
    status: r.status,
    status_reason: r.status_reason,
    author: { type: r.author_type, id: r.author_id },
    automatic: r.automatic,
    from: r.from_name ? { address: r.from_address, name: r.from_name } : { address: r.from_address },
    to: r.to_addresses,
    cc: r.cc_addresses,
    subject: r.subject,
    text: r.text_body,
    reply_text: r.reply_text ?? r.text_body,
    quoted_text: r.quoted_text,
    html: r.html_body,
    template_id: r.template_id,
    template_version: r.template_version,
    message_id_header: r.message_id_header,
    in_reply_to: r.in_reply_to,
    references: r.references_headers,
    provider: r.provider,
    provider_message_id: r.provider_message_id,
    has_raw: !r.redacted_at && (r.raw_blob_key !== null || r.raw_in_db || rawInInbox(r)),
    robot_reason: r.robot_reason,
    attempts: r.attempts,
    sent_at: r.sent_at,
    deliver_after: r.deliver_after,
    sms_segments: r.sms_segments,
    sms_encoding: r.sms_encoding,
    content_sid: r.content_sid,
    redacted_at: r.redacted_at,
    side_conversation_id: r.side_conversation_id,
    created_at: r.created_at,
    updated_at: r.updated_at,
    attachments: attachments.map(toAttachment),
    recipients: recipients.map(toRecipient),
  }
}
