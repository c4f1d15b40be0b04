import { Type } from 'typebox'
import { NullableTimestamp, Timestamp, Uuid } from '../../http/schemas.js'

const Hhmm = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM, local time' })
const Order = Type.Array(Type.Enum(['whatsapp', 'sms', 'email']), { minItems: 1, maxItems: 3, uniqueItems: true })

export const PhoneSettingsView = Type.Object({
  quiet_hours: Type.Object({
    enabled: Type.Boolean({
      description: "Non-urgent SMS and WhatsApp wait for the end of quiet hours (the customer's zone)",
    }),
    start: Hhmm,
    end: Hhmm,
  }),
  channel_order: Type.Array(Type.Enum(['whatsapp', 'sms', 'email']), {
    description: 'Automatic messages go by the first channel the customer consented to, in this order',
  }),
  updated_at: NullableTimestamp,
})

export const PhoneSettingsBody = Type.Object(
  {
    quiet_hours: Type.Optional(
      Type.Object(
        { enabled: Type.Optional(Type.Boolean()), start: Type.Optional(Hhmm), end: Type.Optional(Hhmm) },
        { additionalProperties: false },
      ),
    ),
    channel_order: Type.Optional(Order),
  },
  { additionalProperties: false },
)

const ChannelState = {
  consent: Type.Boolean({ description: 'The customer consented to automatic messages on this channel' }),
  opted_out_at: Type.Union([Timestamp, Type.Null()], {
    description: 'When the customer said STOP (nothing goes until START)',
  }),
  can_send: Type.Boolean({
    description: 'An agent can send on it now (a number, no opt-out, a sender; WhatsApp: window open)',
  }),
  reason: Type.Union([Type.String(), Type.Null()], { description: 'Why not, when it cannot' }),
}

export const PhoneChannelsView = Type.Object({
  customer_id: Type.Union([Uuid, Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  time_zone: Type.String({ description: "The customer's zone, else the workspace's: quiet hours are kept in it" }),
  configured: Type.Boolean({ description: 'A Twilio connection (or TWILIO_* to make one) exists' }),
  senders: Type.Array(
    Type.Object({
      address: Type.String(),
      channels: Type.Array(Type.Enum(['sms', 'whatsapp'])),
      per_second: Type.Number({ description: "Messages a second (the admin's, else Twilio's documented default)" }),
    }),
  ),
  quiet_hours: Type.Object({
    enabled: Type.Boolean(),
    start: Type.String(),
    end: Type.String(),
    now: Type.Boolean({ description: 'Non-urgent messages sent now wait' }),
    ends_at: Type.Union([Timestamp, Type.Null()], { description: 'When they would go' }),
  }),
  sms: Type.Object(ChannelState),
  whatsapp: Type.Object({
    ...ChannelState,
    window_open_until: Type.Union([Timestamp, Type.Null()], {
      description: '24 hours after the customer last wrote on WhatsApp: free text until then, templates only after',
    }),
    templates: Type.Array(
      Type.Object({
        template_id: Uuid,
        purpose: Type.String(),
        name: Type.String(),
        locale: Type.String(),
        content_sid: Type.String(),
        variables: Type.Record(Type.String(), Type.String()),
      }),
      { description: 'Approved WhatsApp templates (content SIDs): what goes outside the window' },
    ),
  }),
})
