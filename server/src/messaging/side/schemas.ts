import { Type } from 'typebox'
import { NullableTimestamp, Timestamp, Uuid } from '../../http/schemas.js'
import { AddressInput, AddressView, MessageView, maxTextLength } from '../schemas.js'
import { counterpartyKinds, sideConversationStatuses } from '../tables.js'

const Subject = Type.String({ minLength: 1, maxLength: 998, pattern: '^[^\\r\\n]*$' })

export const SideConversationView = Type.Object({
  id: Uuid,
  case_id: Uuid,
  subject: Type.String(),
  counterparty_kind: Type.Enum([...counterpartyKinds], { description: 'carrier, warehouse, 3pl, supplier or other' }),
  counterparty_name: Type.String({ description: 'Who the third party is (e.g. "DHL claims desk"); may be empty' }),
  participants: Type.Array(AddressView, { description: 'The third party addresses on the thread' }),
  status: Type.Enum([...sideConversationStatuses], {
    description: 'open: waiting on the third party; answered: they replied, no agent has answered yet; closed',
  }),
  created_by: Type.Union([Uuid, Type.Null()], { description: 'The person who started it' }),
  last_message_at: Timestamp,
  closed_at: NullableTimestamp,
  created_at: Timestamp,
  updated_at: Timestamp,
})

export const SideConversationCounts = Type.Object(
  { open: Type.Integer(), answered: Type.Integer(), closed: Type.Integer() },
  { description: "How many of the case's side conversations are in each status (the case header's badge)" },
)
export const SideConversationList = Type.Object({
  data: Type.Array(SideConversationView),
  counts: SideConversationCounts,
})
export const SideConversationDetail = Type.Object({
  ...SideConversationView.properties,
  reply_address: Type.String({ description: "The thread's reply address: mail to it lands on this conversation" }),
  messages: Type.Array(MessageView, { description: 'The thread, oldest first' }),
})
export const SideConversationSent = Type.Object({
  side_conversation: SideConversationView,
  message: MessageView,
})

export const SideParams = Type.Object({ id: Uuid })

export const OpenSideBody = Type.Object(
  {
    counterparty_kind: Type.Enum([...counterpartyKinds]),
    counterparty_name: Type.Optional(Type.String({ maxLength: 200, pattern: '^[^\\r\\n]*$' })),
    to: Type.Array(AddressInput, { minItems: 1, maxItems: 20 }),
    cc: Type.Optional(Type.Array(AddressInput, { maxItems: 20 })),
    subject: Type.Optional(Type.String({ ...Subject, description: "Default: the template's subject" })),
    text: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: maxTextLength,
        description: "The email's text; without it, the template's live version rendered for the case",
      }),
    ),
    html: Type.Optional(Type.String({ maxLength: 500_000 })),
    template_id: Type.Optional(Uuid),
    template_version: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
)

export const SideReplyBody = Type.Object(
  {
    text: Type.String({ minLength: 1, maxLength: maxTextLength }),
    html: Type.Optional(Type.String({ maxLength: 500_000 })),
    to: Type.Optional(
      Type.Array(AddressInput, { minItems: 1, maxItems: 20, description: "Default: the conversation's participants" }),
    ),
    cc: Type.Optional(Type.Array(AddressInput, { maxItems: 20 })),
  },
  { additionalProperties: false },
)
