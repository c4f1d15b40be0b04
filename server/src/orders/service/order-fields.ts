import type * as store from '../store.js'
import type { LineInput, OrderInput, OrderRecord, PaymentInput, PaymentRecord } from '../types.js'

// What upsertOrder and importOrders share: the columns an input decides, and whether a write changes anything.

export const summary = (o: store.OrderFields, lines: number) => ({
  order_number: o.order_number,
  customer_id: o.customer_id,
  currency: o.currency,
  status: o.status,
  financial_status: o.financial_status,
  total_amount_minor: o.total_amount_minor,
  shipping_country: o.shipping_country,
  line_count: lines,
})

/** An order's fields as its source gives them (a bulk import's CSV columns too); the customer is linked apart. */
export const sourceOrderColumns = [
  'order_number',
  'currency',
  'placed_at',
  'status',
  'financial_status',
  'subtotal_amount_minor',
  'discount_amount_minor',
  'shipping_amount_minor',
  'tax_amount_minor',
  'total_amount_minor',
  'shipping_country',
] as const
const orderColumns = [...sourceOrderColumns, 'customer_id'] as const
const lineColumns = [
  'position',
  'external_id',
  'sku',
  'name',
  'category',
  'quantity',
  'unit_price_amount_minor',
  'tax_amount_minor',
  'fulfilment_centre',
] as const
const paymentColumns = [
  'provider',
  'reference',
  'currency',
  'captured_amount_minor',
  'refunded_amount_minor',
  'captured_at',
] as const
type OrderState = {
  order: Pick<store.OrderRow, (typeof orderColumns)[number]>
  lines: Pick<store.LineRow, (typeof lineColumns)[number]>[]
  payments: Pick<store.PaymentRow, (typeof paymentColumns)[number]>[]
}

const comparable = (v: unknown) => (v instanceof Date ? v.getTime() : v)
const same = <T>(a: T, b: T, columns: readonly (keyof T)[]) =>
  columns.every((c) => comparable(a[c]) === comparable(b[c]))

/**
 * Whether writing `after` would change nothing: a repeat (an import re-run, a re-sent webhook) is not written,
 * audited or announced. Payments the source leaves out are kept, so only the ones it sends are compared.
 */
export function sameOrder(before: OrderState, after: OrderState): boolean {
  return (
    same(before.order, after.order, orderColumns) &&
    before.lines.length === after.lines.length &&
    before.lines.every((l, i) => same(l, after.lines[i]!, lineColumns)) &&
    after.payments.every((p) => before.payments.some((h) => same(h, p, paymentColumns)))
  )
}

/** The columns an order's input decides, alike for `upsertOrder` and `importOrders`. */
export const orderFields = (input: OrderInput | OrderRecord, customerId: string | null) => ({
  order_number: input.orderNumber ?? null,
  customer_id: customerId,
  currency: input.currency,
  placed_at: input.placedAt,
  status: input.status ?? 'open',
  financial_status: input.financialStatus ?? null,
  subtotal_amount_minor: input.subtotalMinor ?? input.lines.reduce((sum, l) => sum + l.unitPriceMinor * l.quantity, 0),
  discount_amount_minor: input.discountMinor ?? 0,
  shipping_amount_minor: input.shippingMinor ?? 0,
  tax_amount_minor: input.taxMinor ?? 0,
  total_amount_minor: input.totalMinor,
  shipping_country: input.shippingCountry?.toUpperCase() ?? null,
})

export const lineFields = (l: LineInput, position: number) => ({
  position,
  external_id: l.externalId ?? null,
  sku: l.sku ?? null,
  name: l.name,
  category: l.category ?? null,
  quantity: l.quantity,
  unit_price_amount_minor: l.unitPriceMinor,
  tax_amount_minor: l.taxMinor ?? 0,
  fulfilment_centre: l.fulfilmentCentre ?? null,
})

/** A payment as it will be held: captured when the order was placed unless the source says otherwise; a refunded total it leaves out stays. */
export function paymentFields(
  p: PaymentInput | PaymentRecord,
  order: { currency: string; placedAt: Date },
  held: Pick<store.PaymentRow, 'provider' | 'reference' | 'refunded_amount_minor'>[],
) {
  return {
    provider: p.provider,
    reference: p.reference,
    currency: order.currency,
    captured_amount_minor: p.capturedMinor,
    refunded_amount_minor:
      p.refundedMinor ??
      held.find((h) => h.provider === p.provider && h.reference === p.reference)?.refunded_amount_minor ??
      0,
    captured_at: p.capturedAt ?? order.placedAt,
  }
}
