import { inTransaction } from '../../auth/actor.js'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import * as service from '../service.js'
import { IdParams, NoContent } from '../schemas/common.js'
import { LinkList, LinkParams, LinksBody } from '../schemas/links.js'
import { caseRoute } from './request.js'

/** A case's links to the records it is about (customers, orders, shipments, other cases…). */
export const linkRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/cases/:id/links',
    caseRoute('cases.write', {
      summary: 'Link records (customer, order, shipment, case, and types later modules add)',
      params: IdParams,
      body: LinksBody,
      response: { 200: LinkList },
    }),
    async (req) => {
      const links = req.body.links.map((l) => ({ entityType: l.entity_type, entityId: l.entity_id }))
      return {
        data: await inTransaction(app.db, req, (trx, ctx, now) =>
          service.linkRecords(trx, ctx, req.params.id, links, now),
        ),
      }
    },
  )

  app.delete(
    '/cases/:id/links/:entityType/:entityId',
    caseRoute('cases.write', { summary: 'Remove a link', params: LinkParams, response: { 204: NoContent } }),
    async (req, reply) => {
      const link = { entityType: req.params.entityType, entityId: req.params.entityId }
      await inTransaction(app.db, req, (trx, ctx, now) => service.unlinkRecord(trx, ctx, req.params.id, link, now))
      return reply.status(204).send(null)
    },
  )
}
