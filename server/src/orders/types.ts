import type { CustomerInput, CustomerRecord } from '../customers/service.js'
import type { LineRow, PaymentRow } from './store.js'

export type OrderLine = {
  id: string
  position: number
  external_id: string | null
  sku: string | null
  name: string
  category: string | null
  quantity: number
  unit_price_amount_minor: number
  tax_amount_minor: number
  fulfilment_centre: string | null
}
export type Payment = {
  id: string
  provider: string
  reference: string
  currency: string
  captured_amount_minor: number
  refunded_amount_minor: number
  refundable_amount_minor: number
  captured_at: Date | null
  created_at: Date
  updated_at: Date
}
export type Order = {
  id: string
  source: string
  external_id: string
  order_number: string | null
  customer_id: string | null
  currency: string
  placed_at: Date
  status: 'open' | 'cancelled' | 'closed'
  financial_status: string | null
  subtotal_amount_minor: number
  discount_amount_minor: number
  shipping_amount_minor: number
  tax_amount_minor: number
  total_amount_minor: number
  shipping_country: string | null
  lines: OrderLine[]
  payments: Payment[]
  created_at: Date
  updated_at: Date
}

export const toLine = (l: LineRow): OrderLine => ({
  id: l.id,
  position: l.position,
  external_id: l.external_id,
  sku: l.sku,
  name: l.name,
  category: l.category,
  quantity: l.quantity,
  unit_price_amount_minor: l.unit_price_amount_minor,
  tax_amount_minor: l.tax_amount_minor,
  fulfilment_centre: l.fulfilment_centre,
})
export const toPayment = (p: PaymentRow): Payment => ({
  id: p.id,
  provider: p.provider,
  reference: p.reference,
  currency: p.currency,
  captured_amount_minor: p.captured_amount_minor,
  refunded_amount_minor: p.refunded_amount_minor,
  refundable_amount_minor: p.captured_amount_minor - p.refunded_amount_minor,
  captured_at: p.captured_at,
  created_at: p.created_at,
  updated_at: p.updated_at,
})

export type LineInput = {
  externalId?: string | null
  sku?: string | null
  name: string
  category?: string | null
  quantity: number
  unitPriceMinor: number
  taxMinor?: number
  fulfilmentCentre?: string | null
}
export type PaymentInput = {
  provider: string
  reference: string
  capturedMinor: number
  refundedMinor?: number
  capturedAt?: Date | null
}
export type OrderInput = {
  source: string
  externalId: string
  orderNumber?: string | null
  /** The buyer, matched or created as a customer; or an existing customer's id. */
  customer?: Omit<CustomerInput, 'source'> | null
  customerId?: string | null
  currency: string
  placedAt: Date
  status?: 'open' | 'cancelled' | 'closed'
  financialStatus?: string | null
  subtotalMinor?: number
  discountMinor?: number
  shippingMinor?: number
  taxMinor?: number
  totalMinor: number
  shippingCountry?: string | null
  lines: LineInput[]
  payments?: PaymentInput[]
  sourceUpdatedAt?: Date | null
}

/** An order as a bulk import holds it: every field given (null where the source has none). */
export type OrderRecord = {
  externalId: string
  orderNumber: string | null
  customer: CustomerRecord | null
  currency: string
  placedAt: Date
  status: 'open' | 'cancelled' | 'closed'
  financialStatus: string | null
  subtotalMinor: number
  discountMinor: number
  shippingMinor: number
  taxMinor: number
  totalMinor: number
  shippingCountry: string | null
  lines: LineRecord[]
  payments: PaymentRecord[]
}
export type LineRecord = Required<LineInput>
export type PaymentRecord = {
  provider: string
  reference: string
  capturedMinor: number
  refundedMinor: number | null
  capturedAt: Date | null
}
