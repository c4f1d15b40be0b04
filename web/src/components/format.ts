import type { CaseStatus } from '../api/enums'

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })
const steps: [Intl.RelativeTimeFormatUnit, number][] = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Infinity],
]

/** "5 minutes ago", "yesterday" */
export function timeAgo(iso: string, now = Date.now()): string {
  let v = (Date.parse(iso) - now) / 1000
  for (const [unit, size] of steps) {
    if (Math.abs(v) < size) return rtf.format(Math.round(v), unit)
    v /= size
  }
  return iso
}

export const dateTime = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })

/** "waiting_carrier" → "Waiting carrier" */
export const humanize = (key: string) => (key.charAt(0).toUpperCase() + key.slice(1)).replaceAll('_', ' ')

/** A connection's health as people say it: "healthy", "unhealthy", "waiting for first event". */
export const healthLabel = (state: string) => (state === 'awaiting_first_event' ? 'waiting for first event' : state)
export const healthColor = (state: string) => (state === 'healthy' ? 'teal' : state === 'unhealthy' ? 'red' : 'gray')

/** An order's state as the customer would say it: refunds count, not just the shop's open/closed. */
export function orderState(o: {
  status: string
  payments: { captured_amount_minor: number; refunded_amount_minor: number }[]
}): string {
  const captured = o.payments.reduce((n, p) => n + p.captured_amount_minor, 0)
  const refunded = o.payments.reduce((n, p) => n + p.refunded_amount_minor, 0)
  if (o.status === 'cancelled' || refunded === 0) return humanize(o.status)
  return refunded >= captured ? 'Refunded' : 'Partially refunded'
}

const statusLabels: Record<string, string> = {
  waiting_customer: 'Waiting on customer',
  waiting_carrier: 'Waiting on carrier',
}

/** A case status as agents say it ("waiting_carrier" → "Waiting on carrier"). */
export const statusLabel = (status: string) => statusLabels[status] ?? humanize(status)

/** A case status's badge colour; the keys are every status, in the order they are worked (the API's enum). */
export const statusColor: Record<CaseStatus, string> = {
  new: 'blue',
  open: 'indigo',
  waiting_customer: 'yellow',
  waiting_carrier: 'orange',
  on_hold: 'gray',
  resolved: 'teal',
  closed: 'dark',
}

export const caseStatuses = Object.keys(statusColor) as CaseStatus[]
