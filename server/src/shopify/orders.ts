import { upsertOrder, type LineInput, type OrderInput, type PaymentInput } from '../orders/service.js'
import { decimalToMinor } from './amounts.js'
import {
  currencyExponent,
  instant,
  optionalInstant,
  requireId,
  source,
  usablePhone,
  type ShopifyWrite,
} from './fields.js'
import { idOf } from './json.js'
import type { ShopifyCustomer, ShopifyOrder } from './payloads.js'

// Statuses in which the order's money has been taken: what was charged less what is still owed.
const capturedStatuses = new Set(['paid', 'partially_paid', 'partially_refunded', 'refunded'])

/** orders/create and orders/updated: one upsert keyed on the order id; an older `updated_at` changes nothing. */
export async function syncOrder(w: ShopifyWrite, order: ShopifyOrder): Promise<'processed' | 'ignored'> {
  const input = toOrderInput(order, await currencyExponent(w, order.currency))
  const { outcome } = await upsertOrder(w.trx, w, input, w.now)
  return outcome === 'stale' ? 'ignored' : 'processed'
}

function toOrderInput(order: ShopifyOrder, exponent: number): OrderInput {
  const externalId = requireId(order.id, 'order id')
  const minor = (value: string | number | null | undefined) => decimalToMinor(String(value ?? '0'), exponent)
  if (order.total_price === undefined || order.total_price === null) throw new Error('Shopify order has no total_price')
  return {
    source,
    externalId,
    orderNumber: order.name ?? null,
    currency: order.currency!,
    placedAt: instant(order.created_at ?? order.processed_at, 'order created_at'),
    status: order.cancelled_at ? 'cancelled' : order.closed_at ? 'closed' : 'open',
    financialStatus: order.financial_status ?? null,
    subtotalMinor: minor(order.subtotal_price),
    discountMinor: minor(order.total_discounts),
    taxMinor: minor(order.total_tax),
    shippingMinor: minor(order.total_shipping_price_set?.shop_money?.amount),
    totalMinor: minor(order.total_price),
    shippingCountry: order.shipping_address?.country_code ?? null,
    customer: order.customer ? toCustomerInput(order.customer, order) : null,
    lines: (order.line_items ?? []).map(
      (l): LineInput => ({
        externalId: idOf(l.id),
        sku: l.sku || null,
        name: l.name || l.title || 'Item',
        quantity: l.quantity ?? 1,
        unitPriceMinor: minor(l.price),
        taxMinor: (l.tax_lines ?? []).reduce((sum, t) => sum + minor(t.price), 0),
      }),
    ),
    payments: toPayments(order, externalId, minor),
    sourceUpdatedAt: optionalInstant(order.updated_at, 'order updated_at'),
  }
}

function toCustomerInput(c: ShopifyCustomer, order: ShopifyOrder): NonNullable<OrderInput['customer']> {
  const consent = (state: { state?: string | null } | null | undefined) =>
    state ? state.state === 'subscribed' : undefined
  return {
    externalId: idOf(c.id),
    email: c.email ?? order.email ?? null,
    phone: usablePhone(c.phone),
    name: [c.first_name, c.last_name].filter(Boolean).join(' ') || null,
    locale: order.customer_locale ?? null,
    consent: { email: consent(c.email_marketing_consent), sms: consent(c.sms_marketing_consent) },
    sourceUpdatedAt: optionalInstant(c.updated_at, 'customer updated_at'),
  }
}

function toPayments(
  order: ShopifyOrder,
  orderId: string,
  minor: (v: string | number | null | undefined) => number,
): PaymentInput[] {
  const captures = (order.transactions ?? []).filter(
    (t) => (t.kind === 'capture' || t.kind === 'sale') && t.status === 'success',
  )
  if (captures.length)
    return captures.map((t) => ({
      provider: source,
      reference: requireId(t.id, 'transaction id'),
      capturedMinor: minor(t.amount),
    }))
  if (!capturedStatuses.has(order.financial_status ?? '')) return []
  // Webhook orders carry no transactions: one payment for the order, keyed on its id.
  return [
    {
      provider: source,
      reference: orderId,
      capturedMinor: Math.max(0, minor(order.total_price) - minor(order.total_outstanding)),
    },
  ]
}
