import type { ColumnType, Generated } from 'kysely'

type Instant = ColumnType<Date, Date, Date>

export interface OrderTables {
  orders: {
    merchant_id: string
    id: string
    source: string
    external_id: string
    order_number: string | null
    customer_id: string | null
    currency: string
    placed_at: Instant
    status: Generated<'open' | 'cancelled' | 'closed'>
    financial_status: string | null
    subtotal_amount_minor: Generated<number>
    discount_amount_minor: Generated<number>
    shipping_amount_minor: Generated<number>
    tax_amount_minor: Generated<number>
    total_amount_minor: number
    shipping_country: string | null
    source_updated_at: Instant | null
    created_at: Instant
    updated_at: Instant
  }
  order_lines: {
    merchant_id: string
    order_id: string
    id: string
    external_id: string | null
    position: number
    sku: string | null
    name: string
    category: string | null
    quantity: number
    unit_price_amount_minor: number
    tax_amount_minor: Generated<number>
    fulfilment_centre: string | null
  }
  payments: {
    merchant_id: string
    id: string
    order_id: string
    provider: string
    reference: string
    currency: string
    captured_amount_minor: number
    refunded_amount_minor: Generated<number>
    captured_at: Instant | null
    created_at: Instant
    updated_at: Instant
  }
  payment_refunds: {
    merchant_id: string
    id: string
    payment_id: string
    source: string
    external_id: string
    amount_minor: number
    created_at: Instant
  }
}
