import { Type } from 'typebox'
import { defineEvents, type EventPayloads, uuid } from '../jobs/events.js'

export const customerEvents = defineEvents({
  'customer.created': {
    subject: 'customer',
    description: 'A customer was created (by the API, an import or a commerce source).',
    data: Type.Object({
      source: Type.String({ description: 'Where the customer comes from' }),
      segment: Type.String({ description: "The customer's segment" }),
    }),
  },
  'customer.updated': {
    subject: 'customer',
    description: "A customer's fields changed.",
    data: Type.Object({
      fields: Type.Array(Type.String(), { description: 'The fields that changed (names only, never values)' }),
    }),
  },
  'customer.merged': {
    subject: 'customer',
    description: 'A duplicate customer was merged into this one (the survivor).',
    data: Type.Object({ duplicate_id: uuid('The customer merged into the subject') }),
  },
  'customer.redacted': {
    subject: 'customer',
    description: "A customer's personal data was erased.",
    data: Type.Object({}),
  },
})

declare module '../jobs/events.js' {
  interface DomainEvents extends EventPayloads<typeof customerEvents> {}
}
