import { Type } from 'typebox'
import { Timestamp, Uuid } from '../http/schemas.js'

export const SessionView = Type.Object({
  user_id: Type.Union([Uuid, Type.Null()]),
  merchant_id: Uuid,
  actor_type: Type.String(),
  name: Type.String(),
  role_id: Type.Union([Uuid, Type.Null()]),
  permissions: Type.Array(Type.String()),
  csrf_token: Type.Optional(
    Type.String({ description: 'Send as X-CSRF-Token on every mutating request made with the session cookie' }),
  ),
  expires_at: Type.Optional(Timestamp),
})
