import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requestContext, requirePermission, type Actor } from '../../auth/actor.js'
import * as service from '../service.js'
import { toCase } from '../types.js'
import { BulkBody, BulkResultView } from '../schemas/bulk.js'
import { caseRoute } from './request.js'

/** Assigning to anyone but oneself, or moving a case between teams, needs cases.assign. */
export function checkAssignPermission(actor: Actor, action: service.BulkAction) {
  if (action.type === 'assign' && (action.assignee_id !== actor.id || action.team_id !== undefined))
    requirePermission(actor, 'cases.assign')
}

export const bulkView = (r: Awaited<ReturnType<typeof service.bulkUpdate>>) => ({
  ...r,
  results: r.results.map((i) => (i.ok ? { id: i.id, ok: true, case: toCase(i.case) } : i)),
})

/** One action on many cases at once. */
export const bulkRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/cases/bulk',
    caseRoute(
      'cases.write',
      {
        summary: 'One action on up to 500 cases, each in its own transaction, with a result per case',
        body: BulkBody,
        response: { 200: BulkResultView },
      },
      { case_ids: ['00000000-0000-7000-8000-000000000000'], action: { type: 'tags', add: ['vip'] } },
    ),
    async (req) => {
      checkAssignPermission(req.actor, req.body.action)
      return bulkView(
        await service.bulkUpdate(app.db, requestContext(req), req.body.case_ids, req.body.action, new Date()),
      )
    },
  )
}
