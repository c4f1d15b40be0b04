import { Type } from 'typebox'
import { NullableTimestamp, PageQueryWith, Timestamp, Uuid } from '../http/schemas.js'

const Segment = Type.String({
  pattern: '^[a-z][a-z0-9_-]{0,39}$',
  description: 'vip, business, retail, reseller, or your own',
})
const ConsentView = Type.Object({ email: Type.Boolean(), sms: Type.Boolean(), whatsapp: Type.Boolean() })
export const CustomerView = Type.Object({
  id: Uuid,
  name: Type.Union([Type.String(), Type.Null()]),
  email: Type.Union([Type.String(), Type.Null()]),
  phone: Type.Union([Type.String(), Type.Null()]),
  locale: Type.Union([Type.String(), Type.Null()]),
  time_zone: Type.Union([Type.String(), Type.Null()]),
  segment: Type.String(),
  consent: ConsentView,
  external_ids: Type.Array(Type.Object({ source: Type.String(), external_id: Type.String() })),
  merged_into_id: Type.Union([Uuid, Type.Null()]),
  redacted_at: NullableTimestamp,
  created_at: Timestamp,
  updated_at: Timestamp,
})
export const CustomerParams = Type.Object({ id: Uuid })
const Str = (max: number) => Type.Union([Type.String({ minLength: 1, maxLength: max }), Type.Null()])
const fields = {
  name: Type.Optional(Str(200)),
  email: Type.Optional(
    Type.Union([Type.String({ minLength: 3, maxLength: 320, pattern: '^[^@\\s]+@[^@\\s]+$' }), Type.Null()]),
  ),
  phone: Type.Optional(Str(32)),
  locale: Type.Optional(Str(35)),
  time_zone: Type.Optional(Str(64)),
  segment: Type.Optional(Segment),
  consent: Type.Optional(
    Type.Object(
      {
        email: Type.Optional(Type.Boolean()),
        sms: Type.Optional(Type.Boolean()),
        whatsapp: Type.Optional(Type.Boolean()),
      },
      { additionalProperties: false },
    ),
  ),
}
export const CustomerListQuery = PageQueryWith({
  email: Type.Optional(Type.String({ maxLength: 320 })),
  phone: Type.Optional(Type.String({ maxLength: 32 })),
  segment: Type.Optional(Segment),
})
export const DuplicateGroups = Type.Object({
  data: Type.Array(
    Type.Object({
      match: Type.Union([Type.Literal('email'), Type.Literal('phone')]),
      key: Type.String(),
      ids: Type.Array(Uuid),
    }),
  ),
})
export const CustomerBody = Type.Object(
  {
    source: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_-]{0,39}$', default: 'api' })),
    external_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    ...fields,
  },
  { additionalProperties: false },
)
export const CustomerPatchBody = Type.Object(fields, { additionalProperties: false, minProperties: 1 })
export const MergeBody = Type.Object({ duplicate_id: Uuid }, { additionalProperties: false })
