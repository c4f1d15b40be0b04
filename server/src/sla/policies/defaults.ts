import { systemContext } from '../../auth/actor.js'
import type { Trx } from '../../db/owned.js'
import type { PolicyDefinition, StepDefinition, TargetDefinition } from '../types.js'
import { createPolicy } from './service.js'
import * as store from '../store.js'

// A new workspace's three tiers, in calendar time until it has calendars: high-value cases (4 h to first response
// and 8 h to resolution), urgent and high-priority ones (next day), and the fallback (two days) for the rest.

const warnAssignee: StepDefinition = { percent: 75, actions: [{ type: 'notify', to: 'assignee' }] }
const breachToLead: StepDefinition = {
  percent: 100,
  actions: [
    { type: 'notify', to: 'team_lead' },
    { type: 'notify', to: 'assignee' },
  ],
}

const targets = (first: number, next: number, resolution: number, late: StepDefinition[] = []): TargetDefinition[] => [
  { target: 'first_response', minutes: first, calendar_id: null, steps: [warnAssignee, breachToLead] },
  { target: 'next_response', minutes: next, calendar_id: null, steps: [warnAssignee, breachToLead] },
  { target: 'resolution', minutes: resolution, calendar_id: null, steps: [warnAssignee, breachToLead, ...late] },
]

export function defaultPolicies(
  currency: string,
): { name: string; position: number; fallback: boolean; definition: PolicyDefinition }[] {
  return [
    {
      name: 'High value',
      position: 10,
      fallback: false,
      definition: {
        tier: 'high',
        conditions: [{ field: 'value', op: 'gte', amount: { amount_minor: 25_000, currency } }],
        targets: targets(240, 240, 480, [
          {
            percent: 150,
            urgent: true,
            actions: [{ type: 'escalate' }, { type: 'reassign', strategy: 'least_loaded' }],
          },
        ]),
        alert_calendar_id: null,
      },
    },
    {
      name: 'Urgent',
      position: 20,
      fallback: false,
      definition: {
        tier: 'medium',
        conditions: [{ field: 'priority', op: 'in', values: ['high', 'urgent'] }],
        targets: targets(480, 480, 1440),
        alert_calendar_id: null,
      },
    },
    {
      name: 'Standard',
      position: 1000,
      fallback: true,
      definition: { tier: 'low', conditions: [], targets: targets(1440, 1440, 2880), alert_calendar_id: null },
    },
  ]
}

/** The default tiers, for a new workspace (createWorkspace) or one made before SLAs that has no policy yet. */
export async function seedDefaultPolicies(trx: Trx, merchantId: string, currency: string, now: Date): Promise<void> {
  if ((await store.listPolicies(trx, merchantId)).length) return
  const ctx = systemContext(merchantId, 'sla')
  for (const p of defaultPolicies(currency)) await createPolicy(trx, ctx, { ...p }, now)
}
