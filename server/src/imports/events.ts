import { Type } from 'typebox'
import { defineEvents, type EventPayloads } from '../jobs/events.js'
import { importFormats, importTypes } from './types.js'

const count = (description: string) => Type.Integer({ description })

export const importEvents = defineEvents({
  'import.completed': {
    subject: 'import',
    description: 'A bulk import finished reading its file (its records are written; refused rows are counted).',
    data: Type.Object({
      record_type: Type.Enum(importTypes, { description: 'What was imported' }),
      format: Type.Enum(importFormats, { description: 'The file format' }),
      source: Type.String({ description: 'The source its records are keyed by' }),
      rows: count('Rows read'),
      imported: count('Records created'),
      updated: count('Records changed'),
      unchanged: count('Records already as given'),
      failed: count('Rows refused'),
      unlinked: Type.Optional(count('Cases only: records that landed without the order or customer they name')),
    }),
  },
})

declare module '../jobs/events.js' {
  interface DomainEvents extends EventPayloads<typeof importEvents> {}
}
