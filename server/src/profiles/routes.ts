import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ProfileParams, ProfileView } from './schemas.js'
import { customerProfile } from './service.js'

export const profileRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/customers/:id/profile',
    {
      config: { permission: 'customers.read' },
      schema: {
        tags: ['customers'],
        summary: "The customer's whole history: orders, payments, shipments and a timeline, newest first",
        params: ProfileParams,
        response: { 200: ProfileView },
      },
    },
    async (req) => customerProfile(app.db, req.actor.merchantId, req.params.id),
  )
}
