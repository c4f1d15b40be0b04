import { Type } from 'typebox'
import { Uuid } from '../../http/schemas.js'
import { CaseDetailView, CaseView } from './cases.js'
import { EntityRef, Key, PriorityT, Resolution, RootCauseT, Status, Text } from './common.js'

// Working one case: its lifecycle, assignment, escalation, notes, merges and splits

export const StatusBody = Type.Object(
  {
    status: Status,
    resolution_code: Type.Optional(Resolution),
    resolution_note: Type.Optional(Text(2000)),
    root_cause: Type.Optional(RootCauseT),
    fault_party: Type.Optional(Text(100)),
    reason: Type.Optional(Text(500)),
  },
  { additionalProperties: false },
)
export const ReopenBody = Type.Object({ reason: Type.Optional(Text(500)) }, { additionalProperties: false })
export const AssignBody = Type.Object(
  { assignee_id: Type.Union([Uuid, Type.Null()]), team_id: Type.Optional(Type.Union([Uuid, Type.Null()])) },
  { additionalProperties: false },
)
export const EscalateBody = Type.Object(
  { reason: Text(500), level: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })) },
  { additionalProperties: false },
)
export const NoteBody = Type.Object({ body: Text(10_000) }, { additionalProperties: false })
export const NoteReply = Type.Object({ case: CaseView, mentions: Type.Array(Uuid) })

export const MergeBody = Type.Object(
  { duplicate_ids: Type.Array(Uuid, { minItems: 1, maxItems: 50 }) },
  { additionalProperties: false },
)
export const SplitBody = Type.Object(
  {
    subject: Text(300),
    case_type: Type.Optional(Key),
    priority: Type.Optional(PriorityT),
    description: Type.Optional(Text(10_000)),
    timeline_entry_ids: Type.Optional(Type.Array(Uuid, { maxItems: 200 })),
    links: Type.Optional(Type.Array(EntityRef, { maxItems: 50 })),
  },
  { additionalProperties: false },
)
export const SplitReply = Type.Object({ original: CaseView, split: CaseDetailView })

// Incidents: a parent case groups many (one carrier outage)
export const ChildrenBody = Type.Object(
  { case_ids: Type.Array(Uuid, { minItems: 1, maxItems: 500 }) },
  { additionalProperties: false },
)
export const ChildParams = Type.Object({ id: Uuid, childId: Uuid })
