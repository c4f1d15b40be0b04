import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { requestContext } from '../auth/actor.js'
import { listPage } from '../http/pagination.js'
import { Page } from '../http/schemas.js'
import { carriers } from './carriers.js'
import { deleteShipment } from './service/delete-shipment.js'
import { getShipment, listShipments } from './service/find-shipments.js'
import { upsertShipment } from './service/upsert-shipment.js'
import { CarrierList, ShipmentBody, ShipmentListQuery, ShipmentParams, ShipmentView } from './schemas.js'

export const shipmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/carriers',
    {
      config: { permission: 'orders.read' },
      schema: {
        tags: ['shipments'],
        summary: 'Known carriers and the names mapped to them',
        response: { 200: CarrierList },
      },
    },
    async () => ({ data: carriers }),
  )

  app.get(
    '/shipments',
    {
      config: { permission: 'orders.read' },
      schema: {
        tags: ['shipments'],
        summary: 'List shipments',
        querystring: ShipmentListQuery,
        response: { 200: Page(ShipmentView) },
      },
    },
    async (req) =>
      listPage(req.query, (page) =>
        listShipments(app.db, req.actor.merchantId, {
          ...page,
          orderIds: req.query.order_id ? [req.query.order_id] : undefined,
          trackingNumber: req.query.tracking_number,
          carrierCode: req.query.carrier_code,
          trackingStatus: req.query.tracking_status,
        }),
      ),
  )

  app.get(
    '/shipments/:id',
    {
      config: { permission: 'orders.read' },
      schema: { tags: ['shipments'], summary: 'One shipment', params: ShipmentParams, response: { 200: ShipmentView } },
    },
    async (req) => getShipment(app.db, req.actor.merchantId, req.params.id),
  )

  app.post(
    '/shipments',
    {
      config: { permission: 'orders.write' },
      schema: {
        tags: ['shipments'],
        summary: 'Create a shipment, or update the one with this source and external id',
        body: ShipmentBody,
        response: { 200: ShipmentView, 201: ShipmentView },
      },
    },
    async (req, reply) => {
      const b = req.body
      const { shipment, outcome } = await app.db.transaction().execute((trx) =>
        upsertShipment(
          trx,
          requestContext(req),
          {
            source: b.source ?? 'api',
            externalId: b.external_id,
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
          },
          new Date(),
        ),
      )
      return reply.status(outcome === 'created' ? 201 : 200).send(shipment)
    },
  )

  app.delete(
    '/shipments/:id',
    {
      config: { permission: 'orders.write' },
      schema: {
        tags: ['shipments'],
        summary: 'Delete a shipment',
        params: ShipmentParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await app.db.transaction().execute((trx) => deleteShipment(trx, requestContext(req), req.params.id, new Date()))
      return reply.status(204).send(null)
    },
  )
}
