import { Type } from 'typebox'
import { NullableTimestamp, Page, PageQueryWith, Timestamp, Uuid } from '../http/schemas.js'
import { messageAuthors, messageChannels, messageStatuses, messageVisibilities, recipientStatuses } from './tables.js'

const NullableText = Type.Union([Type.String(), Type.Null()])
// A mailbox as people write it; RFC 5321 caps an address at 254 characters in practice.
const EmailAddress = Type.String({ format: 'email', maxLength: 254 })
export const AddressView = Type.Object({ address: Type.String(), name: Type.Optional(Type.String()) })
export const AddressInput = Type.Object(
  { address: EmailAddress, name: Type.Optional(Type.String({ maxLength: 200, pattern: '^[^\\r\\n]*$' })) },
  { additionalProperties: false },
)

export const MessageView = Type.Object({
  id: Uuid,
  case_id: Uuid,
  direction: Type.Enum([...['out', 'in']]),
  channel: Type.Enum([...messageChannels]),
  visibility: Type.Enum([...messageVisibilities], {
    description: 'public: the customer conversation; side: a side conversation the customer never sees',
  }),
  status: Type.Enum([...messageStatuses]),
  status_reason: NullableText,
  author: Type.Object({ type: Type.Enum([...messageAuthors]), id: Type.Union([Uuid, Type.Null()]) }),
  automatic: Type.Boolean(),
  from: AddressView,
  to: Type.Array(AddressView),
  cc: Type.Array(AddressView),
  subject: Type.String(),
  text: Type.String({ description: 'The whole text, as received or sent' }),
  reply_text: Type.String({
    description: 'What the conversation shows: the text above its quoted history and signature (the text when none)',
  }),
  quoted_text: Type.Union([Type.String(), Type.Null()], {
    description: 'Quoted history and signature folded away under the reply (received email); null when nothing folds',
  }),
  html: Type.Union([Type.String({ description: 'As received or rendered: sanitise before showing' }), Type.Null()]),
  template_id: Type.Union([Uuid, Type.Null()]),
  template_version: Type.Union([Type.Integer(), Type.Null()]),
  message_id_header: NullableText,
  in_reply_to: NullableText,
  references: Type.Array(Type.String()),
  provider: NullableText,
  provider_message_id: NullableText,
  has_raw: Type.Boolean({ description: 'The raw message (.eml) is stored: GET /messages/{id}/raw' }),
  robot_reason: NullableText,
  attempts: Type.Integer(),
  sent_at: NullableTimestamp,
  deliver_after: Type.Union([Timestamp, Type.Null()], {
    description: 'An SMS or WhatsApp message waits until then (quiet hours in the customer\'s zone): "scheduled for …"',
  }),
  sms_segments: Type.Union([Type.Integer(), Type.Null()], { description: 'An SMS: the segments it goes as' }),
  sms_encoding: Type.Union([Type.Enum(['GSM-7', 'UCS-2']), Type.Null()], { description: 'An SMS: its encoding' }),
  content_sid: Type.Union([Type.String(), Type.Null()], {
    description: 'A WhatsApp message sent as an approved Twilio content template: its Content SID',
  }),
  redacted_at: Type.Union([Timestamp, Type.Null()], {
    description:
      "When the customer's erasure reached the message: its personal content reads [redacted], its original and files are gone",
  }),
  side_conversation_id: Type.Union([Uuid, Type.Null()], {
    description:
      'The side conversation it belongs to (GET /side-conversations/{id}); null for the customer conversation',
  }),
  created_at: Timestamp,
  updated_at: Timestamp,
  attachments: Type.Array(
    Type.Object({
      id: Uuid,
      file_name: Type.String(),
      content_type: Type.String(),
      size_bytes: Type.Integer(),
      stored: Type.Boolean({ description: 'false when the attachment was refused (refused_reason says why)' }),
      content_id: NullableText,
      refused_reason: NullableText,
    }),
  ),
  recipients: Type.Array(
    Type.Object({
      address: Type.String(),
      kind: Type.Enum(['to', 'cc', 'bcc']),
      status: Type.Enum([...recipientStatuses]),
      smtp_reply: NullableText,
      attempts: Type.Integer(),
      sent_at: NullableTimestamp,
    }),
    { description: 'Per recipient delivery state (outbound email)' },
  ),
})
export const MessagePage = Page(MessageView)
/** A case's conversation page, with the address that threads a customer's email onto the case. */
export const CaseMessagePage = Type.Object({
  ...Page(MessageView).properties,
  reply_address: Type.Union([Type.String(), Type.Null()], {
    description:
      "Customer replies go to this address (the Reply-To of the case's emails): mail to it lands on this case. " +
      'Null while the case has no message yet (the SMTP listener knows a case by the messages on it)',
  }),
})

export const CaseParams = Type.Object({ id: Uuid })
export const MessageParams = Type.Object({ id: Uuid })

export const ConversationQuery = PageQueryWith({
  visibility: Type.Optional(Type.Enum([...messageVisibilities])),
})
export const FailedQuery = PageQueryWith({
  status: Type.Optional(
    Type.String({
      pattern: '^(failed|bounced|held)(,(failed|bounced|held))*$',
      maxLength: 40,
      description: 'failed, bounced, held, or several comma-separated (default: all three)',
    }),
  ),
})

export const maxTextLength = 50_000

export const SendMessageBody = Type.Object(
  {
    visibility: Type.Optional(
      Type.Enum([...messageVisibilities], {
        description: 'public (default): a reply to the customer; side: a side conversation the customer never sees',
      }),
    ),
    to: Type.Optional(
      Type.Array(AddressInput, { minItems: 1, maxItems: 50, description: "Default: the case's customer" }),
    ),
    cc: Type.Optional(Type.Array(AddressInput, { maxItems: 50 })),
    subject: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 998,
        pattern: '^[^\\r\\n]*$',
        description: 'Default: "Re: <case subject> [CD-n]"',
      }),
    ),
    text: Type.String({ minLength: 1, maxLength: maxTextLength }),
    html: Type.Optional(Type.String({ maxLength: 500_000 })),
    template_id: Type.Optional(Uuid),
    template_version: Type.Optional(Type.Integer({ minimum: 1 })),
    attachment_ids: Type.Optional(
      Type.Array(Uuid, {
        maxItems: 20,
        uniqueItems: true,
        description: 'Attachments of messages on this case, sent again',
      }),
    ),
    set_waiting: Type.Optional(Type.Boolean({ description: 'The case waits for the customer (public replies)' })),
    channel: Type.Optional(
      Type.Enum(['email', 'sms', 'whatsapp'], {
        description:
          "email (default); sms or whatsapp to the customer's phone (text at most 1,600 characters; no to, cc, subject, html or attachments)",
      }),
    ),
    phone: Type.Optional(
      Type.String({
        minLength: 7,
        maxLength: 20,
        pattern: '^\\+?[0-9 ().-]+$',
        description: "SMS or WhatsApp: the number (E.164, e.g. +447700900123); default the case's customer's",
      }),
    ),
    urgent: Type.Optional(
      Type.Boolean({ description: 'SMS or WhatsApp: send even in quiet hours (a case of priority urgent always is)' }),
    ),
    content_sid: Type.Optional(
      Type.String({
        pattern: '^HX[0-9a-fA-F]{32}$',
        description:
          'WhatsApp: an approved Twilio content template (needed outside the 24-hour window); text is its preview',
      }),
    ),
    content_variables: Type.Optional(
      Type.Record(Type.String({ pattern: '^[0-9]{1,2}$' }), Type.String({ maxLength: 1000 }), {
        maxProperties: 20,
        description: 'The content template\'s numbered variables, e.g. {"1": "CD-1042"}',
      }),
    ),
  },
  { additionalProperties: false },
)

export const RawMessage = {
  description: 'The raw message (RFC 5322), as a download',
  content: { 'message/rfc822': { schema: Type.String({ format: 'binary' }) } },
}

// The customer's side of the conversation: public messages only, in the customer's words.
export const PortalMessageView = Type.Object({
  id: Uuid,
  from: Type.Enum(['you', 'us'], { description: 'you: the customer wrote it; us: the store' }),
  subject: Type.String(),
  text: Type.String({ description: 'The message; of an emailed reply, the part above its quoted history' }),
  quoted_text: Type.Union([Type.String(), Type.Null()], {
    description: 'Quoted history and signature folded away under an emailed reply; null when nothing folds',
  }),
  at: Timestamp,
  redacted_at: Type.Union([Timestamp, Type.Null()], {
    description: 'When your data was erased from this message at your request (its text then reads [redacted])',
  }),
  attachments: Type.Array(Type.Object({ file_name: Type.String(), size_bytes: Type.Integer() })),
})
export const PortalConversation = Type.Object({ data: Type.Array(PortalMessageView) })
export const portalMaxText = 5000
export const PortalMessageBody = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: portalMaxText }) },
  { additionalProperties: false },
)
