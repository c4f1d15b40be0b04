import { inTransaction } from '../../auth/actor.js'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import * as service from '../service.js'
import { CaseDetailView } from '../schemas/cases.js'
import { IdParams } from '../schemas/common.js'
import { MergeBody } from '../schemas/work.js'
import { caseRoute } from './request.js'

/** Merging duplicates into one surviving case. */
export const mergeRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const detail = (merchantId: string, id: string) => service.getCase(app.db, merchantId, id)

  app.post(
    '/cases/:id/merge',
    caseRoute('cases.write', {
      summary:
        'Merge duplicates into this case: they close as duplicate and point here; links, followers and timelines come along',
      params: IdParams,
      body: MergeBody,
      response: { 200: CaseDetailView },
    }),
    async (req) => {
      await inTransaction(app.db, req, (trx, ctx, now) =>
        service.mergeCases(trx, ctx, req.params.id, req.body.duplicate_ids, now),
      )
      return detail(req.actor.merchantId, req.params.id)
    },
  )
}
