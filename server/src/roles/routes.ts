import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { permissions } from '../auth/permissions.js'
import { Timestamp, Uuid } from '../http/schemas.js'
import * as service from './service.js'

const Limit = Type.Object(
  {
    amount_minor: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    currency: Type.String({ pattern: '^[A-Z]{3}$' }),
  },
  { additionalProperties: false },
)
const PermissionGrant = Type.Object(
  {
    permission: Type.String({ minLength: 1, maxLength: 100 }),
    limit: Type.Optional(
      Type.Union([Limit, Type.Null()], {
        description: 'An amount bound, e.g. approve refunds up to 20000 GBP minor units',
      }),
    ),
  },
  { additionalProperties: false },
)
const RoleView = Type.Object({
  id: Uuid,
  builtin_key: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  description: Type.String(),
  permissions: Type.Array(
    Type.Object({ permission: Type.String(), limit: Type.Optional(Type.Union([Limit, Type.Null()])) }),
  ),
  created_at: Timestamp,
  updated_at: Timestamp,
})
const Params = Type.Object({ id: Uuid })
const Name = Type.String({ minLength: 1, maxLength: 100 })
const Description = Type.String({ maxLength: 2000 })

export const roleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/permissions',
    {
      config: { permission: 'roles.read' },
      schema: {
        tags: ['roles'],
        summary: 'The permission catalogue',
        response: {
          200: Type.Object({
            data: Type.Array(Type.Object({ permission: Type.String(), description: Type.String() })),
          }),
        },
      },
    },
    async () => ({
      data: Object.entries(permissions).map(([permission, description]) => ({ permission, description })),
    }),
  )

  app.get(
    '/roles',
    {
      config: { permission: 'roles.read' },
      schema: {
        tags: ['roles'],
        summary: 'List roles: the five built-in ones and custom roles',
        response: { 200: Type.Object({ data: Type.Array(RoleView) }) },
      },
    },
    async (req) => ({ data: await service.listRoles(app.db, req.actor.merchantId) }),
  )

  app.get(
    '/roles/:id',
    {
      config: { permission: 'roles.read' },
      schema: { tags: ['roles'], summary: 'One role', params: Params, response: { 200: RoleView } },
    },
    async (req) => service.getRole(app.db, req.actor.merchantId, req.params.id),
  )

  app.post(
    '/roles',
    {
      config: { permission: 'roles.manage' },
      schema: {
        tags: ['roles'],
        summary: 'Create a custom role',
        body: Type.Object(
          {
            name: Name,
            description: Type.Optional(Description),
            permissions: Type.Array(PermissionGrant, { maxItems: 100 }),
          },
          { additionalProperties: false },
        ),
        response: { 201: RoleView },
      },
    },
    async (req, reply) => {
      const role = await app.db
        .transaction()
        .execute((trx) => service.createRole(trx, req.actor, { ...req.body, requestId: req.id }, new Date()))
      return reply.status(201).send(role)
    },
  )

  app.patch(
    '/roles/:id',
    {
      config: { permission: 'roles.manage' },
      schema: {
        tags: ['roles'],
        summary: "Rename a role or replace a custom role's permissions",
        params: Params,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            description: Type.Optional(Description),
            permissions: Type.Optional(Type.Array(PermissionGrant, { maxItems: 100 })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: RoleView },
      },
    },
    async (req) =>
      app.db
        .transaction()
        .execute((trx) =>
          service.updateRole(trx, req.actor, req.params.id, { ...req.body, requestId: req.id }, new Date()),
        ),
  )

  app.delete(
    '/roles/:id',
    {
      config: { permission: 'roles.manage' },
      schema: {
        tags: ['roles'],
        summary: 'Delete a custom role nobody holds',
        params: Params,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await app.db.transaction().execute((trx) => service.deleteRole(trx, req.actor, req.params.id, new Date(), req.id))
      return reply.status(204).send(null)
    },
  )
}
