import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { passwordRules } from '../auth/passwords.js'
import { allPermissions } from '../auth/permissions.js'
import { listPage } from '../http/pagination.js'
import { NullableTimestamp, Page, PageQueryWith, Timestamp, Uuid } from '../http/schemas.js'
import * as service from './service.js'

export const UserView = Type.Object({
  id: Uuid,
  email: Type.String(),
  name: Type.String(),
  role_id: Uuid,
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  created_at: Timestamp,
  updated_at: Timestamp,
  last_login_at: NullableTimestamp,
})
const Params = Type.Object({ id: Uuid })

export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/users',
    {
      config: { permission: 'users.read' },
      schema: {
        tags: ['people'],
        summary: 'List people in this workspace',
        querystring: PageQueryWith({
          status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
          permission: Type.Optional(
            Type.Union(
              allPermissions.map((p) => Type.Literal(p)),
              { description: 'Only people whose role holds it, e.g. cases.write: who can be assigned cases' },
            ),
          ),
        }),
        response: { 200: Page(UserView) },
      },
    },
    async (req) =>
      listPage(req.query, (page) =>
        service.listUsers(app.db, req.actor.merchantId, {
          ...page,
          status: req.query.status,
          permission: req.query.permission,
        }),
      ),
  )

  app.get(
    '/users/:id',
    {
      config: { permission: 'users.read' },
      schema: { tags: ['people'], summary: 'One person', params: Params, response: { 200: UserView } },
    },
    async (req) => service.getUser(app.db, req.actor.merchantId, req.params.id),
  )

  app.post(
    '/users',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['people'],
        summary: 'Add a person with a role and an initial password',
        body: Type.Object(
          {
            email: Type.String({ minLength: 3, maxLength: 320, pattern: '^[^@\\s]+@[^@\\s]+$' }),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            password: Type.String({ minLength: passwordRules.minLength, maxLength: passwordRules.maxLength }),
            role_id: Uuid,
          },
          { additionalProperties: false },
        ),
        response: { 201: UserView },
      },
    },
    async (req, reply) => {
      const user = await app.db.transaction().execute((trx) =>
        service.createUser(
          trx,
          req.actor.merchantId,
          req.actor,
          {
            email: req.body.email,
            name: req.body.name,
            password: req.body.password,
            roleId: req.body.role_id,
            requestId: req.id,
          },
          new Date(),
        ),
      )
      return reply.status(201).send(user)
    },
  )

  app.patch(
    '/users/:id',
    {
      config: { permission: 'users.manage' },
      schema: {
        tags: ['people'],
        summary: 'Rename, change role, disable or re-enable a person (disabling ends their sessions)',
        params: Params,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            role_id: Type.Optional(Uuid),
            status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: UserView },
      },
    },
    async (req) =>
      app.db
        .transaction()
        .execute((trx) =>
          service.updateUser(
            trx,
            req.actor,
            req.params.id,
            { name: req.body.name, roleId: req.body.role_id, status: req.body.status, requestId: req.id },
            new Date(),
          ),
        ),
  )
}
