import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requestContext } from '../../auth/actor.js'
import * as service from '../service.js'
import { BulkResultView, FanOutBody } from '../schemas/bulk.js'
import { CaseDetailView } from '../schemas/cases.js'
import { IdParams } from '../schemas/common.js'
import { ChildParams, ChildrenBody } from '../schemas/work.js'
import { bulkView, checkAssignPermission } from './bulk.js'

/** Incidents: a parent case groups many (one carrier outage), and its actions fan out. */
export const incidentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const detail = (merchantId: string, id: string) => service.getCase(app.db, merchantId, id)

  app.post(
    '/cases/:id/children',
    {
      config: { permission: 'cases.write' },
      schema: {
        tags: ['cases'],
        summary: 'Group cases under this incident (one level deep)',
        params: IdParams,
        body: ChildrenBody,
        response: { 200: CaseDetailView },
      },
    },
    async (req) => {
      await app.db
        .transaction()
        .execute((trx) =>
          service.attachToIncident(trx, requestContext(req), req.params.id, req.body.case_ids, new Date()),
        )
      return detail(req.actor.merchantId, req.params.id)
    },
  )

  app.delete(
    '/cases/:id/children/:childId',
    {
      config: { permission: 'cases.write' },
      schema: {
        tags: ['cases'],
        summary: 'Take a case out of this incident',
        params: ChildParams,
        response: { 200: CaseDetailView },
      },
    },
    async (req) => {
      await app.db
        .transaction()
        .execute((trx) =>
          service.detachFromIncident(trx, requestContext(req), req.params.id, req.params.childId, new Date()),
        )
      return detail(req.actor.merchantId, req.params.id)
    },
  )

  app.post(
    '/cases/:id/children/actions',
    {
      config: {
        permission: 'cases.write',
        example: { action: { type: 'note', body: 'The carrier confirmed the outage is over' } },
      },
      schema: {
        tags: ['cases'],
        summary:
          "Fan an action out to the incident's children still being worked (all of them, to reopen), with a result per case",
        params: IdParams,
        body: FanOutBody,
        response: { 200: BulkResultView },
      },
    },
    async (req) => {
      checkAssignPermission(req.actor, req.body.action)
      return bulkView(
        await service.fanOutToChildren(app.db, requestContext(req), req.params.id, req.body.action, new Date()),
      )
    },
  )
}
