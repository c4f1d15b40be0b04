import { Type } from 'typebox'
import { NullableTimestamp, Page, PageQueryWith, Timestamp, Uuid } from '../../http/schemas.js'
import { Key, NullableString } from './common.js'

export const ReviewView = Type.Object({
  id: Uuid,
  shipment_id: Uuid,
  status: Type.String(),
  case_type: NullableString,
  reasons: Type.Array(Type.String()),
  event: Type.Record(Type.String(), Type.Unknown()),
  state: Type.Enum(['pending', 'opened', 'dismissed']),
  case_id: Type.Union([Uuid, Type.Null()]),
  decided_by: Type.Union([Uuid, Type.Null()]),
  decided_at: NullableTimestamp,
  created_at: Timestamp,
})

export const ReviewsQuery = PageQueryWith({ state: Type.Optional(Type.Enum(['pending', 'opened', 'dismissed'])) })
export const DecisionBody = Type.Object(
  { decision: Type.Enum(['open', 'dismiss']), case_type: Type.Optional(Key) },
  { additionalProperties: false },
)
export const ReviewPage = Page(ReviewView)
