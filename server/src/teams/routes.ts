import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { type Static, Type } from 'typebox'
import { inTransaction } from '../auth/actor.js'
import { listPage } from '../http/pagination.js'
import { routeOptions } from '../http/route.js'
import { Page, PageQuery } from '../http/schemas.js'
import { CreateTeamBody, TeamParams, TeamView, UpdateTeamBody } from './schemas.js'
import * as service from './service.js'

const teamRoute = routeOptions('teams')

/** A team's body as the service takes it (the fields an update leaves out stay undefined). */
const teamInput = <B extends Static<typeof UpdateTeamBody>>(b: B): Partial<service.TeamInput> & Pick<B, 'name'> => ({
  name: b.name,
  description: b.description,
  leadUserId: b.lead_user_id,
  memberIds: b.member_ids,
})

export const teamRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/teams',
    teamRoute('teams.read', {
      summary: 'List teams with their members',
      querystring: PageQuery,
      response: { 200: Page(TeamView) },
    }),
    async (req) => listPage(req.query, (page) => service.listTeams(app.db, req.actor.merchantId, page)),
  )

  app.get(
    '/teams/:id',
    teamRoute('teams.read', { summary: 'One team', params: TeamParams, response: { 200: TeamView } }),
    async (req) => service.getTeam(app.db, req.actor.merchantId, req.params.id),
  )

  app.post(
    '/teams',
    teamRoute('teams.manage', { summary: 'Create a team', body: CreateTeamBody, response: { 201: TeamView } }),
    async (req, reply) => {
      const team = await inTransaction(app.db, req, (trx, ctx, now) =>
        service.createTeam(trx, ctx, teamInput(req.body), now),
      )
      return reply.status(201).send(team)
    },
  )

  app.patch(
    '/teams/:id',
    teamRoute('teams.manage', {
      summary: 'Rename a team, set its lead or replace its members',
      params: TeamParams,
      body: UpdateTeamBody,
      response: { 200: TeamView },
    }),
    async (req) =>
      inTransaction(app.db, req, (trx, ctx, now) =>
        service.updateTeam(trx, ctx, req.params.id, teamInput(req.body), now),
      ),
  )

  app.delete(
    '/teams/:id',
    teamRoute('teams.manage', { summary: 'Delete a team', params: TeamParams, response: { 204: Type.Null() } }),
    async (req, reply) => {
      await inTransaction(app.db, req, (trx, ctx, now) => service.deleteTeam(trx, ctx, req.params.id, now))
      return reply.status(204).send(null)
    },
  )
}
