import { type Static, type TObject, type TSchema, Type } from 'typebox'

/**
 * Every domain event type and its payload as consumers read it (JSON: instants are ISO 8601 strings).
 * Each emitting module adds its own from its `events.ts` by declaration merging, so jobs/ imports no module:
 *
 *   declare module '../jobs/events.js' { interface DomainEvents extends EventPayloads<typeof caseEvents> {} }
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by each module's events.ts
export interface DomainEvents {}

export type EventType = keyof DomainEvents & string

/**
 * One declared event: what its `subject_id` names (null when it names nothing), what it means, and its
 * payload schema, whose field descriptions feed the generated catalogue (docs/events.md).
 */
export type EventDeclaration = { subject: string | null; description: string; data: TObject }
export type EventDeclarations = Record<string, EventDeclaration>

/** A module's declarations, kept literal so `EventPayloads` can type them. */
export const defineEvents = <const D extends EventDeclarations>(declarations: D): D => declarations

/** The payload types of a module's declarations, for its `DomainEvents` augmentation. */
export type EventPayloads<D extends EventDeclarations> = { -readonly [K in keyof D]: Static<D[K]['data']> }

export const uuid = (description: string) => Type.String({ format: 'uuid', description })
/** An instant as JSON carries it: ISO 8601 in UTC. */
export const instant = (description?: string) => Type.String({ format: 'date-time', description })
export const money = (description: string) =>
  Type.Object(
    { amount_minor: Type.Integer({ description: 'Minor units' }), currency: Type.String({ description: 'ISO 4217' }) },
    { description },
  )

/** A schema that also allows null; the description is the field's. */
export const nullable = <T extends TSchema>(schema: T, description: string) =>
  Type.Union([schema, Type.Null()], { description })

/** An event as the relay hands it to a consumer; `type` decides `data`. */
export type DomainEvent<T extends EventType = EventType> = {
  [K in T]: {
    id: string
    merchant_id: string
    type: K
    subject_id: string | null
    occurred_at: string
    data: DomainEvents[K]
  }
}[T]

/** An event as a service writes it to the outbox, in its own transaction. */
export type NewEvent<T extends EventType = EventType> = {
  [K in T]: {
    merchant_id: string
    type: K
    subject_id?: string | null
    occurred_at: Date
    data: DomainEvents[K]
  }
}[T]
