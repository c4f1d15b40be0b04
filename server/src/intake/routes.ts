import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { inTransaction } from '../auth/actor.js'
import { camelKeys, routeOptions, workspacePage } from '../http/route.js'
import { NullableTimestamp, Page, PageQueryWith, Timestamp, Uuid } from '../http/schemas.js'
import * as service from './service.js'
import { inboxSources } from '../integrations/types.js'
import { deliveryStatuses } from './tables.js'

const Status = Type.Enum(deliveryStatuses)
const ReplayableStatus = Type.Union([Type.Literal('dead'), Type.Literal('failed')])

const summaryFields = {
  id: Uuid,
  connection_id: Uuid,
  source: Type.Enum(inboxSources),
  provider: Type.String(),
  dedup_key: Type.String({ description: "The provider's idempotency key (e.g. webhook-id)" }),
  received_at: Timestamp,
  content_type: Type.Union([Type.String(), Type.Null()]),
  status: Status,
  attempts: Type.Integer({ description: 'Processing attempts so far, across replays' }),
  last_error: Type.Union([Type.String(), Type.Null()]),
  processed_at: NullableTimestamp,
  body_size: Type.Integer({ description: 'Bytes' }),
}
const DeliverySummary = Type.Object(summaryFields)
const DeliveryDetail = Type.Object({
  ...summaryFields,
  headers: Type.Record(Type.String(), Type.String(), {
    description: 'As received, lower-cased; authorization and cookie are never stored',
  }),
  body: Type.String({ description: 'The raw body: UTF-8 text, or base64 when it is not valid UTF-8' }),
  body_encoding: Type.Union([Type.Literal('utf8'), Type.Literal('base64')]),
})
const Params = Type.Object({ id: Uuid })

const deliveryRoute = routeOptions('webhooks')

export const deliveryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/webhooks/deliveries',
    deliveryRoute('integrations.read', {
      summary: 'List inbound webhook deliveries (status=dead is the dead-letter list)',
      querystring: PageQueryWith({ status: Type.Optional(Status), connection_id: Type.Optional(Uuid) }),
      response: { 200: Page(DeliverySummary) },
    }),
    async (req) => workspacePage(app.db, req, service.listDeliveries),
  )

  app.get(
    '/webhooks/deliveries/:id',
    deliveryRoute('integrations.read', {
      summary: 'One delivery, with its headers and raw body',
      params: Params,
      response: { 200: DeliveryDetail },
    }),
    async (req) => service.getDelivery(app.db, req.actor.merchantId, req.params.id),
  )

  app.post(
    '/webhooks/deliveries/:id/replay',
    deliveryRoute('integrations.manage', {
      summary: 'Process a delivery again (failed, dead, processed or ignored)',
      params: Params,
      response: { 200: DeliveryDetail },
    }),
    async (req) => inTransaction(app.db, req, (trx, ctx, now) => service.replayDelivery(trx, ctx, req.params.id, now)),
  )

  app.post(
    '/webhooks/deliveries/replay',
    deliveryRoute(
      'integrations.manage',
      {
        summary: 'Process every dead (or failed) delivery again, optionally of one connection',
        body: Type.Object(
          { status: ReplayableStatus, connection_id: Type.Optional(Uuid) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ count: Type.Integer({ description: 'Deliveries re-queued' }) }) },
      },
      { status: 'dead' },
    ),
    async (req) => ({
      count: await inTransaction(app.db, req, (trx, ctx, now) =>
        service.replayDeliveries(trx, ctx, camelKeys(req.body), now),
      ),
    }),
  )
}
