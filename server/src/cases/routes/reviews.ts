import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requestContext } from '../../auth/actor.js'
import { listPage } from '../../http/pagination.js'
import * as service from '../service.js'
import { IdParams } from '../schemas/common.js'
import { DecisionBody, ReviewPage, ReviewsQuery, ReviewView } from '../schemas/reviews.js'

/** The review list: carrier signals the exception policy would not act on alone. */
export const reviewRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/case-reviews',
    {
      config: { permission: 'cases.read' },
      schema: {
        tags: ['cases'],
        summary: 'Carrier signals the policy would not act on alone (low confidence), for a person to decide',
        querystring: ReviewsQuery,
        response: { 200: ReviewPage },
      },
    },
    async (req) =>
      listPage(req.query, (p) =>
        service.listReviews(app.db, req.actor.merchantId, { state: req.query.state ?? 'pending', ...p }),
      ),
  )

  app.post(
    '/case-reviews/:id/decision',
    {
      config: { permission: 'cases.write' },
      schema: {
        tags: ['cases'],
        summary: 'Open a case from a reviewed signal, or dismiss it',
        params: IdParams,
        body: DecisionBody,
        response: { 200: ReviewView },
      },
    },
    async (req) =>
      app.db
        .transaction()
        .execute((trx) =>
          service.decideReview(
            trx,
            requestContext(req),
            req.params.id,
            { open: req.body.decision === 'open', caseType: req.body.case_type },
            new Date(),
          ),
        ),
  )
}
