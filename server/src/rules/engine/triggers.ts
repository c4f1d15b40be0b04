import type { DomainEvent, EventType } from '../../jobs/events.js'
import { eventTriggers as namedEvents } from '../language/fields.js'
import type { TriggerKind } from '../types.js'

// Which trigger each event is. case.updated is a trigger only when a field rules read changed.
const caseFieldsThatTrigger = new Set(['type_key', 'priority', 'status'])

// The events rules react to: those a condition may name, but the clock's (they come as clock actions, not events).
export const eventTriggers = Object.fromEntries(
  Object.entries(namedEvents).filter(([e]) => !e.startsWith('clock:')),
) as Partial<Record<EventType, TriggerKind>>

/** The events that arm thresholds rather than trigger: SLA watches when a policy applies, silences when a case opens. */
export const armingEvents: Partial<Record<EventType, TriggerKind>> = {
  'sla.applied': 'sla_threshold',
  'case.opened': 'carrier_silence',
}

export function triggerOf(event: DomainEvent): TriggerKind | null {
  if (event.type === 'case.updated')
    return event.data.changes.some((c) => caseFieldsThatTrigger.has(c)) ? 'case_changed' : null
  // A customer's words, not an auto-reply or a side conversation with a third party.
  if (event.type === 'message.received')
    return event.data.visibility === 'public' && !event.data.robot ? 'message_received' : null
  return eventTriggers[event.type] ?? null
}

/** The event types a trigger kind is replayed from (the dry run); clock triggers have none. */
export const eventTypesOf = (trigger: TriggerKind): EventType[] =>
  (Object.entries(eventTriggers) as [EventType, TriggerKind][]).filter(([, t]) => t === trigger).map(([e]) => e)
