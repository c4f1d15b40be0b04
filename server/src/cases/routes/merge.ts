import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requestContext } from '../../auth/actor.js'
import * as service from '../service.js'
import { CaseDetailView } from '../schemas/cases.js'
import { IdParams } from '../schemas/common.js'
import { MergeBody } from '../schemas/work.js'

/** Merging duplicates into one surviving case. */
export const mergeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const detail = (merchantId: string, id: string) => service.getCase(app.db, merchantId, id)

  app.post(
    '/cases/:id/merge',
    {
      config: { permission: 'cases.write' },
      schema: {
        tags: ['cases'],
        summary:
          'Merge duplicates into this case: they close as duplicate and point here; links, followers and timelines come along',
        params: IdParams,
        body: MergeBody,
        response: { 200: CaseDetailView },
      },
    },
    async (req) => {
      await app.db
        .transaction()
        .execute((trx) =>
          service.mergeCases(trx, requestContext(req), req.params.id, req.body.duplicate_ids, new Date()),
        )
      return detail(req.actor.merchantId, req.params.id)
    },
  )
}
