import { Type } from 'typebox'
import { NullableTimestamp, Timestamp, Uuid } from '../http/schemas.js'

const NullableText = Type.Union([Type.String(), Type.Null()])
export const PortalCaseView = Type.Object({
  store: Type.String(),
  number: Type.String(),
  topic: Type.String(),
  status: Type.String(),
  status_text: Type.String(),
  outcome: NullableText,
  opened_at: Timestamp,
  updated_at: Timestamp,
  shipments: Type.Array(
    Type.Object({
      carrier: NullableText,
      tracking_number: NullableText,
      status: Type.String(),
      status_text: Type.String(),
      estimated_delivery_at: NullableTimestamp,
      events: Type.Array(
        Type.Object({
          at: Timestamp,
          status: Type.String(),
          text: Type.String(),
          detail: NullableText,
          place: NullableText,
        }),
      ),
    }),
  ),
})
export const TokenParams = Type.Object({
  token: Type.String({ minLength: 20, maxLength: 1000, pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' }),
})

export const CaseParams = Type.Object({ id: Uuid })
export const PortalLinkBody = Type.Object(
  { expires_in_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, default: 30 })) },
  { additionalProperties: false },
)
export const PortalLink = Type.Object({ url: Type.String(), expires_at: Timestamp })
