import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { inTransaction } from '../auth/actor.js'
import { noStoreHeaders } from '../http/headers.js'
import { routeOptions } from '../http/route.js'
import * as service from './service.js'
import { CaseParams, PortalCaseView, PortalLink, PortalLinkBody, TokenParams } from './schemas.js'

const portalRoute = routeOptions('portal')

export const portalRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/cases/:id/portal-links',
    portalRoute(
      'cases.write',
      {
        summary: 'A signed link for the customer to follow this case (no account needed); give it to the customer only',
        params: CaseParams,
        body: PortalLinkBody,
        response: { 201: PortalLink },
      },
      { expires_in_days: 30 },
    ),
    async (req, reply) => {
      const input = {
        secret: app.ctx.keys.links,
        days: req.body.expires_in_days ?? 30,
        publicUrl: app.ctx.config.publicUrl,
      }
      const link = await inTransaction(app.db, req, (trx, ctx, now) =>
        service.createPortalLink(trx, ctx, req.params.id, input, now),
      )
      return reply.status(201).send(link)
    },
  )

  app.get(
    '/portal/:token/case',
    portalRoute('public', {
      summary: "The case a customer link points to, in the customer's words: status, outcome, the parcel's tracking",
      params: TokenParams,
      response: { 200: PortalCaseView },
    }),
    async (req, reply) => {
      // The token is a credential: nothing between here and the customer keeps a copy.
      void reply.headers(noStoreHeaders)
      return service.portalCase(app.db, app.ctx.keys.links, req.params.token, new Date())
    },
  )
}
