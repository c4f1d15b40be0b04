import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requestContext, inTransaction } from '../../auth/actor.js'
import * as service from '../service.js'
import { IdParams, NoContent } from '../schemas/common.js'
import { CreateViewBody, PatchViewBody, SavedViewList, SavedViewT } from '../schemas/views.js'
import { caseRoute } from './request.js'

/** Saved inbox views: built-in, shared with the workspace, or a person's own. */
export const viewRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/case-views',
    caseRoute('cases.read', {
      summary: "Saved inbox views: the built-in ones, the shared ones and the caller's own",
      response: { 200: SavedViewList },
    }),
    async (req) => ({
      data: await service.listViews(app.db, requestContext(req)),
    }),
  )

  app.post(
    '/case-views',
    caseRoute(
      'cases.read',
      { summary: 'Save a view (GET /cases filters and a sort)', body: CreateViewBody, response: { 201: SavedViewT } },
      { name: 'Urgent Royal Mail', filters: { carrier: 'royal_mail', priority: 'urgent' } },
    ),
    async (req, reply) => {
      const view = await inTransaction(app.db, req, (trx, ctx, now) => service.createView(trx, ctx, req.body, now))
      return reply.status(201).send(view)
    },
  )

  app.patch(
    '/case-views/:id',
    caseRoute(
      'cases.read',
      {
        summary: "Change a saved view (one's own; shared ones with cases.configure)",
        params: IdParams,
        body: PatchViewBody,
        response: { 200: SavedViewT },
      },
      { name: 'Renamed' },
    ),
    async (req) =>
      inTransaction(app.db, req, (trx, ctx, now) => service.updateView(trx, ctx, req.params.id, req.body, now)),
  )

  app.delete(
    '/case-views/:id',
    caseRoute('cases.read', { summary: 'Delete a saved view', params: IdParams, response: { 204: NoContent } }),
    async (req, reply) => {
      await inTransaction(app.db, req, (trx, ctx, now) => service.deleteView(trx, ctx, req.params.id, now))
      return reply.status(204).send(null)
    },
  )
}
