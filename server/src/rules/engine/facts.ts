import { findCaseOrThrow, listUnresolvedShipmentCaseIds } from '../../cases/service.js'
import { type Customer, getCustomer } from '../../customers/service.js'
import type { Db } from '../../db/owned.js'
import { AppError } from '../../errors.js'
import type { DomainEvent } from '../../jobs/events.js'
import { getMessage } from '../../messaging/service.js'
import { getOrder, type Order } from '../../orders/service.js'
import { getShipment, type Shipment } from '../../shipments/service.js'
import { getCaseSla } from '../../sla/clocks/view.js'
import type { Facts, Money } from '../types.js'

export type CaseRow = Awaited<ReturnType<typeof findCaseOrThrow>>
type Data = Record<string, unknown>

export type FactsInput = {
  /** The triggering event; null for a clock trigger */
  event: DomainEvent | null
  /** A clock trigger's name ('clock:carrier_silence', 'clock:sla_threshold') when there is no event */
  type?: string
  /** The case the rule acts on (null: the event's case, if any) */
  caseId: string | null
  /** The shipment (null: the event's, else the case's) */
  shipmentId: string | null
  /** The case's row, when the caller read it already in this transaction */
  row?: CaseRow
  /** The trigger's own time (the event's occurred_at, or the clock's instant): facts are what was true then */
  now: Date
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)
const isMoney = (v: unknown): v is Money =>
  !!v && typeof (v as Money).amount_minor === 'number' && typeof (v as Money).currency === 'string'

/** A record another module may have deleted since the event: gone is as good as unknown. */
async function found<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read()
  } catch (err) {
    if (err instanceof AppError && err.status === 404) return undefined
    throw err
  }
}

/** The cases an event acts on: its case, or a shipment's unresolved cases; none for a connection's events. */
export async function caseIdsFor(db: Db, merchantId: string, event: DomainEvent): Promise<string[]> {
  const d = event.data as Data
  const caseId = text(d.case_id)
  if (caseId) return [caseId]
  const shipmentId = shipmentIdOf(event)
  return shipmentId ? listUnresolvedShipmentCaseIds(db, merchantId, shipmentId) : []
}

function shipmentIdOf(event: DomainEvent): string | null {
  const d = event.data as Data
  if (text(d.shipment_id)) return d.shipment_id as string
  return event.type.startsWith('shipment.') ? event.subject_id : null
}

/** Value at stake: the parcel's declared value, else its lines' value, else the order's total. */
function valueAtStake(declared: unknown, shipment: Shipment | undefined, order: Order | undefined): Money | null {
  const d = declared as { amount_minor?: number; currency?: string | null } | null | undefined
  if (d && typeof d.amount_minor === 'number' && (d.currency ?? order?.currency))
    return { amount_minor: d.amount_minor, currency: (d.currency ?? order?.currency)! }
  if (!order) return null
  const lines = shipment?.lines.length
    ? shipment.lines.map((sl) => {
        const line = order.lines.find((l) => l.id === sl.order_line_id)
        return line ? line.unit_price_amount_minor * sl.quantity : 0
      })
    : []
  const sum = lines.reduce((a, b) => a + b, 0)
  return sum > 0
    ? { amount_minor: sum, currency: order.currency }
    : { amount_minor: order.total_amount_minor, currency: order.currency }
}

/** One value when every line agrees, else null (a sku or category of a mixed order says nothing). */
function single(order: Order | undefined, pick: (l: Order['lines'][number]) => string | null): string | null {
  const values = new Set(order?.lines.map(pick))
  return values.size === 1 ? [...values][0]! : null
}

/** The share spent and minutes left of a case's running (not met) target. */
async function slaFacts(db: Db, merchantId: string, row: CaseRow, now: Date) {
  const sla = await getCaseSla(db, merchantId, row.id, now)
  const running = (target: string) =>
    sla.targets.filter((t) => t.target === target && t.state !== 'met').sort((a, b) => b.episode - a.episode)[0]
  const resolution = running('resolution')
  const firstResponse = running('first_response')
  const minutes = (t: typeof resolution) => (t ? Math.floor(t.remaining_seconds / 60) : null)
  return {
    sla_elapsed: resolution?.elapsed_pct ?? null,
    sla_remaining: minutes(resolution),
    first_response_elapsed: firstResponse?.elapsed_pct ?? null,
    first_response_remaining: minutes(firstResponse),
  }
}

/** Minutes since the newest carrier scan (or since it shipped), at `now`. */
function silence(event: DomainEvent | null, shipment: Shipment | undefined, now: Date): number | null {
  const d = (event?.data ?? {}) as Data
  const last =
    (event?.type === 'shipment.status_changed' ? text(d.status_at) : null) ??
    text(d.last_tracking_event_at) ??
    text(d.shipped_at) ??
    shipment?.tracking.last_event_at ??
    shipment?.shipped_at ??
    null
  if (!last) return null
  return Math.max(0, Math.floor((now.getTime() - new Date(last).getTime()) / 60_000))
}

type Records = {
  row: CaseRow | undefined
  shipment: Shipment | undefined
  order: Order | undefined
  customer: Customer | undefined
  messageText: string | null
}

/** The case, shipment, order, customer and message an occurrence is about: each named, or found through another. */
async function recordsOf(db: Db, merchantId: string, input: FactsInput): Promise<Records> {
  const { event } = input
  const d = (event?.data ?? {}) as Data
  const caseId = input.caseId ?? text(d.case_id)
  const row = input.row?.id === caseId ? input.row : caseId ? await findCaseOrThrow(db, merchantId, caseId) : undefined
  const shipmentId = input.shipmentId ?? (event && shipmentIdOf(event)) ?? row?.shipment_id ?? null
  const shipment = shipmentId ? await found(() => getShipment(db, merchantId, shipmentId)) : undefined
  const orderId = text(d.order_id) ?? row?.order_id ?? shipment?.order_id ?? null
  const order = orderId ? await found(() => getOrder(db, merchantId, orderId)) : undefined
  const customerId = text(d.customer_id) ?? row?.customer_id ?? order?.customer_id ?? null
  const customer = customerId ? await found(() => getCustomer(db, merchantId, customerId)) : undefined
  const message =
    event?.type === 'message.received' ? await found(() => getMessage(db, merchantId, String(d.message_id))) : undefined
  return { row, shipment, order, customer, messageText: message?.text ?? null }
}

/** The carrier's side: status, carrier, service, value at stake, where it goes and how long it has been silent. */
function shipmentFacts(input: FactsInput, { row, shipment, order }: Records) {
  const { event, now } = input
  const d = (event?.data ?? {}) as Data
  // Events whose `status` is the carrier's (a case's or a shipment's own status is something else).
  const scan = event?.type === 'shipment.status_changed' || event?.type === 'tracking_event.recorded'
  const caseValue =
    row && row.value_amount_minor !== null && row.value_currency
      ? { amount_minor: Number(row.value_amount_minor), currency: row.value_currency }
      : null
  return {
    carrier_event: (scan ? text(d.status) : text(d.tracking_status)) ?? shipment?.tracking.status ?? null,
    carrier_sub_status: (scan ? text(d.sub_status) : null) ?? shipment?.tracking.sub_status ?? null,
    carrier: text(d.carrier) ?? text(d.carrier_code) ?? row?.carrier_code ?? shipment?.carrier.code ?? null,
    service: text(d.service) ?? shipment?.service ?? null,
    value:
      (isMoney(d.value) ? d.value : null) ??
      (event?.type === 'shipment.status_changed' ? valueAtStake(d.declared_value, shipment, order) : null) ??
      caseValue ??
      valueAtStake(shipment?.declared_value, shipment, order),
    order_value:
      (isMoney(d.order_value) ? d.order_value : null) ??
      (order ? { amount_minor: order.total_amount_minor, currency: order.currency } : null),
    fulfilment_centre:
      text(d.fulfilment_centre) ??
      row?.fulfilment_centre ??
      shipment?.fulfilment_centre ??
      single(order, (l) => l.fulfilment_centre),
    destination_country:
      text(d.destination_country) ?? shipment?.destination_country ?? order?.shipping_country ?? null,
    time_since_carrier_update: shipment || event?.type.startsWith('shipment.') ? silence(event, shipment, now) : null,
  }
}

/** The case's side: a case event's own data first (what was true when it happened), then the row. */
function caseFacts(event: DomainEvent | null, { row, order }: Records) {
  const d = (event?.data ?? {}) as Data
  const caseEvent = event?.type.startsWith('case.') ?? false
  const fromCase = <T>(key: string, column: T): T => (caseEvent && d[key] !== undefined ? (d[key] as T) : column)
  return {
    case_type: row ? fromCase('case_type', row.type_key) : null,
    priority: row ? fromCase('priority', row.priority) : null,
    status: row ? fromCase('status', row.status) : null,
    source: row ? fromCase('source', row.source) : null,
    channel: row ? fromCase('channel', row.channel) : text(d.channel),
    tags: row?.tags ?? [],
    product_category: row?.product_category ?? single(order, (l) => l.category),
    sku: row?.product_sku ?? single(order, (l) => l.sku),
    evidence_count: row?.evidence_count ?? null,
  }
}

const noSla = { sla_elapsed: null, sla_remaining: null, first_response_elapsed: null, first_response_remaining: null }

/**
 * Everything a rule's condition can read about one trigger occurrence: the event's own data first (what was true
 * when it happened), then the case, its SLA clocks at the event's time, the customer, the shipment and the order.
 */
export async function buildFacts(db: Db, merchantId: string, input: FactsInput): Promise<Facts> {
  const { event } = input
  const d = (event?.data ?? {}) as Data
  const records = await recordsOf(db, merchantId, input)
  return {
    event: event?.type ?? input.type ?? 'clock',
    ...shipmentFacts(input, records),
    ...caseFacts(event, records),
    customer_segment: records.customer?.segment ?? null,
    ...(records.row ? await slaFacts(db, merchantId, records.row, input.now) : noSla),
    message_text: records.messageText,
    connection_status:
      event?.type === 'connection.unhealthy' ? 'unhealthy' : event?.type === 'connection.recovered' ? 'healthy' : null,
    connection_provider: event?.type.startsWith('connection.') ? text(d.provider) : null,
  }
}
