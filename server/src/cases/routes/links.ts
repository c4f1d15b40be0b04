import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requestContext } from '../../auth/actor.js'
import * as service from '../service.js'
import { IdParams, NoContent } from '../schemas/common.js'
import { LinkList, LinkParams, LinksBody } from '../schemas/links.js'

/** A case's links to the records it is about (customers, orders, shipments, other cases…). */
export const linkRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/cases/:id/links',
    {
      config: { permission: 'cases.write' },
      schema: {
        tags: ['cases'],
        summary: 'Link records (customer, order, shipment, case, and types later modules add)',
        params: IdParams,
        body: LinksBody,
        response: { 200: LinkList },
      },
    },
    async (req) => ({
      data: await app.db.transaction().execute((trx) =>
        service.linkRecords(
          trx,
          requestContext(req),
          req.params.id,
          req.body.links.map((l) => ({ entityType: l.entity_type, entityId: l.entity_id })),
          new Date(),
        ),
      ),
    }),
  )

  app.delete(
    '/cases/:id/links/:entityType/:entityId',
    {
      config: { permission: 'cases.write' },
      schema: {
        tags: ['cases'],
        summary: 'Remove a link',
        params: LinkParams,
        response: { 204: NoContent },
      },
    },
    async (req, reply) => {
      await app.db
        .transaction()
        .execute((trx) =>
          service.unlinkRecord(
            trx,
            requestContext(req),
            req.params.id,
            { entityType: req.params.entityType, entityId: req.params.entityId },
            new Date(),
          ),
        )
      return reply.status(204).send(null)
    },
  )
}
