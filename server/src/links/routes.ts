import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { inTransaction } from '../auth/actor.js'
import { findCaseOrThrow } from '../cases/service.js'
import { routeOptions } from '../http/route.js'
import { CaseParams, LinkList, LinkParams, LinkView } from './schemas.js'
import * as service from './service.js'

const route = routeOptions('links')

export const linkRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/cases/:id/links',
    route('cases.read', {
      summary: "The case's stored customer links (evidence uploads): state, expiry, revocation, last use; never tokens",
      params: CaseParams,
      response: { 200: LinkList },
    }),
    async (req) => {
      await findCaseOrThrow(app.db, req.actor.merchantId, req.params.id)
      return { data: await service.listLinksOf(app.db, req.actor.merchantId, 'case', req.params.id, new Date()) }
    },
  )

  app.post(
    '/links/:id/revoke',
    route('cases.write', {
      summary: 'Revoke a customer link: it stops working at once (a dead link is returned as it is)',
      params: LinkParams,
      response: { 200: LinkView },
    }),
    async (req) => inTransaction(app.db, req, (trx, ctx, now) => service.revokeLink(trx, ctx, req.params.id, now)),
  )
}
