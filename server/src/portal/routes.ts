import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { requestContext } from '../auth/actor.js'
import { NullableTimestamp, Timestamp, Uuid } from '../http/schemas.js'
import * as service from './service.js'

const NullableText = Type.Union([Type.String(), Type.Null()])
const PortalCaseView = Type.Object({
  store: Type.String(),
  number: Type.String(),
  topic: Type.String(),
  status: Type.String(),
  status_text: Type.String(),
  outcome: NullableText,
  opened_at: Timestamp,
  updated_at: Timestamp,
  shipments: Type.Array(
    Type.Object({
      carrier: NullableText,
      tracking_number: NullableText,
      status: Type.String(),
      status_text: Type.String(),
      estimated_delivery_at: NullableTimestamp,
      events: Type.Array(
        Type.Object({
          at: Timestamp,
          status: Type.String(),
          text: Type.String(),
          detail: NullableText,
          place: NullableText,
        }),
      ),
    }),
  ),
})
const Token = Type.Object({
  token: Type.String({ minLength: 20, maxLength: 1000, pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$' }),
})

export const portalRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/cases/:id/portal-links',
    {
      config: { permission: 'cases.write', example: { expires_in_days: 30 } },
      schema: {
        tags: ['portal'],
        summary: 'A signed link for the customer to follow this case (no account needed); give it to the customer only',
        params: Type.Object({ id: Uuid }),
        body: Type.Object(
          { expires_in_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, default: 30 })) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ url: Type.String(), expires_at: Timestamp }) },
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
        params: Token,
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
