import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { CustomerView } from '../customers/schemas.js'
import { Timestamp, Uuid } from '../http/schemas.js'
import { OrderView } from '../orders/schemas.js'
import { ShipmentView } from '../shipments/schemas.js'
import { customerProfile } from './service.js'

const Amount = Type.Object({ currency: Type.String(), amount_minor: Type.Integer() })

export const profileRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/customers/:id/profile',
    {
      config: { permission: 'customers.read' },
      schema: {
        tags: ['customers'],
        summary: "The customer's whole history: orders, payments, shipments and a timeline, newest first",
        params: Type.Object({ id: Uuid }),
        response: {
          200: Type.Object({
            customer: CustomerView,
            orders: Type.Array(OrderView),
            shipments: Type.Array(ShipmentView),
            totals: Type.Object({ orders: Type.Integer(), spent: Type.Array(Amount), refunded: Type.Array(Amount) }),
            timeline: Type.Array(
              Type.Object({ at: Timestamp, kind: Type.String(), order_id: Uuid, ref_id: Uuid, summary: Type.String() }),
            ),
          }),
        },
      },
    },
    async (req) => customerProfile(app.db, req.actor.merchantId, req.params.id),
  )
}
