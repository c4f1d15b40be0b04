import { Type } from 'typebox'
import { defineEvents, type EventPayloads, instant, uuid } from '../jobs/events.js'

const typeKeys = (description: string) => Type.Array(Type.String(), { description })

export const evidenceRequestEvents = defineEvents({
  'evidence.requested': {
    subject: 'case',
    description: "An agent asked the case's customer for evidence through an upload link, with a deadline.",
    data: Type.Object({
      case_id: uuid('The case'),
      request_id: uuid('The evidence request'),
      type_keys: typeKeys('The evidence types asked for'),
      due_at: instant('The deadline'),
    }),
  },
  'evidence.received': {
    subject: 'case',
    description: 'One piece of evidence came in through an evidence request (each file its own event).',
    data: Type.Object({
      case_id: uuid('The case'),
      request_id: uuid('The evidence request'),
      evidence_id: uuid('The evidence item'),
      type_key: Type.String({ description: 'Its evidence type' }),
    }),
  },
  'evidence.request_completed': {
    subject: 'case',
    description: 'Every type an evidence request asked for came in: its link stops working.',
    data: Type.Object({ case_id: uuid('The case'), request_id: uuid('The evidence request') }),
  },
  'evidence.request_overdue': {
    subject: 'case',
    description: "An evidence request's deadline passed with types still missing (the link works a while longer).",
    data: Type.Object({
      case_id: uuid('The case'),
      request_id: uuid('The evidence request'),
      missing: typeKeys('The types asked for that have not come in'),
    }),
  },
  'evidence.request_cancelled': {
    subject: 'case',
    description: 'An agent cancelled an evidence request: its link stops working.',
    data: Type.Object({ case_id: uuid('The case'), request_id: uuid('The evidence request') }),
  },
})

declare module '../jobs/events.js' {
  interface DomainEvents extends EventPayloads<typeof evidenceRequestEvents> {}
}
