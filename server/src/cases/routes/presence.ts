import { inTransaction } from '../../auth/actor.js'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import * as service from '../service.js'
import { IdParams, NoContent } from '../schemas/common.js'
import { PresenceBody, PresenceList } from '../schemas/presence.js'
import { caseRoute } from './request.js'

/** Presence: the console's collision warning (who else is viewing or replying on a case right now). */
export const presenceRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/cases/:id/presence',
    caseRoute('cases.read', {
      summary: 'Who has this case open right now, and who is writing on it',
      params: IdParams,
      response: { 200: PresenceList },
    }),
    async (req) => ({ data: await service.listPresence(app.db, req.actor.merchantId, req.params.id, new Date()) }),
  )

  app.put(
    '/cases/:id/presence',
    caseRoute(
      'cases.read',
      {
        summary: `I have this case open (a heartbeat: send it every 15 s; it lapses after ${service.presenceTtlMs / 1000} s)`,
        params: IdParams,
        body: PresenceBody,
        response: { 204: NoContent },
      },
      { state: 'viewing' },
    ),
    async (req, reply) => {
      await inTransaction(app.db, req, (trx, ctx, now) =>
        service.setPresence(trx, ctx, req.params.id, req.body.state, now),
      )
      return reply.status(204).send(null)
    },
  )

  app.delete(
    '/cases/:id/presence',
    caseRoute('cases.read', { summary: 'I closed this case', params: IdParams, response: { 204: NoContent } }),
    async (req, reply) => {
      await inTransaction(app.db, req, (trx, ctx, now) => service.setPresence(trx, ctx, req.params.id, null, now))
      return reply.status(204).send(null)
    },
  )
}
