import { Type } from 'typebox'

// GET /stream takes no parameters and answers Server-Sent Events, not JSON.
export const StreamQuery = Type.Object({}, { additionalProperties: false })
export const EventStream = {
  description: 'event: ready, case.opened, case.updated, case.timeline, notification, reset…; data: JSON',
  content: { 'text/event-stream': { schema: Type.String() } },
}
