import { Type } from 'typebox'
import { NullableTimestamp, Uuid } from '../../http/schemas.js'
import { assignmentStrategies } from '../tables.js'
import { CaseDetailView } from './cases.js'

export const AgentView = Type.Object({
  user_id: Uuid,
  name: Type.String(),
  capacity: Type.Integer(),
  away: Type.Boolean(),
  away_until: NullableTimestamp,
  open_cases: Type.Integer(),
  last_assigned_at: NullableTimestamp,
  available: Type.Boolean(),
})

export const AgentList = Type.Object({ data: Type.Array(AgentView) })
export const AutoAssignBody = Type.Object(
  { team_id: Type.Optional(Uuid), strategy: Type.Optional(Type.Enum([...assignmentStrategies])) },
  { additionalProperties: false },
)
export const AutoAssignReply = Type.Object({
  case: CaseDetailView,
  rule: Type.Union([Type.String(), Type.Null()]),
  assigned: Type.Boolean({
    description: 'false: nobody in the team was available; the case went to the team unassigned',
  }),
})
export const AgentParams = Type.Object({ userId: Uuid })
export const AgentBody = Type.Object(
  {
    capacity: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
    away: Type.Optional(Type.Boolean()),
    away_until: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
)
export const AgentReply = Type.Object({
  user_id: Uuid,
  capacity: Type.Integer(),
  away: Type.Boolean(),
  away_until: Type.Union([Type.Unsafe<Date>({ type: 'string', format: 'date-time' }), Type.Null()]),
})
