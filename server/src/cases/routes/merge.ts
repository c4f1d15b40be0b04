import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import * as service from '../service.js'
import { MergeBody } from '../schemas/work.js'
import { caseAction, changeCase } from './request.js'

/** Merging duplicates into one surviving case. */
export const mergeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/cases/:id/merge',
    caseAction(
      'Merge duplicates into this case: they close as duplicate and point here; links, followers and timelines come along',
      MergeBody,
    ),
    async (req) =>
      changeCase(app.db, req, (trx, ctx, now) =>
        service.mergeCases(trx, ctx, req.params.id, req.body.duplicate_ids, now),
      ),
  )
}
