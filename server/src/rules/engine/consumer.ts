import { consumer } from '../../modules.js'
import type { EventType } from '../../jobs/events.js'
import { handleEvent } from './handle.js'
import { triggersByWorkspace } from './rule-set.js'
import { armingEvents, eventTriggers, triggerOf } from './triggers.js'

const types = [...new Set([...Object.keys(eventTriggers), ...Object.keys(armingEvents)])] as EventType[]

/** The rules engine on the outbox: only events some workspace's running rules (or thresholds) take get a delivery. */
export const rulesEngine = consumer({
  name: 'rules:engine',
  types,
  accepts: (e) => !!triggerOf(e) || e.type in armingEvents,
  narrow: async (trx, events) => {
    const byWorkspace = await triggersByWorkspace(trx, [...new Set(events.map((e) => e.merchant_id))])
    return events.filter((e) => {
      const triggers = byWorkspace.get(e.merchant_id)
      if (!triggers) return true // no default pack yet: this event writes it
      const trigger = triggerOf(e)
      const arms = armingEvents[e.type]
      return (!!trigger && triggers.has(trigger)) || (!!arms && triggers.has(arms))
    })
  },
  handle: (event, ctx) => handleEvent(ctx, event),
})
