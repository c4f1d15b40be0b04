import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { requestContext } from '../auth/actor.js'
import { listPage } from '../http/pagination.js'
import { Page, PageQueryWith, Timestamp, Uuid } from '../http/schemas.js'
import { approveRefund } from './service/approve-refund.js'
import { deleteOrder } from './service/delete-order.js'
import { getOrder, listOrders } from './service/find-orders.js'
import { upsertOrder } from './service/upsert-order.js'

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
const PaymentView = Type.Object({
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
const OrderBody = Type.Object(
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
const Params = Type.Object({ id: Uuid })

export const orderRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/orders',
    {
      config: { permission: 'orders.read' },
      schema: {
        tags: ['orders'],
        summary: 'List orders, with lines and payments',
        querystring: PageQueryWith({
          customer_id: Type.Optional(Uuid),
          source: Type.Optional(Source),
          number: Type.Optional(
            Type.String({ minLength: 1, maxLength: 100, description: 'The order number, with or without its `#`' }),
          ),
        }),
        response: { 200: Page(OrderView) },
      },
    },
    async (req) =>
      listPage(req.query, (page) =>
        listOrders(app.db, req.actor.merchantId, {
          ...page,
          customerId: req.query.customer_id,
          source: req.query.source,
          number: req.query.number,
        }),
      ),
  )

  app.get(
    '/orders/:id',
    {
      config: { permission: 'orders.read' },
      schema: { tags: ['orders'], summary: 'One order', params: Params, response: { 200: OrderView } },
    },
    async (req) => getOrder(app.db, req.actor.merchantId, req.params.id),
  )

  app.post(
    '/orders',
    {
      config: { permission: 'orders.write' },
      schema: {
        tags: ['orders'],
        summary: 'Create an order, or update the one with this source and external id',
        body: OrderBody,
        response: { 200: OrderView, 201: OrderView },
      },
    },
    async (req, reply) => {
      const b = req.body
      const { order, outcome } = await app.db.transaction().execute((trx) =>
        upsertOrder(
          trx,
          requestContext(req),
          {
            source: b.source ?? 'api',
            externalId: b.external_id,
            orderNumber: b.order_number,
            customerId: b.customer_id,
            customer: b.customer
              ? {
                  externalId: b.customer.external_id,
                  name: b.customer.name,
                  email: b.customer.email,
                  phone: b.customer.phone,
                  locale: b.customer.locale,
                }
              : undefined,
            currency: b.currency,
            placedAt: new Date(b.placed_at),
            status: b.status,
            financialStatus: b.financial_status,
            subtotalMinor: b.subtotal_amount_minor,
            discountMinor: b.discount_amount_minor,
            shippingMinor: b.shipping_amount_minor,
            taxMinor: b.tax_amount_minor,
            totalMinor: b.total_amount_minor,
            shippingCountry: b.shipping_country,
            lines: b.lines.map((l) => ({
              externalId: l.external_id,
              sku: l.sku,
              name: l.name,
              category: l.category,
              quantity: l.quantity,
              unitPriceMinor: l.unit_price_amount_minor,
              taxMinor: l.tax_amount_minor,
              fulfilmentCentre: l.fulfilment_centre,
            })),
            payments: b.payments?.map((p) => ({
              provider: p.provider,
              reference: p.reference,
              capturedMinor: p.captured_amount_minor,
              refundedMinor: p.refunded_amount_minor,
              capturedAt: p.captured_at ? new Date(p.captured_at) : null,
            })),
            sourceUpdatedAt: b.updated_at ? new Date(b.updated_at) : null,
          },
          new Date(),
        ),
      )
      return reply.status(outcome === 'created' ? 201 : 200).send(order)
    },
  )

  app.delete(
    '/orders/:id',
    {
      config: { permission: 'orders.write' },
      schema: {
        tags: ['orders'],
        summary: 'Delete an order with its lines, payments and shipments',
        params: Params,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await app.db.transaction().execute((trx) => deleteOrder(trx, requestContext(req), req.params.id, new Date()))
      return reply.status(204).send(null)
    },
  )

  app.post(
    '/orders/:id/payments/:paymentId/refunds',
    {
      config: { permission: 'refunds.approve' },
      schema: {
        tags: ['orders'],
        summary:
          "Record a refund against a payment: within the approver's refunds.approve bound, never more than it still has captured",
        params: Type.Object({ id: Uuid, paymentId: Uuid }),
        body: Type.Object(
          { amount_minor: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) },
          { additionalProperties: false },
        ),
        response: { 200: PaymentView },
      },
    },
    async (req) =>
      app.db
        .transaction()
        .execute((trx) =>
          approveRefund(
            trx,
            requestContext(req),
            { orderId: req.params.id, paymentId: req.params.paymentId, amountMinor: req.body.amount_minor },
            new Date(),
          ),
        ),
  )
}
