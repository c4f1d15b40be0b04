import { Type } from 'typebox'
import { NullableTimestamp, Page, PageQueryWith, Timestamp, Uuid } from '../../http/schemas.js'

export const NotificationView = Type.Object({
  id: Uuid,
  case_id: Type.Union([Uuid, Type.Null()]),
  cause: Type.String(),
  title: Type.String(),
  body: Type.String(),
  created_at: Timestamp,
  read_at: NullableTimestamp,
})

export const NotificationsQuery = PageQueryWith({ unread: Type.Optional(Type.Boolean()) })
export const NotificationsPage = Type.Object({ ...Page(NotificationView).properties, unread_count: Type.Integer() })
export const MarkReadBody = Type.Object(
  {
    ids: Type.Optional(Type.Array(Uuid, { minItems: 1, maxItems: 500 })),
    all: Type.Optional(Type.Literal(true)),
  },
  { additionalProperties: false, minProperties: 1, maxProperties: 1 },
)
export const MarkReadReply = Type.Object({ marked: Type.Integer(), unread_count: Type.Integer() })
