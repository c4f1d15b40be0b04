import { Type } from 'typebox'
import { Page, PageQueryWith, Timestamp, Uuid } from '../../http/schemas.js'

export const TimelineEntryView = Type.Object({
  id: Uuid,
  case_id: Uuid,
  type: Type.String(),
  occurred_at: Timestamp,
  actor: Type.Object({ type: Type.String(), id: Type.Union([Uuid, Type.Null()]) }),
  data: Type.Record(Type.String(), Type.Unknown()),
  text: Type.String(),
  visibility: Type.Enum(['internal', 'public'], {
    description: 'internal: the workspace only; public: the customer sees it too (portal, conversation)',
  }),
  created_at: Timestamp,
  // The people and teams the entry names (actor, assignee, team, mentions), by id, as they are called now.
  names: Type.Record(Type.String(), Type.String()),
})

export const TimelineQuery = PageQueryWith({
  type: Type.Optional(Type.String({ pattern: '^[a-z][a-z_.]{0,59}(,[a-z][a-z_.]{0,59})*$', maxLength: 500 })),
  order: Type.Optional(Type.Enum(['asc', 'desc'])),
})
export const TimelineEntryPage = Page(TimelineEntryView)
