import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { requestContext } from '../auth/actor.js'
import { listPage } from '../http/pagination.js'
import { Page, PageQuery } from '../http/schemas.js'
import { CreateTeamBody, TeamParams, TeamView, UpdateTeamBody } from './schemas.js'
import * as service from './service.js'

export const teamRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/teams',
    {
      config: { permission: 'teams.read' },
      schema: {
        tags: ['teams'],
        summary: 'List teams with their members',
        querystring: PageQuery,
        response: { 200: Page(TeamView) },
      },
    },
    async (req) => listPage(req.query, (page) => service.listTeams(app.db, req.actor.merchantId, page)),
  )

  app.get(
    '/teams/:id',
    {
      config: { permission: 'teams.read' },
      schema: { tags: ['teams'], summary: 'One team', params: TeamParams, response: { 200: TeamView } },
    },
    async (req) => service.getTeam(app.db, req.actor.merchantId, req.params.id),
  )

  app.post(
    '/teams',
    {
      config: { permission: 'teams.manage' },
      schema: {
        tags: ['teams'],
        summary: 'Create a team',
        body: CreateTeamBody,
        response: { 201: TeamView },
      },
    },
    async (req, reply) => {
      const team = await app.db.transaction().execute((trx) =>
        service.createTeam(
          trx,
          requestContext(req),
          {
            name: req.body.name,
            description: req.body.description,
            leadUserId: req.body.lead_user_id,
            memberIds: req.body.member_ids,
          },
          new Date(),
        ),
      )
      return reply.status(201).send(team)
    },
  )

  app.patch(
    '/teams/:id',
    {
      config: { permission: 'teams.manage' },
      schema: {
        tags: ['teams'],
        summary: 'Rename a team, set its lead or replace its members',
        params: TeamParams,
        body: UpdateTeamBody,
        response: { 200: TeamView },
      },
    },
    async (req) =>
      app.db.transaction().execute((trx) =>
        service.updateTeam(
          trx,
          requestContext(req),
          req.params.id,
          {
            name: req.body.name,
            description: req.body.description,
            leadUserId: req.body.lead_user_id,
            memberIds: req.body.member_ids,
          },
          new Date(),
        ),
      ),
  )

  app.delete(
    '/teams/:id',
    {
      config: { permission: 'teams.manage' },
      schema: { tags: ['teams'], summary: 'Delete a team', params: TeamParams, response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      await app.db
        .transaction()
        .execute((trx) => service.deleteTeam(trx, requestContext(req), req.params.id, new Date()))
      return reply.status(204).send(null)
    },
  )
}
