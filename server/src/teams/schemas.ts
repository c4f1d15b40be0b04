import { Type } from 'typebox'
import { Timestamp, Uuid } from '../http/schemas.js'

export const TeamView = Type.Object({
  id: Uuid,
  name: Type.String(),
  description: Type.String(),
  lead_user_id: Type.Union([Uuid, Type.Null()]),
  calendar_id: Type.Union([Uuid, Type.Null()], {
    description: "The team's business hours (an SLA calendar): alerts that are not urgent wait for them",
  }),
  member_ids: Type.Array(Uuid),
  created_at: Timestamp,
  updated_at: Timestamp,
})
export const TeamParams = Type.Object({ id: Uuid })
const fields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  description: Type.String({ maxLength: 2000 }),
  lead_user_id: Type.Union([Uuid, Type.Null()]),
  member_ids: Type.Array(Uuid, { maxItems: 1000, uniqueItems: true }),
  calendar_id: Type.Union([Uuid, Type.Null()], {
    description: "The team's business hours (an SLA calendar of this workspace), or null for none",
  }),
}

export const CreateTeamBody = Type.Object(
  {
    name: fields.name,
    description: Type.Optional(fields.description),
    lead_user_id: Type.Optional(fields.lead_user_id),
    member_ids: Type.Optional(fields.member_ids),
    calendar_id: Type.Optional(fields.calendar_id),
  },
  { additionalProperties: false },
)

export const UpdateTeamBody = Type.Object(
  {
    name: Type.Optional(fields.name),
    description: Type.Optional(fields.description),
    lead_user_id: Type.Optional(fields.lead_user_id),
    member_ids: Type.Optional(fields.member_ids),
    calendar_id: Type.Optional(fields.calendar_id),
  },
  { additionalProperties: false, minProperties: 1 },
)
