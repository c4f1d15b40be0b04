import { Type } from 'typebox'
import { NullableTimestamp, Timestamp, Uuid } from '../../http/schemas.js'

const Channel = Type.Union([Type.Literal('email'), Type.Literal('sms'), Type.Literal('whatsapp')])
const Purpose = Type.String({
  pattern: '^[a-z][a-z0-9_]{0,39}$',
  description: 'acknowledgement, update, resolution, …',
})
const Locale = Type.String({ pattern: '^[a-zA-Z]{2,3}([-_][a-zA-Z]{2})?$', description: 'en, de, de-AT' })
const Subject = Type.String({ maxLength: 998 })
const Body = Type.String({ maxLength: 50_000 })
const Html = Type.Union([Type.String({ maxLength: 50_000 }), Type.Null()])
const Version = Type.Integer({ minimum: 1, maximum: 1_000_000 })

export const QaProblemView = Type.Object({
  code: Type.String({
    description:
      'not_https, relative, host_not_allowed, unrendered, empty_variable, undefined_variable, invalid_template, too_large',
  }),
  detail: Type.String(),
})

const Parts = { subject: Type.String(), text: Type.String(), html: Type.Union([Type.String(), Type.Null()]) }

export const TemplateView = Type.Object({
  id: Uuid,
  purpose: Type.String(),
  channel: Channel,
  locale: Type.String(),
  name: Type.String(),
  draft: Type.Object(Parts),
  live_version: Type.Union([Type.Integer(), Type.Null()]),
  latest_version: Type.Union([Type.Integer(), Type.Null()], { description: 'The newest saved version' }),
  latest_approved: Type.Boolean({ description: 'The newest saved version is approved' }),
  draft_changed: Type.Boolean({ description: 'The draft differs from the newest version (or none is saved)' }),
  content_sid: Type.Union([Type.String(), Type.Null()], {
    description: "A WhatsApp template's approved Twilio content template, sent outside the 24-hour window",
  }),
  content_variables: Type.Record(Type.String(), Type.String(), {
    description: 'Its numbered variables, each Liquid rendered for the case ({"1": "{{ case.number }}"})',
  }),
  archived_at: NullableTimestamp,
  created_at: Timestamp,
  updated_at: Timestamp,
})

export const TemplateDetailView = Type.Object({
  ...TemplateView.properties,
  versions: Type.Array(
    Type.Object({
      version: Type.Integer(),
      ...Parts,
      created_by: Type.Union([Uuid, Type.Null()]),
      created_at: Timestamp,
      approved_by: Type.Union([Uuid, Type.Null()]),
      approved_at: NullableTimestamp,
      live: Type.Boolean(),
    }),
  ),
})

export const TemplateParams = Type.Object({ id: Uuid })
export const VersionParams = Type.Object({ id: Uuid, version: Version })

export const TemplateListQuery = Type.Object(
  {
    purpose: Type.Optional(Purpose),
    channel: Type.Optional(Channel),
    locale: Type.Optional(Locale),
    archived: Type.Optional(Type.Boolean({ default: false, description: 'Include archived templates' })),
  },
  { additionalProperties: false },
)

export const CreateTemplateBody = Type.Object(
  {
    purpose: Purpose,
    channel: Type.Optional(Channel),
    locale: Locale,
    name: Type.String({ minLength: 1, maxLength: 100 }),
    subject: Subject,
    text: Body,
    html: Type.Optional(Html),
  },
  { additionalProperties: false },
)

export const UpdateDraftBody = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    subject: Type.Optional(Subject),
    text: Type.Optional(Body),
    html: Type.Optional(Html),
    content_sid: Type.Optional(
      // Its form is checked by the service, which names the one problem (a pattern in a union reports three).
      Type.Union([Type.String({ maxLength: 1000 }), Type.Null()], {
        description:
          "WhatsApp templates: the approved Twilio content template's SID, HX and 32 hex digits (null: none)",
      }),
    ),
    content_variables: Type.Optional(
      Type.Record(Type.String({ pattern: '^[0-9]{1,2}$' }), Type.String({ maxLength: 1000 }), {
        maxProperties: 20,
        description: 'WhatsApp templates: each numbered content variable as Liquid, e.g. {"1": "{{ case.number }}"}',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
)

export const ApproveBody = Type.Object(
  { make_live: Type.Optional(Type.Boolean({ default: false, description: 'Make the version live as well' })) },
  { additionalProperties: false },
)

const VersionChoice = Type.Union([Type.Literal('draft'), Type.Literal('live'), Version], {
  description: "'draft' (the default), 'live' or a version number",
})

export const PreviewBody = Type.Object(
  {
    case_id: Type.Optional(
      Type.String({ format: 'uuid', description: 'Render with this case; without one, the sample data' }),
    ),
    version: Type.Optional(VersionChoice),
    draft: Type.Optional(
      Type.Object(
        { subject: Subject, text: Body, html: Html },
        {
          additionalProperties: false,
          description:
            "Unsaved parts rendered in place of the saved draft (an editor's live preview); version draft only",
        },
      ),
    ),
  },
  { additionalProperties: false },
)

export const PreviewView = Type.Object({
  ...Parts,
  version: Type.Union([Type.Integer(), Type.Null()], { description: 'null: the draft' }),
  problems: Type.Array(QaProblemView),
})

export const TestSendBody = Type.Object(
  {
    to: Type.String({ format: 'email', maxLength: 254 }),
    case_id: Type.Optional(Uuid),
    version: Type.Optional(VersionChoice),
  },
  { additionalProperties: false },
)

export const TestSendView = Type.Object({ ...PreviewView.properties, to: Type.String(), message_id: Type.String() })

export const VariableView = Type.Object({ name: Type.String(), description: Type.String(), example: Type.Unknown() })

const Address = Type.String({ format: 'email', maxLength: 254 })
const Brand = Type.Object(
  {
    key: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,39}$' }),
    from_name: Type.String({ minLength: 1, maxLength: 100 }),
    from_address: Address,
  },
  { additionalProperties: false },
)
const Domain = Type.String({
  pattern: '^(\\*\\.)?([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.)+[a-zA-Z]{2,63}\\.?$',
  maxLength: 253,
})

export const EmailSettingsView = Type.Object({
  from_name: Type.String(),
  from_address: Type.String(),
  brands: Type.Array(Type.Object({ key: Type.String(), from_name: Type.String(), from_address: Type.String() })),
  allowed_link_domains: Type.Array(Type.String()),
  default_locale: Type.String(),
  updated_at: NullableTimestamp,
  mail: Type.Object(
    {
      reply_domain: Type.String({ description: 'INBOUND_EMAIL_DOMAIN: customers reply to addresses there' }),
      reply_address: Type.String({ description: "The shape of a case's reply address" }),
      mail_server: Type.Boolean({ description: 'SMTP_URL is set: messages are sent' }),
      dkim: Type.Union([Type.Object({ domain: Type.String(), selector: Type.String() }), Type.Null()], {
        description: 'DKIM signing (DKIM_DOMAIN, DKIM_SELECTOR), or null when outbound mail is not signed',
      }),
    },
    { description: 'From the server configuration; read-only here' },
  ),
})

export const EmailSettingsBody = Type.Object(
  {
    from_name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    from_address: Type.Optional(Address),
    brands: Type.Optional(Type.Array(Brand, { maxItems: 50 })),
    allowed_link_domains: Type.Optional(Type.Array(Domain, { maxItems: 200 })),
    default_locale: Type.Optional(Type.String({ pattern: '^[a-z]{2,3}(-[A-Z]{2})?$' })),
  },
  { additionalProperties: false, minProperties: 1 },
)
