import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import { inTransaction } from '../auth/actor.js'
import { deleteHandler, pagedList, sendUpserted, sourceKey } from '../http/handlers.js'
import { routeOptions } from '../http/route.js'
import { Page } from '../http/schemas.js'
import { approveRefund } from './service/approve-refund.js'
import { deleteOrder } from './service/delete-order.js'
import { getOrder, listOrders } from './service/find-orders.js'
import { upsertOrder } from './service/upsert-order.js'
import { OrderBody, OrderListQuery, OrderView, OrderParams, PaymentParams, PaymentView, RefundBody } from './schemas.js'

const route = routeOptions('orders')

const orderInput = (b: Static<typeof OrderBody>) => ({
  ...sourceKey(b),
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
})

export const orderRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/orders',
    route('orders.read', {
      summary: 'List orders, with lines and payments',
      querystring: OrderListQuery,
      response: { 200: Page(OrderView) },
    }),
    pagedList(app.db, listOrders, (q) => ({ customerId: q.customer_id, source: q.source, number: q.number })),
  )

  app.get(
    '/orders/:id',
    route('orders.read', { summary: 'One order', params: OrderParams, response: { 200: OrderView } }),
    async (req) => getOrder(app.db, req.actor.merchantId, req.params.id),
  )

  app.post(
    '/orders',
    route('orders.write', {
      summary: 'Create an order, or update the one with this source and external id',
      body: OrderBody,
      response: { 200: OrderView, 201: OrderView },
    }),
    async (req, reply) => {
      const input = orderInput(req.body)
      const { order, outcome } = await inTransaction(app.db, req, (trx, ctx, now) => upsertOrder(trx, ctx, input, now))
      return sendUpserted(reply, outcome, order)
    },
  )

  app.delete(
    '/orders/:id',
    route('orders.write', {
      summary: 'Delete an order with its lines, payments and shipments',
      params: OrderParams,
      response: { 204: Type.Null() },
    }),
    deleteHandler((req) => inTransaction(app.db, req, (trx, ctx, now) => deleteOrder(trx, ctx, req.params.id, now))),
  )

  app.post(
    '/orders/:id/payments/:paymentId/refunds',
    route('refunds.approve', {
      summary:
        "Record a refund against a payment: within the approver's refunds.approve bound, never more than it still has captured",
      params: PaymentParams,
      body: RefundBody,
      response: { 200: PaymentView },
    }),
    async (req) => {
      const input = { orderId: req.params.id, paymentId: req.params.paymentId, amountMinor: req.body.amount_minor }
      return inTransaction(app.db, req, (trx, ctx, now) => approveRefund(trx, ctx, input, now))
    },
  )
}
