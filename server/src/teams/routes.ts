import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { inTransaction } from '../auth/actor.js'
import { camelKeys, routeOptions, workspacePage } from '../http/route.js'
import { Page, PageQuery } from '../http/schemas.js'
import { CreateTeamBody, TeamParams, TeamView, UpdateTeamBody } from './schemas.js'
import * as service from './service.js'

const teamRoute = routeOptions('teams')

export const teamRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/teams',
    teamRoute('teams.read', {
      summary: 'List teams with their members',
      querystring: PageQuery,
      response: { 200: Page(TeamView) },
    }),
    async (req) => workspacePage(app.db, req, service.listTeams),
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
        service.createTeam(trx, ctx, camelKeys(req.body), now),
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
        service.updateTeam(trx, ctx, req.params.id, camelKeys(req.body), now),
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
