import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requestContext } from '../../auth/actor.js'
import * as service from '../service.js'
import { BulkResultView, FanOutBody } from '../schemas/bulk.js'
import { CaseDetailView } from '../schemas/cases.js'
import { IdParams } from '../schemas/common.js'
import { ChildParams, ChildrenBody } from '../schemas/work.js'
import { bulkView, checkAssignPermission } from './bulk.js'
import { caseAction, caseRoute, changeCase } from './request.js'

/** Incidents: a parent case groups many (one carrier outage), and its actions fan out. */
export const incidentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/cases/:id/children',
    caseAction('Group cases under this incident (one level deep)', ChildrenBody),
    async (req) =>
      changeCase(app.db, req, (trx, ctx, now) =>
        service.attachToIncident(trx, ctx, req.params.id, req.body.case_ids, now),
      ),
  )

  app.delete(
    '/cases/:id/children/:childId',
    caseRoute('cases.write', {
      summary: 'Take a case out of this incident',
      params: ChildParams,
      response: { 200: CaseDetailView },
    }),
    async (req) =>
      changeCase(app.db, req, (trx, ctx, now) =>
        service.detachFromIncident(trx, ctx, req.params.id, req.params.childId, now),
      ),
  )

  app.post(
    '/cases/:id/children/actions',
    caseRoute(
      'cases.write',
      {
        summary:
          "Fan an action out to the incident's children still being worked (all of them, to reopen), with a result per case",
        params: IdParams,
        body: FanOutBody,
        response: { 200: BulkResultView },
      },
      { action: { type: 'note', body: 'The carrier confirmed the outage is over' } },
    ),
    async (req) => {
      checkAssignPermission(req.actor, req.body.action)
      return bulkView(
        await service.fanOutToChildren(app.db, requestContext(req), req.params.id, req.body.action, new Date()),
      )
    },
  )
}
