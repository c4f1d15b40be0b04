import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requestContext, requirePermission } from '../../auth/actor.js'
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

/** Assignment: round-robin or least-loaded within a team, or by the routing settings; people's capacity. */
export const assignmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const detail = (merchantId: string, id: string) => service.getCase(app.db, merchantId, id)

  app.post(
    '/cases/:id/auto-assign',
    {
      config: { permission: 'cases.assign', example: {} },
      schema: {
        tags: ['cases'],
        summary:
          "Assign by a team's strategy (round-robin, least-loaded), or by the first routing rule that matches the case",
        params: IdParams,
        body: AutoAssignBody,
        response: { 200: AutoAssignReply },
      },
    },
    async (req) => {
      const r = await app.db
        .transaction()
        .execute((trx) =>
          service.autoAssignCase(
            trx,
            requestContext(req),
            req.params.id,
            { teamId: req.body.team_id, strategy: req.body.strategy },
            new Date(),
          ),
        )
      return { case: await detail(req.actor.merchantId, r.case.id), rule: r.rule, assigned: r.assigned }
    },
  )

  app.get(
    '/teams/:id/agents',
    {
      config: { permission: 'cases.read' },
      schema: {
        tags: ['cases'],
        summary: "A team's people with their open cases, capacity and presence, in round-robin order",
        params: IdParams,
        response: { 200: AgentList },
      },
    },
    async (req) => ({ data: await service.teamAgents(app.db, req.actor.merchantId, req.params.id, new Date()) }),
  )

  app.put(
    '/case-agents/:userId',
    {
      config: { permission: 'cases.write', example: { away: true } },
      schema: {
        tags: ['cases'],
        summary: "A person's case capacity and presence (oneself with cases.write; others with cases.assign)",
        params: AgentParams,
        body: AgentBody,
        response: { 200: AgentReply },
      },
    },
    async (req) => {
      // A person of another workspace is not found, whatever the caller may do.
      await getUser(app.db, req.actor.merchantId, req.params.userId)
      if (req.params.userId !== req.actor.id) requirePermission(req.actor, 'cases.assign')
      const b = req.body
      const a = await app.db.transaction().execute((trx) =>
        service.updateAgent(
          trx,
          requestContext(req),
          req.params.userId,
          {
            capacity: b.capacity,
            away: b.away,
            awayUntil: b.away_until === undefined ? undefined : b.away_until ? new Date(b.away_until) : null,
          },
          new Date(),
        ),
      )
      return { user_id: a.user_id, capacity: a.capacity, away: a.away, away_until: a.away_until }
    },
  )
}
