import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requestContext } from '../auth/actor.js'
import * as service from './service.js'
import { CaseParams, PortalCaseView, PortalLink, PortalLinkBody, TokenParams } from './schemas.js'

export const portalRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/cases/:id/portal-links',
    {
      config: { permission: 'cases.write', example: { expires_in_days: 30 } },
      schema: {
        tags: ['portal'],
        summary: 'A signed link for the customer to follow this case (no account needed); give it to the customer only',
        params: CaseParams,
        body: PortalLinkBody,
        response: { 201: PortalLink },
      },
    },
    async (req, reply) => {
      const link = await app.db
        .transaction()
        .execute((trx) =>
          service.createPortalLink(
            trx,
            requestContext(req),
            req.params.id,
            { secret: app.ctx.keys.links, days: req.body.expires_in_days ?? 30, publicUrl: app.ctx.config.publicUrl },
            new Date(),
          ),
        )
      return reply.status(201).send(link)
    },
  )

  app.get(
    '/portal/:token/case',
    {
      config: { access: 'public' },
      schema: {
        tags: ['portal'],
        summary: "The case a customer link points to, in the customer's words: status, outcome, the parcel's tracking",
        params: TokenParams,
        response: { 200: PortalCaseView },
      },
    },
    async (req, reply) => {
      // The token is a credential: nothing between here and the customer keeps a copy.
      void reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer')
      return service.portalCase(app.db, app.ctx.keys.links, req.params.token, new Date())
    },
  )
}
