import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import * as service from '../service.js'
import { CaseStatsQuery, CaseStatsView } from '../schemas/cases.js'
import { caseRoute } from './request.js'

/** The operations dashboard's case figures. */
export const statsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/cases/stats',
    caseRoute('cases.read', {
      summary:
        'Operations figures: open cases by type and age bucket, new cases per day (workspace time zone) by carrier',
      querystring: CaseStatsQuery,
      response: { 200: CaseStatsView },
    }),
    async (req) => service.caseStats(app.db, req.actor.merchantId, req.query.days ?? 30, new Date()),
  )
}
