import { caseRecordVocabulary } from '../cases/service.js'
import { normalisePhone, type CustomerRecord } from '../customers/service.js'
import type { LineRecord, PaymentRecord } from '../orders/service.js'
import { shipmentStatuses } from '../shipments/service.js'
import type { RawRecord, RowError, ValidCase, ValidCustomer, ValidOrder, ValidShipment } from './types.js'

// Each validator collects every problem of a record (not just the first), so one pass fixes a row.

type Problems = { path: string; message: string }[]
type Obj = Record<string, unknown>

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

class Reader {
  readonly problems: Problems = []
  constructor(
    private readonly obj: Obj,
    readonly prefix = '',
  ) {}

  fail(key: string, message: string): undefined {
    this.problems.push({ path: this.prefix + key, message })
    return undefined
  }

  has(key: string): boolean {
    const v = this.obj[key]
    return v !== undefined && v !== null && v !== ''
  }

  text(
    key: string,
    opts: { required?: boolean; max?: number; pattern?: RegExp; hint?: string } = {},
  ): string | undefined {
    const v = this.obj[key]
    if (v === undefined || v === null || v === '') return opts.required ? this.fail(key, 'is required') : undefined
    if (typeof v !== 'string' && typeof v !== 'number') return this.fail(key, 'must be a string')
    const s = String(v)
    if (s.length > (opts.max ?? 1000)) return this.fail(key, `must be at most ${opts.max ?? 1000} characters`)
    if (opts.pattern && !opts.pattern.test(s)) return this.fail(key, opts.hint ?? 'has the wrong format')
    return s
  }

  /** Integers arrive as JSON numbers or, from CSV, as digit strings. */
  int(key: string, opts: { required?: boolean; min?: number } = {}): number | undefined {
    const v = this.obj[key]
    if (v === undefined || v === null || v === '') return opts.required ? this.fail(key, 'is required') : undefined
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d{1,16}$/.test(v.trim()) ? Number(v) : NaN
    if (!Number.isSafeInteger(n)) return this.fail(key, 'must be a whole number (minor units for money)')
    if (opts.min !== undefined && n < opts.min) return this.fail(key, `must be at least ${opts.min}`)
    return n
  }

  instant(key: string, required = false): Date | undefined {
    const s = this.text(key, { required })
    if (s === undefined) return undefined
    // An instant needs its offset: a bare local time would be read in whatever zone the importer runs in.
    const d = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(s)
      ? new Date(s)
      : new Date(NaN)
    if (Number.isNaN(d.getTime()))
      return this.fail(key, 'must be an ISO 8601 instant with an offset, e.g. 2024-05-01T10:00:00Z')
    return d
  }

  day(key: string): string | undefined {
    return this.text(key, { pattern: /^\d{4}-\d{2}-\d{2}$/, hint: 'must be a date, YYYY-MM-DD' })
  }

  oneOf<T extends string>(key: string, values: readonly T[]): T | undefined {
    const s = this.text(key)
    if (s === undefined) return undefined
    return (values as readonly string[]).includes(s) ? (s as T) : this.fail(key, `must be one of ${values.join(', ')}`)
  }

  /** Short words: a JSON list of strings or, as a CSV cell holds them, one string separated by commas or spaces. */
  words(key: string, opts: { max: number; pattern: RegExp; hint: string }): string[] | undefined {
    const v = this.obj[key]
    if (v === undefined || v === null || v === '') return undefined
    const list: unknown = typeof v === 'string' ? v.split(/[\s,]+/).filter(Boolean) : v
    if (!Array.isArray(list) || list.some((w) => typeof w !== 'string'))
      return this.fail(key, 'must be a list of strings')
    if (list.length > opts.max) return this.fail(key, `may hold at most ${opts.max} items`)
    const bad = (list as string[]).find((w) => !opts.pattern.test(w))
    return bad === undefined ? (list as string[]) : this.fail(key, `${JSON.stringify(bad)} ${opts.hint}`)
  }

  /** An amount of minor units with its currency: both or neither, and a currency that exists. */
  money(
    amountKey: string,
    currencyKey: string,
    currencies: ReadonlySet<string>,
    what: string,
  ): { amountMinor: number; currency: string } | null {
    const amount = this.int(amountKey, { min: 0 })
    const currency = this.text(currencyKey, { pattern: currencyPattern, hint: 'must be an ISO 4217 code such as EUR' })
    if ((amount === undefined) !== (currency === undefined))
      this.fail(amount === undefined ? amountKey : currencyKey, `${what} needs both an amount and a currency`)
    else if (currency && !currencies.has(currency))
      this.fail(currencyKey, `${currency} is not a known ISO 4217 currency`)
    return amount !== undefined && currency ? { amountMinor: amount, currency } : null
  }

  list(key: string, opts: { required?: boolean; max: number }): Obj[] | undefined {
    const v = this.obj[key]
    if (v === undefined || v === null) return opts.required ? this.fail(key, 'is required') : undefined
    if (!Array.isArray(v)) return this.fail(key, 'must be a list')
    if (v.length > opts.max) return this.fail(key, `may hold at most ${opts.max} items`)
    if (opts.required && !v.length) return this.fail(key, 'needs at least one item')
    const bad = v.findIndex((x) => !isObj(x))
    if (bad >= 0) return this.fail(`${key}[${bad}]`, 'must be an object')
    return v as Obj[]
  }

  nested(key: string, prefix = `${this.prefix}${key}.`): Reader | undefined {
    const v = this.obj[key]
    if (v === undefined || v === null) return undefined
    if (!isObj(v)) return this.fail(key, 'must be an object')
    return new Reader(v, prefix)
  }

  adopt(other: Reader) {
    this.problems.push(...other.problems)
  }
}

const currencyPattern = /^[A-Z]{3}$/
const countryPattern = /^[A-Za-z]{2}$/
const segmentPattern = /^[a-z][a-z0-9_-]{0,39}$/

function customerFrom(r: Reader, requireId: boolean): CustomerRecord | undefined {
  const externalId = r.text('external_id', { required: requireId, max: 200 })
  let phone: string | null = null
  const rawPhone = r.text('phone', { max: 40 })
  try {
    phone = normalisePhone(rawPhone)
  } catch {
    r.problems.push({
      path: `${r.prefix}phone`,
      message: 'must be an international number (E.164), e.g. +447700900123',
    })
  }
  const email =
    r.text('email', { max: 320, pattern: /^[^\s@]+@[^\s@]+$/, hint: 'must be an email address' })?.trim() || null
  const c = {
    name: r.text('name', { max: 300 })?.trim() || null,
    email,
    phone,
    locale: r.text('locale', { max: 35 }) ?? null,
    timeZone: r.text('time_zone', { max: 64 }) ?? null,
    segment:
      r.text('segment', { pattern: segmentPattern, hint: 'must be a lower-case slug such as vip or retail' }) ?? null,
  }
  return externalId === undefined ? undefined : { externalId, ...c }
}

function lineFrom(r: Reader): LineRecord | undefined {
  const name = r.text('name', { required: true, max: 500 })
  const quantity = r.int('quantity', { required: true, min: 1 })
  const unitPriceMinor = r.int('unit_price_amount_minor', { required: true, min: 0 })
  const line = {
    externalId: r.text('external_id', { max: 200 }) ?? null,
    sku: r.text('sku', { max: 200 }) ?? null,
    category: r.text('category', { max: 200 }) ?? null,
    taxMinor: r.int('tax_amount_minor', { min: 0 }) ?? 0,
    fulfilmentCentre: r.text('fulfilment_centre', { max: 200 }) ?? null,
  }
  if (name === undefined || quantity === undefined || unitPriceMinor === undefined) return undefined
  return { ...line, name, quantity, unitPriceMinor }
}

function paymentFrom(r: Reader, path: string): PaymentRecord | undefined {
  const provider = r.text('provider', { required: true, max: 100 })
  const reference = r.text('reference', { required: true, max: 200 })
  const capturedMinor = r.int('captured_amount_minor', { required: true, min: 0 })
  const refundedMinor = r.int('refunded_amount_minor', { min: 0 }) ?? null
  const capturedAt = r.instant('captured_at') ?? null
  if (provider === undefined || reference === undefined || capturedMinor === undefined) return undefined
  if (refundedMinor !== null && refundedMinor > capturedMinor) {
    r.problems.push({ path: `${path}.refunded_amount_minor`, message: 'cannot exceed captured_amount_minor' })
    return undefined
  }
  return { provider, reference, capturedMinor, refundedMinor, capturedAt }
}

export type Validated<T> = { ok: T } | { errors: RowError[] }

function result<T>(raw: RawRecord, r: Reader, value: T | undefined): Validated<T> {
  if (r.problems.length || value === undefined) {
    const problems = r.problems.length ? r.problems : [{ path: '', message: 'is not valid' }]
    return { errors: problems.map((p) => ({ ...raw.locate(p.path), message: p.message })) }
  }
  return { ok: value }
}

export function validateOrder(raw: RawRecord, currencies: ReadonlySet<string>): Validated<ValidOrder> {
  const r = new Reader(raw.data)
  const externalId = r.text('external_id', { required: true, max: 200 })
  const currency = r
    .text('currency', { required: true, pattern: currencyPattern, hint: 'must be an ISO 4217 code such as EUR' })
    ?.toUpperCase()
  if (currency && !currencies.has(currency))
    r.problems.push({ path: 'currency', message: `${currency} is not a known ISO 4217 currency` })
  const placedAt = r.instant('placed_at', true)
  const totalMinor = r.int('total_amount_minor', { required: true, min: 0 })
  const customerReader = r.nested('customer')
  const customer = customerReader ? customerFrom(customerReader, true) : null
  if (customerReader) r.adopt(customerReader)
  const lines = (r.list('lines', { required: true, max: 1000 }) ?? []).map((l, i) => {
    const lr = new Reader(l, `lines[${i}].`)
    const v = lineFrom(lr)
    r.adopt(lr)
    return v
  })
  const payments = (r.list('payments', { max: 100 }) ?? []).map((p, i) => {
    const pr = new Reader(p, `payments[${i}].`)
    const v = paymentFrom(pr, `payments[${i}]`)
    r.adopt(pr)
    return v
  })
  const rest = {
    orderNumber: r.text('order_number', { max: 100 }) ?? null,
    status: r.oneOf('status', ['open', 'cancelled', 'closed'] as const) ?? 'open',
    financialStatus: r.text('financial_status', { max: 50 }) ?? null,
    discountMinor: r.int('discount_amount_minor', { min: 0 }) ?? 0,
    shippingMinor: r.int('shipping_amount_minor', { min: 0 }) ?? 0,
    taxMinor: r.int('tax_amount_minor', { min: 0 }) ?? 0,
    shippingCountry:
      r
        .text('shipping_country', { pattern: countryPattern, hint: 'must be an ISO 3166 alpha-2 code such as GB' })
        ?.toUpperCase() ?? null,
  }
  const subtotal = r.int('subtotal_amount_minor')
  if (
    externalId === undefined ||
    currency === undefined ||
    placedAt === undefined ||
    totalMinor === undefined ||
    customer === undefined ||
    lines.some((l) => !l) ||
    payments.some((p) => !p)
  )
    return result<ValidOrder>(raw, r, undefined)
  const validLines = lines as LineRecord[]
  return result(raw, r, {
    line: raw.line,
    externalId,
    currency,
    placedAt,
    totalMinor,
    customer,
    ...rest,
    subtotalMinor: subtotal ?? validLines.reduce((sum, l) => sum + l.unitPriceMinor * l.quantity, 0),
    lines: validLines,
    payments: payments as PaymentRecord[],
  })
}

export function validateCustomer(raw: RawRecord): Validated<ValidCustomer> {
  const r = new Reader(raw.data)
  const c = customerFrom(r, true)
  return result(raw, r, c && { ...c, line: raw.line })
}

export function validateShipment(raw: RawRecord, currencies: ReadonlySet<string>): Validated<ValidShipment> {
  const r = new Reader(raw.data)
  const externalId = r.text('external_id', { required: true, max: 200 })
  const orderExternalId = r.text('order_external_id', { required: true, max: 200 })
  const declaredValue = r.money('declared_value_amount_minor', 'declared_value_currency', currencies, 'declared value')
  const lines =
    r.list('lines', { max: 1000 })?.map((l, i) => {
      const lr = new Reader(l, `lines[${i}].`)
      const position = lr.int('position', { required: true, min: 0 })
      const quantity = lr.int('quantity', { required: true, min: 1 })
      r.adopt(lr)
      return { position: position ?? 0, quantity: quantity ?? 1 }
    }) ?? null
  const s = {
    carrier: r.text('carrier', { max: 100 }) ?? null,
    service: r.text('service', { max: 100 }) ?? null,
    trackingNumber: r.text('tracking_number', { max: 100 })?.trim() || null,
    trackingUrl: r.text('tracking_url', { max: 2000 }) ?? null,
    fulfilmentCentre: r.text('fulfilment_centre', { max: 200 }) ?? null,
    status: r.oneOf('status', shipmentStatuses) ?? null,
    shippedAt: r.instant('shipped_at') ?? null,
    deliveredAt: r.instant('delivered_at') ?? null,
    destinationCountry:
      r
        .text('destination_country', { pattern: countryPattern, hint: 'must be an ISO 3166 alpha-2 code such as GB' })
        ?.toUpperCase() ?? null,
    promisedDeliveryOn: r.day('promised_delivery_on') ?? null,
    estimatedDeliveryOn: r.day('estimated_delivery_on') ?? null,
    declaredValue,
    lines,
  }
  return result(
    raw,
    r,
    externalId && orderExternalId ? { line: raw.line, externalId, orderExternalId, ...s } : undefined,
  )
}

const { statuses, priorities, resolutionCodes, rootCauses } = caseRecordVocabulary
const slugPattern = /^[a-z][a-z0-9_]{0,39}$/
const tagPattern = /^[^\s,]{1,50}$/

/** Historical cases: `caseTypes` maps the workspace's case type keys to whether the type is archived. */
export function validateCase(
  raw: RawRecord,
  currencies: ReadonlySet<string>,
  caseTypes: ReadonlyMap<string, boolean>,
): Validated<ValidCase> {
  const r = new Reader(raw.data)
  const externalId = r.text('external_id', { required: true, max: 200 })
  const caseType = r.text('type', { required: true, max: 40 })
  const openedAt = r.instant('opened_at', true)
  const firstResponseAt = r.instant('first_response_at') ?? null
  let resolvedAt = r.instant('resolved_at') ?? null
  let closedAt = r.instant('closed_at') ?? null
  const status = r.oneOf('status', statuses) ?? (r.has('resolved_at') || r.has('closed_at') ? 'closed' : 'open')
  const done = status === 'resolved' || status === 'closed'
  if (caseType !== undefined && !caseTypes.has(caseType))
    r.fail('type', `${caseType} is not a case type of this workspace (${[...caseTypes.keys()].join(', ')})`)
  else if (caseType !== undefined && caseTypes.get(caseType) && !done)
    r.fail('type', `${caseType} is archived: only resolved or closed cases of it can be imported`)
  if (done) {
    // MTTR is measured to resolved_at: a case closed without one was resolved when it closed.
    if (!r.has('outcome')) r.fail('outcome', `is required for a ${status} case`)
    if (!r.has('resolved_at') && !r.has('closed_at')) r.fail('resolved_at', `is required for a ${status} case`)
    if (status === 'resolved' && r.has('closed_at'))
      r.fail('closed_at', 'is only for a closed case; status is resolved')
    resolvedAt ??= closedAt
    if (status === 'closed') closedAt ??= resolvedAt
  } else {
    for (const key of ['outcome', 'resolved_at', 'closed_at'])
      if (r.has(key)) r.fail(key, `is only for a resolved or closed case; status is ${status}`)
  }
  const notBefore = (key: string, at: Date | null, earlierKey: string, earlier: Date | null | undefined) => {
    if (r.has(key) && at && earlier && at < earlier) r.fail(key, `must not be before ${earlierKey}`)
  }
  notBefore('first_response_at', firstResponseAt, 'opened_at', openedAt)
  notBefore('resolved_at', resolvedAt, 'opened_at', openedAt)
  if (r.has('resolved_at')) notBefore('closed_at', closedAt, 'resolved_at', resolvedAt)
  else notBefore('closed_at', closedAt, 'opened_at', openedAt)
  const c = {
    subject: r.text('subject', { max: 300 })?.trim() || null,
    priority: r.oneOf('priority', priorities) ?? null,
    channel:
      r.text('channel', { pattern: slugPattern, hint: 'must be a lower-case word such as email, phone or chat' }) ??
      null,
    resolutionCode: r.oneOf('outcome', resolutionCodes) ?? null,
    resolutionNote: r.text('resolution_note', { max: 2000 }) ?? null,
    rootCause: r.oneOf('root_cause', rootCauses) ?? null,
    faultParty: r.text('fault_party', { max: 100 }) ?? null,
    carrier: r.text('carrier', { max: 100 })?.trim() || null,
    carrierName: r.text('carrier_name', { max: 100 })?.trim() || null,
    trackingNumber: r.text('tracking_number', { max: 100 })?.trim() || null,
    productSku: r.text('product_sku', { max: 100 }) ?? null,
    productCategory: r.text('product_category', { max: 200 }) ?? null,
    fulfilmentCentre: r.text('fulfilment_centre', { max: 200 }) ?? null,
    value: r.money('value_amount_minor', 'value_currency', currencies, 'value'),
    tags:
      r.words('tags', {
        max: 30,
        pattern: tagPattern,
        hint: 'is not a tag: at most 50 characters, no spaces or commas',
      }) ?? [],
    orderExternalId: r.text('order_external_id', { max: 200 }) ?? null,
    customerExternalId: r.text('customer_external_id', { max: 200 }) ?? null,
  }
  return result(
    raw,
    r,
    externalId && caseType && openedAt
      ? { line: raw.line, externalId, caseType, openedAt, firstResponseAt, resolvedAt, closedAt, status, ...c }
      : undefined,
  )
}
