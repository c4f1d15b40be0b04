import { Type } from 'typebox'
import { defineEvents, type EventPayloads, uuid } from '../jobs/events.js'
import { surveyKinds } from './tables.js'

export const csatEvents = defineEvents({
  'csat.answered': {
    subject: 'case',
    description:
      'A customer answered the satisfaction survey sent after their case was resolved (once per survey; the ' +
      'comment itself stays on the case).',
    data: Type.Object({
      case_id: uuid('The case'),
      survey_id: uuid('The survey'),
      episode: Type.Integer({ description: 'Which resolution of the case it asked about (0: the first)' }),
      kind: Type.Enum(surveyKinds, { description: 'csat (1–5) or nps (0–10)' }),
      score: Type.Integer({ description: 'The score given' }),
      low: Type.Boolean({ description: "At or under the workspace's low-score threshold (the team lead is told)" }),
      commented: Type.Boolean({ description: 'Whether the customer wrote a comment' }),
    }),
  },
})

declare module '../jobs/events.js' {
  interface DomainEvents extends EventPayloads<typeof csatEvents> {}
}
