import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { auditActor } from '../auth/actor.js'
import { listPage } from '../http/pagination.js'
import { Page, PageQuery, Timestamp, Uuid } from '../http/schemas.js'
import * as service from './service.js'

const TeamView = Type.Object({
  id: Uuid,
  name: Type.String(),
  description: Type.String(),
  lead_user_id: Type.Union([Uuid, Type.Null()]),
  member_ids: Type.Array(Uuid),
  created_at: Timestamp,
  updated_at: Timestamp,
})
const Params = Type.Object({ id: Uuid })
const fields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  description: Type.String({ maxLength: 2000 }),
  lead_user_id: Type.Union([Uuid, Type.Null()]),
  member_ids: Type.Array(Uuid, { maxItems: 1000, uniqueItems: true }),
}

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
      schema: { tags: ['teams'], summary: 'One team', params: Params, response: { 200: TeamView } },
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
        body: Type.Object(
          {
            name: fields.name,
            description: Type.Optional(fields.description),
            lead_user_id: Type.Optional(fields.lead_user_id),
            member_ids: Type.Optional(fields.member_ids),
          },
          { additionalProperties: false },
        ),
        response: { 201: TeamView },
      },
    },
    async (req, reply) => {
      const team = await app.db.transaction().execute((trx) =>
        service.createTeam(
          trx,
          req.actor.merchantId,
          auditActor(req.actor),
          {
            name: req.body.name,
            description: req.body.description,
            leadUserId: req.body.lead_user_id,
            memberIds: req.body.member_ids,
            requestId: req.id,
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
        params: Params,
        body: Type.Object(
          {
            name: Type.Optional(fields.name),
            description: Type.Optional(fields.description),
            lead_user_id: Type.Optional(fields.lead_user_id),
            member_ids: Type.Optional(fields.member_ids),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: TeamView },
      },
    },
    async (req) =>
      app.db.transaction().execute((trx) =>
        service.updateTeam(
          trx,
          req.actor,
          req.params.id,
          {
            name: req.body.name,
            description: req.body.description,
            leadUserId: req.body.lead_user_id,
            memberIds: req.body.member_ids,
            requestId: req.id,
          },
          new Date(),
        ),
      ),
  )

  app.delete(
    '/teams/:id',
    {
      config: { permission: 'teams.manage' },
      schema: { tags: ['teams'], summary: 'Delete a team', params: Params, response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      await app.db.transaction().execute((trx) => service.deleteTeam(trx, req.actor, req.params.id, new Date(), req.id))
      return reply.status(204).send(null)
    },
  )
}
