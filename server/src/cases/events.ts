import { Type, type TProperties } from 'typebox'
import { type DomainEvents, defineEvents, type EventPayloads, money, nullable, uuid } from '../jobs/events.js'
import { caseStatuses, priorities, resolutionCodes, rootCauses } from './tables.js'

const optionalId = (description: string) => nullable(Type.String({ format: 'uuid' }), description)

// What every change event carries about the case, besides its own fields.
const caseSummary = {
  case_id: uuid('The case'),
  number: Type.String({ description: 'Its number as people say it (CD-1042)' }),
  case_type: Type.String({ description: 'Case type key' }),
  status: Type.Enum(caseStatuses, { description: 'Status now' }),
  priority: Type.Enum(priorities, { description: 'Priority now' }),
  assignee_id: optionalId('Assignee now'),
  team_id: optionalId('Team now'),
}

const caseChange = <P extends TProperties>(description: string, data: P) => ({
  subject: 'case',
  description,
  data: Type.Object({ ...caseSummary, ...data }),
})

export const caseEvents = defineEvents({
  'case.opened': {
    subject: 'case',
    description: 'A case was opened (by a person, the API, an import or the exception policy).',
    data: Type.Object({
      ...caseSummary,
      source: Type.String({ description: 'How it came in (agent, api, exception_policy, import, …)' }),
      channel: Type.String({ description: 'The channel the customer used' }),
      customer_id: optionalId('Linked customer'),
      order_id: optionalId('Linked order'),
      shipment_id: optionalId('Linked shipment'),
      carrier_code: nullable(Type.String(), 'Carrier code of the shipment'),
      tracking_number: nullable(Type.String(), 'Tracking number of the shipment'),
      value: nullable(
        money('Value at stake'),
        'Value at stake: as given, else the declared value, else the order total',
      ),
      parent_id: optionalId('The incident this case belongs to'),
    }),
  },
  'case.updated': caseChange('A case changed (every change to a case announces this, besides any event below).', {
    changes: Type.Array(Type.String(), { description: 'The case columns written' }),
  }),
  'case.resolved': caseChange('A case was resolved.', {
    resolution_code: Type.Enum(resolutionCodes, { description: 'How it was resolved' }),
    root_cause: nullable(Type.Enum(rootCauses), 'Why it happened'),
  }),
  'case.closed': caseChange('A case was closed.', {}),
  'case.reopened': caseChange('A resolved or closed case was opened again.', {
    from: Type.Enum(caseStatuses, { description: 'Status before' }),
    reason: nullable(Type.String(), 'Why, as given'),
  }),
  'case.assigned': caseChange('A case was assigned to someone else (or to nobody).', {
    previous_assignee_id: optionalId('Assignee before'),
    how: Type.String({ description: 'manual, bulk, routing, …' }),
  }),
  'case.escalated': caseChange('A case was escalated.', {
    level: Type.Integer({ description: 'Escalation level now' }),
    reason: Type.String({ description: 'Why' }),
  }),
  'case.note_added': caseChange('An internal note was added.', {
    mentions: Type.Array(Type.String({ format: 'uuid' }), { description: 'The users it mentions' }),
  }),
  'case.merged': caseChange('A case was merged into another (the subject is the merged one).', {
    merged_into_id: uuid('The case it was merged into'),
  }),
  'case.split': caseChange('Part of a case was split off into a new one.', {
    split_id: uuid('The new case'),
    moved_links: Type.Array(
      Type.Object({
        entity_type: Type.String({ description: 'customer, order, shipment or case' }),
        entity_id: Type.String({ description: 'Its id' }),
      }),
      { description: 'The links moved to the new case' },
    ),
  }),
  'notification.created': {
    subject: 'notification',
    description: 'A person was notified in the app (one event per recipient).',
    data: Type.Object({
      notification_id: uuid('The notification'),
      user_id: uuid('Who it is for'),
      case_id: optionalId('The case it is about'),
      cause: Type.String({ description: 'Why (assigned, mentioned, …)' }),
    }),
  },
})

declare module '../jobs/events.js' {
  interface DomainEvents extends EventPayloads<typeof caseEvents> {}
}

type ChangeType = Exclude<keyof typeof caseEvents, 'case.opened' | 'notification.created'>

/** An event a case change announces, as `applyChange` takes it: its own fields (it adds the case summary). */
export type CaseChangeEvent = {
  [T in ChangeType]: { type: T; data: Omit<DomainEvents[T], keyof typeof caseSummary> }
}[ChangeType]

/** A change event with the case summary added, as the outbox and the live feed carry it. */
export type CaseChangeMessage = { [T in ChangeType]: { type: T; data: DomainEvents[T] } }[ChangeType]
