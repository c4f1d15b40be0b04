import { describe, expect, it } from 'vitest'
import { newRuleRow, toPolicyForm, toSettingsBody, type CaseSettings, type PolicyForm } from './policy'
import { newRouteRow, toRouteRows, toRoutingBody } from './routing'

const settings: CaseSettings = {
  exception_policy: {
    rules: [
      {
        on: 'lost',
        case_type: 'lost_parcel',
        priority: 'high',
        watch_hours: 0,
        carrier_watch_hours: {},
        enabled: true,
      },
      {
        on: 'customs_hold',
        case_type: 'customs_hold',
        priority: null,
        watch_hours: 24,
        carrier_watch_hours: { dhl: 48, royal_mail: 12.5 },
        enabled: false,
      },
    ],
    lost_after_days: 10,
    carrier_lost_after_days: { evri: 14 },
    on_delivered: 'review',
    review_low_confidence: true,
  },
  reopen_window_hours: 168,
  auto_close_after_hours: 72,
  routing: [
    {
      name: 'High value',
      when: { priorities: ['urgent'], carriers: ['dhl'] },
      team_id: '0190a000-0000-7000-8000-000000000001',
      strategy: 'least_loaded',
    },
  ],
  updated_at: null,
}

const form = (patch: Partial<PolicyForm> = {}): PolicyForm => ({ ...toPolicyForm(settings), ...patch })

describe('exception policy form', () => {
  it('round-trips the settings the API sent into the body it takes', () => {
    const { routing: _, updated_at: __, ...expected } = settings
    expect(toSettingsBody(form())).toEqual({ body: expected, errors: {} })
  })

  it('reads number inputs left as text, and refuses ones that are not numbers in range', () => {
    const rules = form().rules.map((r, i) => (i === 0 ? { ...r, watch_hours: '36' } : r))
    expect(toSettingsBody(form({ rules })).body?.exception_policy?.rules[0]?.watch_hours).toBe(36)
    expect(
      toSettingsBody(form({ lost_after_days: '', reopen_window_hours: 2.5, auto_close_after_hours: -1 })).errors,
    ).toEqual({
      'exception_policy.lost_after_days': 'A whole number from 1 to 365',
      reopen_window_hours: 'A whole number from 0 to 8760',
      auto_close_after_hours: 'A whole number from 0 to 8760',
    })
  })

  it('asks for a status and a case type on a new rule, and refuses a second rule for one status', () => {
    const rules = [...form().rules, newRuleRow(), { ...newRuleRow(), on: 'lost' as const, case_type: 'damaged' }]
    const { body, errors } = toSettingsBody(form({ rules }))
    expect(body).toBeNull()
    expect(errors).toEqual({
      'exception_policy.rules.2.on': 'Choose the carrier status',
      'exception_policy.rules.2.case_type': 'Choose the case type to open',
      'exception_policy.rules.3.on': 'Lost has a rule already',
    })
  })

  it('names the carrier whose override is wrong, and flags overrides with no carrier', () => {
    const carriers = [
      { carrier: 'dhl', value: 2000 },
      { carrier: 'dhl', value: 1 },
      { carrier: ' ', value: 3 },
    ]
    const rules = form().rules.map((r, i) => (i === 0 ? { ...r, carriers } : r))
    expect(toSettingsBody(form({ rules })).errors).toEqual({
      'exception_policy.rules.0.carrier_watch_hours.dhl': 'dhl is listed twice',
      'exception_policy.rules.0.carrier_watch_hours': 'Name each carrier by its code (at most 40 characters)',
    })
  })
})

describe('routing form', () => {
  it('round-trips rules, leaving out the conditions that match anything', () => {
    expect(toRoutingBody(toRouteRows(settings.routing))).toEqual({ body: { routing: settings.routing }, errors: {} })
  })

  it('asks for a name and a team', () => {
    expect(toRoutingBody([newRouteRow()])).toEqual({
      body: null,
      errors: { 'routing.0.name': 'A name of 1 to 80 characters', 'routing.0.team_id': 'Choose the team' },
    })
  })
})
