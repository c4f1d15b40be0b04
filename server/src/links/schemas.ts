import { Type } from 'typebox'
import { NullableTimestamp, Timestamp, Uuid } from '../http/schemas.js'

const NullableText = Type.Union([Type.String(), Type.Null()])

export const LinkView = Type.Object({
  id: Uuid,
  purpose: Type.String({ description: 'What the link opens: evidence_upload' }),
  subject_type: Type.String(),
  subject_id: Uuid,
  state: Type.Enum(['active', 'expired', 'revoked', 'completed']),
  expires_at: Timestamp,
  created_by: NullableText,
  created_at: Timestamp,
  revoked_at: NullableTimestamp,
  revoked_by: NullableText,
  completed_at: NullableTimestamp,
  last_used_at: NullableTimestamp,
})
export const LinkList = Type.Object({ data: Type.Array(LinkView) })
export const CaseParams = Type.Object({ id: Uuid })
export const LinkParams = Type.Object({ id: Uuid })
