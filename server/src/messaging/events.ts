import { Type } from 'typebox'
import { defineEvents, type EventPayloads, nullable, uuid } from '../jobs/events.js'
import { counterpartyKinds, messageChannels, messageVisibilities } from './tables.js'

// What every message event carries: enough for the SLA module's first- and next-response clocks.
const messageFields = {
  message_id: uuid('The message'),
  case_id: uuid('Its case'),
  channel: Type.Enum(messageChannels, { description: 'email, sms, whatsapp or portal' }),
  visibility: Type.Enum(messageVisibilities, {
    description: 'public: the customer sees it; side: a side conversation the customer never sees',
  }),
}

// What every side conversation event carries: the conversation, its case and who it is with.
const sideFields = {
  side_conversation_id: uuid('The side conversation'),
  case_id: uuid('Its case'),
  counterparty_kind: Type.Enum(counterpartyKinds, { description: 'carrier, warehouse, 3pl, supplier or other' }),
  counterparty_name: Type.String({ description: 'Who the third party is (e.g. "DHL claims desk"); may be empty' }),
}

export const messageEvents = defineEvents({
  'message.sent': {
    subject: 'message',
    description: 'An outbound message left Claimdesk (accepted by the mail server or provider).',
    data: Type.Object({
      ...messageFields,
      public: Type.Boolean({ description: 'Whether the customer sees it (a public reply, not a side conversation)' }),
      automatic: Type.Boolean({ description: 'Sent by automation (an acknowledgement, a rule), not by a person' }),
      author_id: nullable(Type.String({ format: 'uuid' }), 'The person who wrote it, when one did'),
    }),
  },
  'message.received': {
    subject: 'message',
    description: 'An inbound message was recorded on a case (email, the portal, later SMS and WhatsApp).',
    data: Type.Object({
      ...messageFields,
      customer_id: nullable(Type.String({ format: 'uuid' }), 'The customer it came from, when matched'),
      robot: nullable(Type.String(), 'Why it must not be answered automatically (auto-reply, bulk, …), else null'),
      new_case: Type.Boolean({ description: 'Whether it opened a new case rather than landing on an open one' }),
    }),
  },
  'message.failed': {
    subject: 'message',
    description: 'An outbound message could not be sent (a permanent refusal, or retries ran out), or was held.',
    data: Type.Object({
      ...messageFields,
      status: Type.Union([Type.Literal('failed'), Type.Literal('held')], { description: 'failed or held' }),
      reason: Type.String({ description: "The server's reply, or why it was held" }),
    }),
  },
  'message.bounced': {
    subject: 'message',
    description: 'A delivery status notification reported that an outbound message did not reach a recipient.',
    data: Type.Object({
      ...messageFields,
      recipient: Type.String({ description: 'The address that bounced' }),
      reason: Type.String({ description: "The remote server's diagnostic" }),
    }),
  },
  'side_conversation.opened': {
    subject: 'side conversation',
    description: 'An agent started a side conversation with a third party on a case (its first email is queued).',
    data: Type.Object({
      ...sideFields,
      message_id: uuid('Its first message'),
      template_id: nullable(Type.String({ format: 'uuid' }), 'The template it was written from, when one was'),
    }),
  },
  'side_conversation.answered': {
    subject: 'side conversation',
    description: 'The third party replied on a side conversation (it was open or closed; now answered).',
    data: Type.Object({
      ...sideFields,
      message_id: uuid('Their reply'),
      reopened: Type.Boolean({ description: 'Whether the conversation was closed and the reply reopened it' }),
    }),
  },
  'side_conversation.closed': {
    subject: 'side conversation',
    description: 'An agent closed a side conversation (a new reply from either side reopens it).',
    data: Type.Object({ ...sideFields }),
  },
  'side_conversation.reopened': {
    subject: 'side conversation',
    description: 'An agent reopened a closed side conversation, or wrote on it (it waits on the third party again).',
    data: Type.Object({
      ...sideFields,
      message_id: nullable(Type.String({ format: 'uuid' }), "The agent's message that reopened it, when one did"),
    }),
  },
})

declare module '../jobs/events.js' {
  interface DomainEvents extends EventPayloads<typeof messageEvents> {}
}
