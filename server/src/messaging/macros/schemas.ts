import { Type } from 'typebox'
import { NullableTimestamp, Timestamp, Uuid } from '../../http/schemas.js'
import { QaProblemView } from '../templates/schemas.js'

const Action = Type.Union(
  [
    Type.Object(
      {
        type: Type.Literal('set_status'),
        status: Type.String({ maxLength: 40, description: 'open, waiting_customer, waiting_carrier or on_hold' }),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      { type: Type.Literal('add_tag'), tag: Type.String({ maxLength: 50 }) },
      { additionalProperties: false },
    ),
    Type.Object(
      { type: Type.Literal('assign'), user_id: Type.Union([Uuid, Type.Null()], { description: 'null: unassign' }) },
      { additionalProperties: false },
    ),
    Type.Object(
      { type: Type.Literal('assign_team'), team_id: Uuid },
      { additionalProperties: false, description: "The case's team; its assignee stays" },
    ),
  ],
  { description: 'set_status, add_tag, assign or assign_team' },
)
const Actions = Type.Array(Action, { maxItems: 20 })
const Name = Type.String({ minLength: 1, maxLength: 100 })

export const MacroView = Type.Object({
  id: Uuid,
  name: Type.String(),
  template_id: Type.Union([Uuid, Type.Null()]),
  actions: Type.Array(Type.Unsafe<Record<string, unknown>>(Action)),
  archived_at: NullableTimestamp,
  created_at: Timestamp,
  updated_at: Timestamp,
})

export const MacroParams = Type.Object({ id: Uuid })
export const CaseMacroParams = Type.Object({ id: Uuid, macroId: Uuid })
export const MacroListQuery = Type.Object(
  { archived: Type.Optional(Type.Boolean({ default: false })) },
  { additionalProperties: false },
)

export const CreateMacroBody = Type.Object(
  { name: Name, template_id: Type.Optional(Type.Union([Uuid, Type.Null()])), actions: Type.Optional(Actions) },
  { additionalProperties: false },
)
export const UpdateMacroBody = Type.Object(
  {
    name: Type.Optional(Name),
    template_id: Type.Optional(Type.Union([Uuid, Type.Null()])),
    actions: Type.Optional(Actions),
  },
  { additionalProperties: false, minProperties: 1 },
)

const Effect = Type.Object({ type: Type.String(), change: Type.String() }, { additionalProperties: true })

export const MacroPreviewView = Type.Object({
  message: Type.Union([
    Type.Object({
      template_id: Uuid,
      version: Type.Union([Type.Integer(), Type.Null()]),
      subject: Type.String(),
      text: Type.String(),
      html: Type.Union([Type.String(), Type.Null()]),
      problems: Type.Array(QaProblemView),
    }),
    Type.Null(),
  ]),
  actions: Type.Array(Effect),
})

export const MacroApplyView = Type.Object({
  message: Type.Union([
    Type.Object({
      id: Uuid,
      status: Type.String({ description: 'queued, held (QA problems in status_reason) or not_sent (no mail server)' }),
      status_reason: Type.Union([Type.String(), Type.Null()]),
      subject: Type.String(),
      template_id: Type.Union([Uuid, Type.Null()]),
      template_version: Type.Union([Type.Integer(), Type.Null()]),
    }),
    Type.Null(),
  ]),
  case: Type.Object({
    id: Uuid,
    status: Type.String(),
    tags: Type.Array(Type.String()),
    assignee_id: Type.Union([Uuid, Type.Null()]),
    team_id: Type.Union([Uuid, Type.Null()]),
  }),
})
