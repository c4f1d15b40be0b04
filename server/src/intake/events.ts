import { Type } from 'typebox'
import { inboxSources } from '../integrations/types.js'
import { defineEvents, type EventPayloads, instant, nullable, uuid } from '../jobs/events.js'

const connection = {
  connection_id: uuid('The connection'),
  source: Type.Enum(inboxSources, { description: 'Kind of source' }),
  provider: Type.String({ description: 'The provider at that source' }),
}

const health = (description: string) => ({
  subject: 'integration connection',
  description,
  data: Type.Object({
    ...connection,
    reasons: Type.Array(Type.String(), { description: 'What is wrong (empty on recovery)' }),
    last_received_at: nullable(instant(), 'When the last webhook arrived'),
  }),
})

export const intakeEvents = defineEvents({
  'webhook.received': {
    subject: 'webhook delivery',
    description: 'A webhook of a provider that only announces deliveries (the generic one) was processed.',
    data: Type.Object({
      delivery_id: uuid('The stored delivery'),
      ...connection,
      webhook_id: Type.String({ description: "The sender's message id (webhook-id)" }),
      event_type: nullable(Type.String(), "The payload's `type`, when it is a string"),
    }),
  },
  'connection.unhealthy': health(
    'A connection turned unhealthy (checked every 5 minutes; announced once per episode).',
  ),
  'connection.recovered': health('An unhealthy connection is healthy again.'),
})

declare module '../jobs/events.js' {
  interface DomainEvents extends EventPayloads<typeof intakeEvents> {}
}
