import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type, type Static } from 'typebox'
import { inTransaction } from '../auth/actor.js'
import { deleteHandler, pagedList, sendUpserted, sourceKey } from '../http/handlers.js'
import { routeOptions } from '../http/route.js'
import { Page } from '../http/schemas.js'
import { carriers } from './carriers.js'
import { deleteShipment } from './service/delete-shipment.js'
import { getShipment, listShipments } from './service/find-shipments.js'
import { upsertShipment } from './service/upsert-shipment.js'
import { CarrierList, ShipmentBody, ShipmentListQuery, ShipmentParams, ShipmentView } from './schemas.js'

const route = routeOptions('shipments')

const shipmentInput = (b: Static<typeof ShipmentBody>) => ({
  ...sourceKey(b),
  orderId: b.order_id,
  carrier: b.carrier,
  service: b.service,
  trackingNumber: b.tracking_number,
  trackingUrl: b.tracking_url,
  fulfilmentCentre: b.fulfilment_centre,
  status: b.status,
  shippedAt: b.shipped_at ? new Date(b.shipped_at) : null,
  declaredValue: b.declared_value
    ? { amountMinor: b.declared_value.amount_minor, currency: b.declared_value.currency }
    : null,
  destinationCountry: b.destination_country,
  promisedDeliveryOn: b.promised_delivery_on,
  estimatedDeliveryOn: b.estimated_delivery_on,
  lines: b.lines?.map((l) => ({ orderLineId: l.order_line_id, quantity: l.quantity })),
  sourceUpdatedAt: b.updated_at ? new Date(b.updated_at) : null,
})

export const shipmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/carriers',
    route('orders.read', {
      summary: 'Known carriers and the names mapped to them',
      response: { 200: CarrierList },
    }),
    async () => ({ data: carriers }),
  )

  app.get(
    '/shipments',
    route('orders.read', {
      summary: 'List shipments',
      querystring: ShipmentListQuery,
      response: { 200: Page(ShipmentView) },
    }),
    pagedList(app.db, listShipments, (q) => ({
      orderIds: q.order_id ? [q.order_id] : undefined,
      trackingNumber: q.tracking_number,
      carrierCode: q.carrier_code,
      trackingStatus: q.tracking_status,
    })),
  )

  app.get(
    '/shipments/:id',
    route('orders.read', { summary: 'One shipment', params: ShipmentParams, response: { 200: ShipmentView } }),
    async (req) => getShipment(app.db, req.actor.merchantId, req.params.id),
  )

  app.post(
    '/shipments',
    route('orders.write', {
      summary: 'Create a shipment, or update the one with this source and external id',
      body: ShipmentBody,
      response: { 200: ShipmentView, 201: ShipmentView },
    }),
    async (req, reply) => {
      const input = shipmentInput(req.body)
      const { shipment, outcome } = await inTransaction(app.db, req, (trx, ctx, now) =>
        upsertShipment(trx, ctx, input, now),
      )
      return sendUpserted(reply, outcome, shipment)
    },
  )

  app.delete(
    '/shipments/:id',
    route('orders.write', {
      summary: 'Delete a shipment',
      params: ShipmentParams,
      response: { 204: Type.Null() },
    }),
    deleteHandler((req) => inTransaction(app.db, req, (trx, ctx, now) => deleteShipment(trx, ctx, req.params.id, now))),
  )
}
