import { Type } from 'typebox'
import { defineEvents, type EventPayloads, instant, nullable, uuid } from '../jobs/events.js'

// What every clock event says about the clock.
const clockFields = {
  case_id: uuid('The case'),
  target: Type.String({ description: 'first_response, next_response, resolution or a custom milestone key' }),
  episode: Type.Integer({ description: 'Which run of the target (next_response and a reopened resolution run again)' }),
  policy_id: uuid('The SLA policy'),
  policy_version: Type.Integer({ description: 'The version of the policy the clock runs on' }),
  due_at: instant('When it is (or was) due'),
}

export const slaEvents = defineEvents({
  'sla.applied': {
    subject: 'case',
    description: 'An SLA policy was applied to a case (when it opened, or re-applied by a person, the API or a rule).',
    data: Type.Object({
      case_id: uuid('The case'),
      policy_id: uuid('The SLA policy'),
      policy_version: Type.Integer({ description: 'Its version the case now runs on' }),
      tier: Type.String({ description: 'high, medium or low: the case’s sla_tier now' }),
      reapplied: Type.Boolean({ description: 'Whether this replaced an earlier policy (time already spent kept)' }),
    }),
  },
  'sla.paused': {
    subject: 'case',
    description: "A case's running SLA targets stopped counting (the case waits on the customer or the carrier).",
    data: Type.Object({
      case_id: uuid('The case'),
      targets: Type.Array(Type.String(), { description: 'The targets paused' }),
      status: Type.String({ description: 'The case status that paused them' }),
    }),
  },
  'sla.resumed': {
    subject: 'case',
    description: "A case's paused SLA targets count again; their due times moved by the paused business time.",
    data: Type.Object({
      case_id: uuid('The case'),
      targets: Type.Array(Type.String(), { description: 'The targets resumed' }),
      status: Type.String({ description: 'The case status now' }),
    }),
  },
  'sla.met': {
    subject: 'case',
    description: 'An SLA target was met (in time, or late: then it was breached before).',
    data: Type.Object({ ...clockFields, late: Type.Boolean({ description: 'Met after it was breached' }) }),
  },
  'sla.breached': {
    subject: 'case',
    description: 'An SLA target came due without being met (recorded once per target episode).',
    data: Type.Object(clockFields),
  },
  'sla.step_fired': {
    subject: 'case',
    description: 'An escalation step of an SLA policy fired (once per case, target, episode, policy version, step).',
    data: Type.Object({
      ...clockFields,
      step: Type.Integer({ description: "The step's place in the target's steps, from 0" }),
      percent: nullable(Type.Number(), 'The share of the target it fires at, if set so'),
      offset_minutes: nullable(Type.Integer(), 'Or its minutes from the due time'),
      actions: Type.Array(Type.String(), { description: 'The action types it ran (notify, reassign, …)' }),
    }),
  },
  'sla.remedy_requested': {
    subject: 'case',
    description:
      'An SLA step asks for a remedy (a refund authorisation, a priority return) for the module that makes them.',
    data: Type.Object({
      ...clockFields,
      remedy: Type.String({ description: 'refund_authorisation or priority_return' }),
      params: Type.Record(Type.String(), Type.Unknown(), { description: "The step's parameters, as configured" }),
    }),
  },
})

declare module '../jobs/events.js' {
  interface DomainEvents extends EventPayloads<typeof slaEvents> {}
}
