import { inTransaction } from '../../auth/actor.js'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { listPage } from '../../http/pagination.js'
import * as service from '../service.js'
import { IdParams } from '../schemas/common.js'
import { DecisionBody, ReviewPage, ReviewsQuery, ReviewView } from '../schemas/reviews.js'
import { caseRoute } from './request.js'

/** The review list: carrier signals the exception policy would not act on alone. */
export const reviewRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/case-reviews',
    caseRoute('cases.read', {
      summary: 'Carrier signals the policy would not act on alone (low confidence), for a person to decide',
      querystring: ReviewsQuery,
      response: { 200: ReviewPage },
    }),
    async (req) =>
      listPage(req.query, (p) =>
        service.listReviews(app.db, req.actor.merchantId, { state: req.query.state ?? 'pending', ...p }),
      ),
  )

  app.post(
    '/case-reviews/:id/decision',
    caseRoute('cases.write', {
      summary: 'Open a case from a reviewed signal, or dismiss it',
      params: IdParams,
      body: DecisionBody,
      response: { 200: ReviewView },
    }),
    async (req) => {
      const decision = { open: req.body.decision === 'open', caseType: req.body.case_type }
      return inTransaction(app.db, req, (trx, ctx, now) => service.decideReview(trx, ctx, req.params.id, decision, now))
    },
  )
}
