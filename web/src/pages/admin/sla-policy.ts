import type { Reply } from '../../api/client'
import { formatMajor, parseMinor } from './money'

// The SLA policy editor's form and its round trip to the API's definition: durations in minutes or hours, steps at a
// share of the target or minutes from its due time, money in major units.

export type Policy = Reply<'/api/v1/sla/policies', 'get'>['data'][number]
export type Definition = Policy['draft']
export type Condition = Definition['conditions'][number]
export type Target = Definition['targets'][number]
export type Step = NonNullable<Target['steps']>[number]
export type StepAction = Step['actions'][number]

export const tiers = ['high', 'medium', 'low'] as const
// Dark enough for white text on a filled badge (WCAG AA).
export const tierColor: Record<string, string> = { high: 'red.9', medium: 'grape.8', low: 'blue.9' }
export const builtinTargets = ['first_response', 'next_response', 'resolution'] as const

export const conditionFields = {
  case_type: 'Case type',
  channel: 'Channel',
  priority: 'Priority',
  value: 'Value at stake',
  customer_segment: 'Customer segment',
  carrier: 'Carrier',
  service: 'Carrier service',
  fulfilment_centre: 'Fulfilment centre',
  product_category: 'Product category',
  sku: 'SKU',
} as const
export type ConditionField = keyof typeof conditionFields

export const actionTypes = {
  notify: 'Notify',
  reassign: 'Reassign',
  raise_priority: 'Raise priority',
  add_tag: 'Add tag',
  escalate: 'Escalate',
  remedy: 'Remedy',
} as const
export const notifyWho = { assignee: 'the assignee', team: 'the team', team_lead: 'the team lead', user: 'a person' }
export const remedies = { refund_authorisation: 'Refund authorisation', priority_return: 'Priority return' }
export const reassignStrategies = { round_robin: 'Round robin', least_loaded: 'Least loaded', team_only: 'Team queue' }

export type ConditionRow =
  | { field: Exclude<ConditionField, 'value'>; op: 'in' | 'not_in'; values: string[] }
  | { field: 'value'; op: 'gte' | 'lt'; amount: string; currency: string }
export type StepRow = { mode: 'percent' | 'offset'; at: string; urgent: boolean; actions: StepAction[] }
export type TargetRow = {
  target: string
  amount: string
  unit: 'minutes' | 'hours'
  /** '' for calendar time (24/7) */
  calendar_id: string
  milestone_event: string
  steps: StepRow[]
}
export type PolicyForm = {
  name: string
  tier: (typeof tiers)[number]
  conditions: ConditionRow[]
  targets: TargetRow[]
  /** '' for alerts at any hour */
  alert_calendar_id: string
}

type Exponent = (currency: string) => number

export const newCondition = (field: ConditionField, currency: string): ConditionRow =>
  field === 'value' ? { field, op: 'gte', amount: '', currency } : { field, op: 'in', values: [] }
export const newStep = (): StepRow => ({ mode: 'percent', at: '75', urgent: false, actions: [newAction('notify')] })
export const newTarget = (target: string): TargetRow => ({
  target,
  amount: '4',
  unit: 'hours',
  calendar_id: '',
  milestone_event: '',
  steps: [],
})

export function newAction(type: keyof typeof actionTypes): StepAction {
  switch (type) {
    case 'notify':
      return { type, to: 'assignee' }
    case 'reassign':
      return { type, strategy: 'least_loaded' }
    case 'raise_priority':
      return { type }
    case 'add_tag':
      return { type, tag: 'sla_risk' }
    case 'escalate':
      return { type }
    case 'remedy':
      return { type, remedy: 'refund_authorisation' }
  }
}

export function toForm(name: string, d: Definition, exponent: Exponent): PolicyForm {
  return {
    name,
    tier: d.tier,
    alert_calendar_id: d.alert_calendar_id ?? '',
    conditions: d.conditions.map(
      (c): ConditionRow =>
        'amount' in c
          ? {
              field: 'value',
              op: c.op,
              amount: formatMajor(c.amount.amount_minor, exponent(c.amount.currency)),
              currency: c.amount.currency,
            }
          : { field: c.field, op: c.op, values: c.values },
    ),
    targets: d.targets.map((t) => ({
      target: t.target,
      ...(t.minutes % 60 === 0
        ? { amount: String(t.minutes / 60), unit: 'hours' }
        : { amount: String(t.minutes), unit: 'minutes' }),
      calendar_id: t.calendar_id ?? '',
      milestone_event: t.milestone_event ?? '',
      steps: (t.steps ?? []).map((s) => ({
        mode: s.offset_minutes !== undefined ? 'offset' : 'percent',
        at: String(s.offset_minutes ?? s.percent ?? ''),
        urgent: !!s.urgent,
        actions: s.actions,
      })),
    })),
  }
}

/** The form as the API's definition, or the fields it cannot be read from (dotted paths, as the server names them). */
export function toDefinition(
  f: PolicyForm,
  exponent: Exponent,
): { definition: Definition; errors: Record<string, string> } {
  const errors: Record<string, string> = {}
  const whole = (text: string, path: string, min: number) => {
    const n = Number(text.trim())
    if (!text.trim() || !Number.isFinite(n) || n < min) errors[path] = `a number, at least ${min}`
    return n
  }
  const conditions = f.conditions.map((c, i): Condition => {
    if (c.field !== 'value') {
      if (!c.values.length) errors[`conditions.${i}.values`] = 'name at least one value'
      return { field: c.field, op: c.op, values: c.values }
    }
    const minor = parseMinor(c.amount, exponent(c.currency))
    if (minor === null) errors[`conditions.${i}.amount`] = 'an amount, e.g. 250.00'
    return { field: 'value', op: c.op, amount: { amount_minor: minor ?? 0, currency: c.currency } }
  })
  const targets = f.targets.map((t, i): Target => {
    const amount = whole(t.amount, `targets.${i}.minutes`, t.unit === 'hours' ? 0.1 : 1)
    const steps = t.steps.map((s, j): Step => {
      const at = Number(s.at.trim())
      if (!s.at.trim() || !Number.isInteger(at) || (s.mode === 'percent' && at < 1))
        errors[`targets.${i}.steps.${j}`] = s.mode === 'percent' ? 'a whole percent from 1' : 'whole minutes from due'
      return {
        ...(s.mode === 'percent' ? { percent: at } : { offset_minutes: at }),
        ...(s.urgent ? { urgent: true } : {}),
        actions: s.actions,
      }
    })
    const custom = !(builtinTargets as readonly string[]).includes(t.target)
    return {
      target: t.target,
      minutes: Math.round(t.unit === 'hours' ? amount * 60 : amount),
      calendar_id: t.calendar_id || null,
      ...(custom && t.milestone_event.trim() ? { milestone_event: t.milestone_event.trim() } : {}),
      steps,
    }
  })
  return {
    definition: { tier: f.tier, conditions, targets, alert_calendar_id: f.alert_calendar_id || null },
    errors,
  }
}

/**
 * The server's refusals by the form's paths: a draft's (`body/draft/targets/0/minutes` when saved, `draft/…` when
 * published) as a new policy's (`body/targets/0/minutes`), all `targets.0.minutes`.
 */
export const policyFieldErrors = (fields: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(fields).map(([path, message]) => [path.replace(/^draft\./, ''), message]))

/** "4 h", "90 min", "2 d" */
export const minutesText = (m: number) =>
  m % 1440 === 0
    ? `${m / 1440} d`
    : m % 60 === 0
      ? `${m / 60} h`
      : m > 60
        ? `${Math.floor(m / 60)} h ${m % 60} min`
        : `${m} min`

/** A condition in a line: "case type in customs hold, lost parcel", "value ≥ 250.00 GBP". */
export function conditionText(c: Condition, money: (minor: number, currency: string) => string): string {
  const field = conditionFields[c.field].toLowerCase()
  if ('amount' in c) return `${field} ${c.op === 'gte' ? '≥' : '<'} ${money(c.amount.amount_minor, c.amount.currency)}`
  return `${field} ${c.op === 'in' ? 'is' : 'is not'} ${c.values.map((v) => v.replaceAll('_', ' ')).join(', ')}`
}

/** Whether the draft differs from what is live (a change not yet published). */
export const draftChanged = (p: Policy) => JSON.stringify(p.draft) !== JSON.stringify(p.live)
