import type { Body, Reply } from '../../api/client'

export type CaseSettings = Reply<'/api/v1/case-settings', 'get'>
export type SettingsBody = Body<'/api/v1/case-settings', 'put'>
type Policy = CaseSettings['exception_policy']
type PolicyRule = Policy['rules'][number]
export type Trigger = PolicyRule['on']
type Priority = NonNullable<PolicyRule['priority']>

/** A number input's value: Mantine hands back a string while the text is empty or not (yet) a number. */
export type NumberText = number | string

export type CarrierRow = { carrier: string; value: NumberText }
export type RuleRow = {
  on: Trigger | null
  case_type: string | null
  priority: Priority | null
  watch_hours: NumberText
  carriers: CarrierRow[]
  enabled: boolean
}
export type PolicyForm = {
  rules: RuleRow[]
  lost_after_days: NumberText
  carrier_lost_after_days: CarrierRow[]
  on_delivered: Policy['on_delivered']
  review_low_confidence: boolean
  reopen_window_hours: NumberText
  auto_close_after_hours: NumberText
}

/** Every carrier status and derived signal a rule can react to (a Record, so a new one fails to compile until named). */
export const triggerLabels: Record<Trigger, string> = {
  info_received: 'Label created, no scan yet',
  in_transit: 'In transit',
  out_for_delivery: 'Out for delivery',
  available_for_pickup: 'Waiting at a pickup point',
  delivered: 'Delivered',
  attempt_failed: 'Delivery attempt failed',
  delayed: 'Delayed',
  customs_hold: 'Held at customs',
  exception: 'Carrier exception',
  damaged: 'Damaged',
  lost: 'Lost',
  returned_to_sender: 'Returned to sender',
  cancelled: 'Cancelled',
  unknown: 'Unknown status',
  late: 'Late (past the promised date)',
  lost_no_scan: 'No scan for the lost-after days',
}

// The API's bounds (server/src/cases/schemas/case-settings.ts).
const maxWatchHours = 24 * 60
const maxLifecycleHours = 24 * 365
const maxRules = 50
const maxCarriers = 100

const carrierRows = (byCarrier: Record<string, number>): CarrierRow[] =>
  Object.entries(byCarrier).map(([carrier, value]) => ({ carrier, value }))

export function toPolicyForm(s: CaseSettings): PolicyForm {
  const p = s.exception_policy
  return {
    rules: p.rules.map((r) => ({
      on: r.on,
      case_type: r.case_type,
      priority: r.priority,
      watch_hours: r.watch_hours,
      carriers: carrierRows(r.carrier_watch_hours),
      enabled: r.enabled,
    })),
    lost_after_days: p.lost_after_days,
    carrier_lost_after_days: carrierRows(p.carrier_lost_after_days),
    on_delivered: p.on_delivered,
    review_low_confidence: p.review_low_confidence,
    reopen_window_hours: s.reopen_window_hours,
    auto_close_after_hours: s.auto_close_after_hours,
  }
}

export const newRuleRow = (): RuleRow => ({
  on: null,
  case_type: null,
  priority: null,
  watch_hours: 0,
  carriers: [],
  enabled: true,
})

type Errors = Record<string, string>

function numberIn(v: NumberText, min: number, max: number, integer: boolean): number | null {
  const n = typeof v === 'number' ? v : v.trim() === '' ? NaN : Number(v)
  return Number.isFinite(n) && n >= min && n <= max && (!integer || Number.isInteger(n)) ? n : null
}

const rangeMessage = (min: number, max: number, integer: boolean) =>
  `${integer ? 'A whole number' : 'A number'} from ${min} to ${max}`

/** Per-carrier overrides as the API's map; errors at `<path>.<carrier>`, or at `<path>` for a row with no carrier. */
function toCarrierMap(
  rows: CarrierRow[],
  path: string,
  min: number,
  max: number,
  integer: boolean,
  errors: Errors,
): Record<string, number> {
  const out: Record<string, number> = {}
  const seen = new Set<string>()
  if (rows.length > maxCarriers) errors[path] = `At most ${maxCarriers} carriers`
  for (const row of rows) {
    const carrier = row.carrier.trim()
    if (!carrier || carrier.length > 40) {
      errors[path] = 'Name each carrier by its code (at most 40 characters)'
      continue
    }
    const n = numberIn(row.value, min, max, integer)
    if (seen.has(carrier)) errors[`${path}.${carrier}`] = `${carrier} is listed twice`
    else if (n === null) errors[`${path}.${carrier}`] = rangeMessage(min, max, integer)
    seen.add(carrier)
    if (n !== null) out[carrier] = n
  }
  return out
}

/**
 * The PUT /case-settings body for the policy and lifecycle fields (routing is saved on its own),
 * or null with the errors to show first, keyed as the API's field errors are (`exception_policy.rules.0.on`).
 */
export function toSettingsBody(form: PolicyForm): { body: SettingsBody | null; errors: Errors } {
  const errors: Errors = {}
  const at = 'exception_policy'
  if (form.rules.length > maxRules) errors[`${at}.rules`] = `At most ${maxRules} rules`
  const seen = new Set<Trigger>()
  const rules = form.rules.map((r, i) => {
    const path = `${at}.rules.${i}`
    if (!r.on) errors[`${path}.on`] = 'Choose the carrier status'
    else if (seen.has(r.on)) errors[`${path}.on`] = `${triggerLabels[r.on]} has a rule already`
    if (r.on) seen.add(r.on)
    if (!r.case_type) errors[`${path}.case_type`] = 'Choose the case type to open'
    const watch = numberIn(r.watch_hours, 0, maxWatchHours, false)
    if (watch === null) errors[`${path}.watch_hours`] = rangeMessage(0, maxWatchHours, false)
    const carrier_watch_hours = toCarrierMap(r.carriers, `${path}.carrier_watch_hours`, 0, maxWatchHours, false, errors)
    return {
      on: r.on ?? 'unknown',
      case_type: r.case_type ?? '',
      priority: r.priority,
      watch_hours: watch ?? 0,
      carrier_watch_hours,
      enabled: r.enabled,
    }
  })
  const lost = numberIn(form.lost_after_days, 1, 365, true)
  if (lost === null) errors[`${at}.lost_after_days`] = rangeMessage(1, 365, true)
  const carrier_lost_after_days = toCarrierMap(
    form.carrier_lost_after_days,
    `${at}.carrier_lost_after_days`,
    1,
    365,
    true,
    errors,
  )
  const reopen = numberIn(form.reopen_window_hours, 0, maxLifecycleHours, true)
  if (reopen === null) errors.reopen_window_hours = rangeMessage(0, maxLifecycleHours, true)
  const autoClose = numberIn(form.auto_close_after_hours, 0, maxLifecycleHours, true)
  if (autoClose === null) errors.auto_close_after_hours = rangeMessage(0, maxLifecycleHours, true)
  if (Object.keys(errors).length || lost === null || reopen === null || autoClose === null)
    return { body: null, errors }
  return {
    body: {
      exception_policy: {
        rules,
        lost_after_days: lost,
        carrier_lost_after_days,
        on_delivered: form.on_delivered,
        review_low_confidence: form.review_low_confidence,
      },
      reopen_window_hours: reopen,
      auto_close_after_hours: autoClose,
    },
    errors,
  }
}
