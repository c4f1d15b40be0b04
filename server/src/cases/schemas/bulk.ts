import { Type } from 'typebox'
import { Uuid } from '../../http/schemas.js'
import { CaseView } from './cases.js'
import { PriorityT, Resolution, RootCauseT, Status, Tag, Text } from './common.js'

// Working many cases at once: bulk actions, and an incident's actions fanned out to its children

export const BulkActionT = Type.Union(
  [
    Type.Object(
      {
        type: Type.Literal('assign'),
        assignee_id: Type.Union([Uuid, Type.Null()]),
        team_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        type: Type.Literal('status'),
        status: Status,
        resolution_code: Type.Optional(Resolution),
        resolution_note: Type.Optional(Text(2000)),
        root_cause: Type.Optional(RootCauseT),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        type: Type.Literal('tags'),
        add: Type.Optional(Type.Array(Tag, { maxItems: 30 })),
        remove: Type.Optional(Type.Array(Tag, { maxItems: 30 })),
      },
      { additionalProperties: false },
    ),
    Type.Object({ type: Type.Literal('priority'), priority: PriorityT }, { additionalProperties: false }),
    Type.Object({ type: Type.Literal('note'), body: Text(10_000) }, { additionalProperties: false }),
    Type.Object({ type: Type.Literal('escalate'), reason: Text(500) }, { additionalProperties: false }),
  ],
  { description: 'One action: assign, status, tags, priority, note or escalate' },
)

export const BulkResultView = Type.Object({
  results: Type.Array(
    Type.Object({
      id: Uuid,
      ok: Type.Boolean(),
      case: Type.Optional(CaseView),
      error: Type.Optional(
        Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Unknown()) }),
      ),
    }),
  ),
  succeeded: Type.Integer(),
  failed: Type.Integer(),
})

export const BulkBody = Type.Object(
  { case_ids: Type.Array(Uuid, { minItems: 1, maxItems: 500 }), action: BulkActionT },
  { additionalProperties: false },
)
export const FanOutBody = Type.Object({ action: BulkActionT }, { additionalProperties: false })
