import { Type } from 'typebox'
import { defineEvents, type EventPayloads, nullable, uuid } from '../jobs/events.js'
import { evidenceSources } from './tables.js'

export const evidenceEvents = defineEvents({
  'evidence.added': {
    subject: 'case',
    description:
      'A file became evidence on a case: uploaded by an agent or a customer, a carrier proof of delivery, or a ' +
      "customer message's attachment waiting to be classified (status candidate).",
    data: Type.Object({
      evidence_id: uuid('The evidence item'),
      case_id: uuid('The case'),
      type_key: Type.String({ description: 'The evidence type' }),
      source: Type.Enum(evidenceSources, { description: 'Where the file came from' }),
      request_id: nullable(uuid('The evidence request it answers'), 'The evidence request it answers, if any'),
    }),
  },
  'evidence.deleted': {
    subject: 'case',
    description: 'An evidence item and its file were deleted (by a person, or by the customer erasure).',
    data: Type.Object({
      evidence_id: uuid('The evidence item'),
      case_id: uuid('The case'),
      type_key: Type.String({ description: 'The evidence type' }),
      sha256: Type.String({ description: "The deleted file's SHA-256" }),
    }),
  },
})

declare module '../jobs/events.js' {
  interface DomainEvents extends EventPayloads<typeof evidenceEvents> {}
}
