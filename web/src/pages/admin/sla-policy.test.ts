import { describe, expect, it } from 'vitest'
import { ApiError } from '../../api/client'
import { fieldErrorsOf } from '../../components/field-errors'
import {
  conditionText,
  type Definition,
  minutesText,
  newStep,
  newTarget,
  policyFieldErrors,
  toDefinition,
  toForm,
} from './sla-policy'

const exponent = (currency: string) => (currency === 'JPY' ? 0 : 2)
const definition: Definition = {
  tier: 'high',
  conditions: [
    { field: 'value', op: 'gte', amount: { amount_minor: 25_000, currency: 'GBP' } },
    { field: 'case_type', op: 'not_in', values: ['other'] },
  ],
  targets: [
    {
      target: 'first_response',
      minutes: 240,
      calendar_id: '0190a000-0000-7000-8000-000000000001',
      steps: [
        { percent: 75, actions: [{ type: 'notify', to: 'assignee' }] },
        { offset_minutes: 30, urgent: true, actions: [{ type: 'escalate' }, { type: 'add_tag', tag: 'late' }] },
      ],
    },
    {
      target: 'evidence_in',
      minutes: 90,
      calendar_id: null,
      milestone_event: 'case.evidence_complete',
      steps: [],
    },
  ],
  alert_calendar_id: null,
}

describe('the SLA policy form', () => {
  it('reads a definition and gives it back unchanged: hours when whole, money in major units', () => {
    const form = toForm('High value', definition, exponent)
    expect(form.targets.map((t) => [t.amount, t.unit])).toEqual([
      ['4', 'hours'],
      ['90', 'minutes'],
    ])
    expect(form.conditions[0]).toEqual({ field: 'value', op: 'gte', amount: '250.00', currency: 'GBP' })
    expect(toDefinition(form, exponent)).toEqual({ definition, errors: {} })
  })

  it('names the fields it cannot read, by the paths the server uses', () => {
    const form = toForm('High value', definition, exponent)
    form.conditions[0] = { field: 'value', op: 'gte', amount: '12.345', currency: 'GBP' }
    form.conditions[1] = { field: 'sku', op: 'in', values: [] }
    form.targets[0]!.amount = 'soon'
    form.targets[0]!.steps[0]!.at = '0'
    expect(toDefinition(form, exponent).errors).toEqual({
      'conditions.0.amount': 'an amount, e.g. 250.00',
      'conditions.1.values': 'name at least one value',
      'targets.0.minutes': 'a number, at least 0.1',
      'targets.0.steps.0': 'a whole percent from 1',
    })
    const fresh = { ...newTarget('resolution'), steps: [newStep()] }
    expect(toDefinition({ ...form, targets: [fresh], conditions: [] }, exponent).definition.targets).toEqual([
      {
        target: 'resolution',
        minutes: 240,
        calendar_id: null,
        steps: [newStep()].map((s) => ({ percent: 75, actions: s.actions })),
      },
    ])
  })

  it("places the server's refusals of a new policy, a saved draft and a published one on the same form fields", () => {
    const refusal = (...paths: string[]) =>
      new ApiError(422, {
        code: 'sla_policy_invalid',
        message: 'The SLA policy is not valid',
        details: { errors: paths.map((path) => ({ path, message: 'no team x' })) },
      })
    const expected = { 'targets.0.steps.1.actions.0.team_id': 'no team x', conditions: 'no team x' }
    for (const at of ['body/', 'body/draft/', 'draft/'])
      expect(
        policyFieldErrors(fieldErrorsOf(refusal(`${at}targets/0/steps/1/actions/0/team_id`, `${at}conditions`))),
      ).toEqual(expected)
  })

  it('says conditions and durations in a line', () => {
    const money = (minor: number, currency: string) => `${(minor / 100).toFixed(2)} ${currency}`
    expect(conditionText(definition.conditions[0]!, money)).toBe('value at stake ≥ 250.00 GBP')
    expect(conditionText(definition.conditions[1]!, money)).toBe('case type is not other')
    expect([240, 90, 2880, 45].map(minutesText)).toEqual(['4 h', '1 h 30 min', '2 d', '45 min'])
  })
})
