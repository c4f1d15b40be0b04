import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requestContext } from '../../auth/actor.js'
import * as service from '../service.js'
import { IdParams, NoContent } from '../schemas/common.js'
import { CreateViewBody, PatchViewBody, SavedViewList, SavedViewT } from '../schemas/views.js'

/** Saved inbox views: built-in, shared with the workspace, or a person's own. */
export const viewRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/case-views',
    {
      config: { permission: 'cases.read' },
      schema: {
        tags: ['cases'],
        summary: "Saved inbox views: the built-in ones, the shared ones and the caller's own",
        response: { 200: SavedViewList },
      },
    },
    async (req) => ({
      data: await service.listViews(app.db, requestContext(req)),
    }),
  )

  app.post(
    '/case-views',
    {
      config: {
        permission: 'cases.read',
        example: { name: 'Urgent Royal Mail', filters: { carrier: 'royal_mail', priority: 'urgent' } },
      },
      schema: {
        tags: ['cases'],
        summary: 'Save a view (GET /cases filters and a sort)',
        body: CreateViewBody,
        response: { 201: SavedViewT },
      },
    },
    async (req, reply) => {
      const view = await app.db
        .transaction()
        .execute((trx) => service.createView(trx, requestContext(req), req.body, new Date()))
      return reply.status(201).send(view)
    },
  )

  app.patch(
    '/case-views/:id',
    {
      config: { permission: 'cases.read', example: { name: 'Renamed' } },
      schema: {
        tags: ['cases'],
        summary: "Change a saved view (one's own; shared ones with cases.configure)",
        params: IdParams,
        body: PatchViewBody,
        response: { 200: SavedViewT },
      },
    },
    async (req) =>
      app.db
        .transaction()
        .execute((trx) => service.updateView(trx, requestContext(req), req.params.id, req.body, new Date())),
  )

  app.delete(
    '/case-views/:id',
    {
      config: { permission: 'cases.read' },
      schema: { tags: ['cases'], summary: 'Delete a saved view', params: IdParams, response: { 204: NoContent } },
    },
    async (req, reply) => {
      await app.db
        .transaction()
        .execute((trx) => service.deleteView(trx, requestContext(req), req.params.id, new Date()))
      return reply.status(204).send(null)
    },
  )
}
