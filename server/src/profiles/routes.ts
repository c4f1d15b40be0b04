import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ProfileParams, ProfileView } from './schemas.js'
import { customerProfile } from './service.js'
import { routeOptions } from '../http/route.js'

const customerRoute = routeOptions('customers')

export const profileRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/customers/:id/profile',
    customerRoute('customers.read', {
      summary: "The customer's whole history: orders, payments, shipments and a timeline, newest first",
      params: ProfileParams,
      response: { 200: ProfileView },
    }),
    async (req) => customerProfile(app.db, req.actor.merchantId, req.params.id),
  )
}
