import type { ColumnType, Generated } from 'kysely'
import type { SmsEncoding } from './sms-segments.js'

type Instant = ColumnType<Date, Date, Date>
type Json<T> = ColumnType<T, string, string>

export const messageDirections = ['out', 'in'] as const
export type MessageDirection = (typeof messageDirections)[number]
export const messageChannels = ['email', 'sms', 'whatsapp', 'portal'] as const
export type MessageChannel = (typeof messageChannels)[number]
/** public: the customer's conversation; side: a side conversation the customer never sees. */
export const messageVisibilities = ['public', 'side'] as const
export type MessageVisibility = (typeof messageVisibilities)[number]
export const messageStatuses = [
  'queued',
  'sending',
  'sent',
  'delivered',
  /** A WhatsApp message the customer read (Twilio's status callback; 0027) */
  'read',
  'bounced',
  'failed',
  'held',
  'not_sent',
  'received',
] as const
export type MessageStatus = (typeof messageStatuses)[number]
export const messageAuthors = ['agent', 'system', 'rule', 'customer', 'contact'] as const
export type MessageAuthor = (typeof messageAuthors)[number]
export const recipientStatuses = ['queued', 'sending', 'sent', 'failed', 'bounced'] as const
export type RecipientStatus = (typeof recipientStatuses)[number]
export const templateChannels = ['email', 'sms', 'whatsapp'] as const
export type TemplateChannel = (typeof templateChannels)[number]
/** Who a side conversation is with. */
export const counterpartyKinds = ['carrier', 'warehouse', '3pl', 'supplier', 'other'] as const
export type CounterpartyKind = (typeof counterpartyKinds)[number]
/** open: waiting on the third party; answered: they replied, no agent has yet; closed by an agent. */
export const sideConversationStatuses = ['open', 'answered', 'closed'] as const
export type SideConversationStatus = (typeof sideConversationStatuses)[number]

export type Address = { address: string; name?: string }
export type MacroAction =
  | { type: 'set_status'; status: string }
  | { type: 'add_tag'; tag: string }
  | { type: 'assign'; user_id: string | null }
  | { type: 'assign_team'; team_id: string }
export type Brand = { key: string; from_name: string; from_address: string }

// Tables of migration 0014_messaging.sql.
export interface MessagingTables {
  messages: {
    merchant_id: string
    id: string
    case_id: string
    direction: MessageDirection
    channel: MessageChannel
    visibility: Generated<MessageVisibility>
    status: MessageStatus
    status_reason: string | null
    author_type: MessageAuthor
    author_id: string | null
    automatic: Generated<boolean>
    from_address: Generated<string>
    from_name: string | null
    to_addresses: Json<Address[]>
    cc_addresses: Json<Address[]>
    subject: Generated<string>
    text_body: Generated<string>
    /** The reply above what folds away, when something does (0017). */
    reply_text: string | null
    /** Quoted history and signature folded away under the reply (0017). */
    quoted_text: string | null
    html_body: string | null
    template_id: string | null
    template_version: number | null
    message_id_header: string | null
    in_reply_to: string | null
    references_headers: Generated<string[]>
    provider: string | null
    provider_message_id: string | null
    raw_blob_key: string | null
    /** The .eml is in message_raw_emails (an outbound email's, when small). */
    raw_in_db: Generated<boolean>
    /** Who marked it `sending` (the send drain's advisory lock key). */
    send_key: number | null
    robot_reason: string | null
    inbox_delivery_id: string | null
    attempts: Generated<number>
    next_attempt_at: Instant | null
    sent_at: Instant | null
    /** A phone message goes no earlier (quiet hours push it to their end) (0028). */
    deliver_after: Instant | null
    /** An SMS's segments and encoding as sent (0028). */
    sms_segments: number | null
    sms_encoding: SmsEncoding | null
    /** A WhatsApp message sent as an approved Twilio content template: its Content SID and variables (0028). */
    content_sid: string | null
    content_variables: Json<Record<string, string>> | null
    /** The customer's erasure reached it: personal content replaced, raw copies and attachments gone (0019). */
    redacted_at: Instant | null
    /** The message_bodies retention policy took its text: the marker stands in it, its metadata stays (0031). */
    body_purged_at: Generated<Date | null>
    /** The side conversation it belongs to (visibility side) (0025). */
    side_conversation_id: string | null
    created_at: Instant
    updated_at: Instant
  }
  /** A thread with a third party about a case (0025_side_conversations.sql). */
  side_conversations: {
    merchant_id: string
    id: string
    case_id: string
    subject: string
    counterparty_kind: CounterpartyKind
    counterparty_name: Generated<string>
    participants: Json<Address[]>
    status: SideConversationStatus
    created_by: string | null
    last_message_at: Instant
    closed_at: Instant | null
    created_at: Instant
    updated_at: Instant
  }
  message_raw_emails: {
    merchant_id: string
    message_id: string
    raw: Buffer
  }
  message_recipients: {
    merchant_id: string
    message_id: string
    address: string
    kind: 'to' | 'cc' | 'bcc'
    status: Generated<RecipientStatus>
    smtp_reply: string | null
    attempts: Generated<number>
    sent_at: Instant | null
    updated_at: Instant
  }
  message_attachments: {
    merchant_id: string
    id: string
    message_id: string
    file_name: string
    content_type: string
    size_bytes: number
    blob_key: string | null
    content_id: string | null
    refused_reason: string | null
    created_at: Instant
  }
  message_templates: {
    merchant_id: string
    id: string
    purpose: string
    channel: TemplateChannel
    locale: string
    name: string
    draft_subject: Generated<string>
    draft_text: Generated<string>
    draft_html: string | null
    live_version: number | null
    /** A WhatsApp variant's approved Twilio content template, sent outside the 24-hour window (0028). */
    content_sid: string | null
    /** Its numbered variables, each Liquid rendered for the case. */
    content_variables: ColumnType<Record<string, string>, string | undefined, string>
    archived_at: Instant | null
    created_at: Instant
    updated_at: Instant
  }
  message_template_versions: {
    merchant_id: string
    template_id: string
    version: number
    subject: string
    text_body: string
    html_body: string | null
    created_by: string | null
    created_at: Instant
    approved_by: string | null
    approved_at: Instant | null
  }
  macros: {
    merchant_id: string
    id: string
    name: string
    template_id: string | null
    actions: Json<MacroAction[]>
    archived_at: Instant | null
    created_at: Instant
    updated_at: Instant
  }
  email_settings: {
    merchant_id: string
    from_name: string
    from_address: string
    brands: Json<Brand[]>
    allowed_link_domains: Generated<string[]>
    default_locale: Generated<string>
    updated_at: Instant
  }
  notification_email_settings: {
    merchant_id: string
    user_id: string
    enabled: Generated<boolean>
    interval_minutes: Generated<number>
    last_sent_at: Instant | null
    pending_at: Instant | null
    mailed_until: Instant | null
  }
  /** The next free send slot of each sender (the per-sender rate limit across processes) (0028). */
  phone_send_slots: {
    merchant_id: string
    sender: string
    next_slot_at: Instant
  }
  /** Quiet hours and the order of channels automatic messages try (0028). */
  phone_settings: {
    merchant_id: string
    quiet_hours_enabled: Generated<boolean>
    quiet_hours_start: Generated<string>
    quiet_hours_end: Generated<string>
    channel_order: Generated<string[]>
    updated_at: Instant
  }
}
