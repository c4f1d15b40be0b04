import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import * as service from '../service.js'
import { IdParams } from '../schemas/common.js'
import { TimelineEntryPage, TimelineQuery } from '../schemas/timeline.js'
import { caseRoute, list } from './request.js'

/** A case's timeline. */
export const timelineRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/cases/:id/timeline',
    caseRoute('cases.read', {
      summary: "The case's timeline (with merged cases' entries), in event-time order",
      params: IdParams,
      querystring: TimelineQuery,
      response: { 200: TimelineEntryPage },
    }),
    async (req) => {
      const after = service.decodeTimelineCursor(req.query.cursor)
      return service.listCaseTimeline(app.db, req.actor.merchantId, req.params.id, {
        types: list(req.query.type),
        after,
        limit: req.query.limit ?? 50,
        desc: req.query.order === 'desc',
      })
    },
  )
}
