import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requirePermission, inTransaction } from '../../auth/actor.js'
import * as service from '../service.js'
import { getUser } from '../../users/service.js'
import {
  AgentBody,
  AgentList,
  AgentParams,
  AgentReply,
  AutoAssignBody,
  AutoAssignReply,
} from '../schemas/assignment.js'
import { IdParams } from '../schemas/common.js'
import { caseDetail, caseRoute } from './request.js'

/** Assignment: round-robin or least-loaded within a team, or by the routing settings; people's capacity. */
export const assignmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/cases/:id/auto-assign',
    caseRoute(
      'cases.assign',
      {
        summary:
          "Assign by a team's strategy (round-robin, least-loaded), or by the first routing rule that matches the case",
        params: IdParams,
        body: AutoAssignBody,
        response: { 200: AutoAssignReply },
      },
      {},
    ),
    async (req) => {
      const input = { teamId: req.body.team_id, strategy: req.body.strategy }
      const r = await inTransaction(app.db, req, (trx, ctx, now) =>
        service.autoAssignCase(trx, ctx, req.params.id, input, now),
      )
      return { case: await caseDetail(app.db, req, r.case.id), rule: r.rule, assigned: r.assigned }
    },
  )

  app.get(
    '/teams/:id/agents',
    caseRoute('cases.read', {
      summary: "A team's people with their open cases, capacity and presence, in round-robin order",
      params: IdParams,
      response: { 200: AgentList },
    }),
    async (req) => ({ data: await service.teamAgents(app.db, req.actor.merchantId, req.params.id, new Date()) }),
  )

  app.put(
    '/case-agents/:userId',
    caseRoute(
      'cases.write',
      {
        summary: "A person's case capacity and presence (oneself with cases.write; others with cases.assign)",
        params: AgentParams,
        body: AgentBody,
        response: { 200: AgentReply },
      },
      { away: true },
    ),
    async (req) => {
      // A person of another workspace is not found, whatever the caller may do.
      await getUser(app.db, req.actor.merchantId, req.params.userId)
      if (req.params.userId !== req.actor.id) requirePermission(req.actor, 'cases.assign')
      const b = req.body
      const input = {
        capacity: b.capacity,
        away: b.away,
        awayUntil: b.away_until === undefined ? undefined : b.away_until ? new Date(b.away_until) : null,
      }
      const a = await inTransaction(app.db, req, (trx, ctx, now) =>
        service.updateAgent(trx, ctx, req.params.userId, input, now),
      )
      return { user_id: a.user_id, capacity: a.capacity, away: a.away, away_until: a.away_until }
    },
  )
}
