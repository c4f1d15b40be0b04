import { Type } from 'typebox'
import { PageQueryWith, Timestamp, Uuid } from '../http/schemas.js'

const Minor = Type.Integer({
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  description: 'Integer minor units of the order currency',
})
const Currency = Type.String({ pattern: '^[A-Z]{3}$' })
const Source = Type.String({ pattern: '^[a-z][a-z0-9_-]{0,39}$' })
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()])
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max })

const LineView = Type.Object({
  id: Uuid,
  position: Type.Integer(),
  external_id: Type.Union([Type.String(), Type.Null()]),
  sku: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  category: Type.Union([Type.String(), Type.Null()]),
  quantity: Type.Integer(),
  unit_price_amount_minor: Type.Integer(),
  tax_amount_minor: Type.Integer(),
  fulfilment_centre: Type.Union([Type.String(), Type.Null()]),
})
export const PaymentView = Type.Object({
  id: Uuid,
  provider: Type.String(),
  reference: Type.String(),
  currency: Currency,
  captured_amount_minor: Type.Integer(),
  refunded_amount_minor: Type.Integer(),
  refundable_amount_minor: Type.Integer(),
  captured_at: Type.Union([Timestamp, Type.Null()]),
  created_at: Timestamp,
  updated_at: Timestamp,
})
export const OrderView = Type.Object({
  id: Uuid,
  source: Type.String(),
  external_id: Type.String(),
  order_number: Type.Union([Type.String(), Type.Null()]),
  customer_id: Type.Union([Uuid, Type.Null()]),
  currency: Currency,
  placed_at: Timestamp,
  status: Type.String(),
  financial_status: Type.Union([Type.String(), Type.Null()]),
  subtotal_amount_minor: Type.Integer(),
  discount_amount_minor: Type.Integer(),
  shipping_amount_minor: Type.Integer(),
  tax_amount_minor: Type.Integer(),
  total_amount_minor: Type.Integer(),
  shipping_country: Type.Union([Type.String(), Type.Null()]),
  lines: Type.Array(LineView),
  payments: Type.Array(PaymentView),
  created_at: Timestamp,
  updated_at: Timestamp,
})
export const OrderBody = Type.Object(
  {
    source: Type.Optional(Source),
    external_id: Text(200),
    order_number: Type.Optional(Nullable(Text(100))),
    customer_id: Type.Optional(Uuid),
    customer: Type.Optional(
      Type.Object(
        {
          external_id: Type.Optional(Text(200)),
          name: Type.Optional(Nullable(Text(200))),
          email: Type.Optional(Nullable(Type.String({ maxLength: 320, pattern: '^[^@\\s]+@[^@\\s]+$' }))),
          phone: Type.Optional(Nullable(Text(32))),
          locale: Type.Optional(Nullable(Text(35))),
        },
        { additionalProperties: false },
      ),
    ),
    currency: Currency,
    placed_at: Type.String({ format: 'date-time' }),
    status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('cancelled'), Type.Literal('closed')])),
    financial_status: Type.Optional(Nullable(Text(50))),
    subtotal_amount_minor: Type.Optional(Minor),
    discount_amount_minor: Type.Optional(Minor),
    shipping_amount_minor: Type.Optional(Minor),
    tax_amount_minor: Type.Optional(Minor),
    total_amount_minor: Minor,
    shipping_country: Type.Optional(Nullable(Type.String({ pattern: '^[A-Za-z]{2}$' }))),
    lines: Type.Array(
      Type.Object(
        {
          external_id: Type.Optional(Text(200)),
          sku: Type.Optional(Nullable(Text(100))),
          name: Text(500),
          category: Type.Optional(Nullable(Text(100))),
          quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
          unit_price_amount_minor: Minor,
          tax_amount_minor: Type.Optional(Minor),
          fulfilment_centre: Type.Optional(Nullable(Text(100))),
        },
        { additionalProperties: false },
      ),
      { maxItems: 1000 },
    ),
    payments: Type.Optional(
      Type.Array(
        Type.Object(
          {
            provider: Text(50),
            reference: Text(200),
            captured_amount_minor: Minor,
            refunded_amount_minor: Type.Optional(Minor),
            captured_at: Type.Optional(Type.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
        { maxItems: 100 },
      ),
    ),
    updated_at: Type.Optional(
      Type.String({
        format: 'date-time',
        description: "The source's last change; an older one than stored is ignored",
      }),
    ),
  },
  { additionalProperties: false },
)
export const OrderParams = Type.Object({ id: Uuid })
export const OrderListQuery = PageQueryWith({
  customer_id: Type.Optional(Uuid),
  source: Type.Optional(Source),
  number: Type.Optional(
    Type.String({ minLength: 1, maxLength: 100, description: 'The order number, with or without its `#`' }),
  ),
})
export const PaymentParams = Type.Object({ id: Uuid, paymentId: Uuid })
export const RefundBody = Type.Object(
  { amount_minor: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) },
  { additionalProperties: false },
)
