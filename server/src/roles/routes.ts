import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { requestContext } from '../auth/actor.js'
import { permissions } from '../auth/permissions.js'
import { listApiKeys } from '../auth/service.js'
import { listPage } from '../http/pagination.js'
import { Page, PageQuery } from '../http/schemas.js'
import * as apiKeys from './api-keys.js'
import {
  ApiKeyCreated,
  ApiKeyView,
  CreateApiKeyBody,
  CreateRoleBody,
  IdParams,
  PermissionCatalogue,
  RoleList,
  RoleView,
  UpdateRoleBody,
} from './schemas.js'
import * as service from './service.js'

export const roleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/permissions',
    {
      config: { permission: 'roles.read' },
      schema: {
        tags: ['roles'],
        summary: 'The permission catalogue',
        response: { 200: PermissionCatalogue },
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
        response: { 200: RoleList },
      },
    },
    async (req) => ({ data: await service.listRoles(app.db, req.actor.merchantId) }),
  )

  app.get(
    '/roles/:id',
    {
      config: { permission: 'roles.read' },
      schema: { tags: ['roles'], summary: 'One role', params: IdParams, response: { 200: RoleView } },
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
        body: CreateRoleBody,
        response: { 201: RoleView },
      },
    },
    async (req, reply) => {
      const role = await app.db
        .transaction()
        .execute((trx) => service.createRole(trx, requestContext(req), req.body, new Date()))
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
        params: IdParams,
        body: UpdateRoleBody,
        response: { 200: RoleView },
      },
    },
    async (req) =>
      app.db
        .transaction()
        .execute((trx) => service.updateRole(trx, requestContext(req), req.params.id, req.body, new Date())),
  )

  app.delete(
    '/roles/:id',
    {
      config: { permission: 'roles.manage' },
      schema: {
        tags: ['roles'],
        summary: 'Delete a custom role nobody holds',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await app.db
        .transaction()
        .execute((trx) => service.deleteRole(trx, requestContext(req), req.params.id, new Date()))
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/api-keys',
    {
      config: { permission: 'api_keys.manage' },
      schema: {
        tags: ['api keys'],
        summary: 'List API keys (never their secrets)',
        querystring: PageQuery,
        response: { 200: Page(ApiKeyView) },
      },
    },
    async (req) => listPage(req.query, (page) => listApiKeys(app.db, req.actor.merchantId, page)),
  )

  app.post(
    '/api-keys',
    {
      config: { permission: 'api_keys.manage' },
      schema: {
        tags: ['api keys'],
        summary: 'Create an API key; the key is shown in this response only',
        body: CreateApiKeyBody,
        response: { 201: ApiKeyCreated },
      },
    },
    async (req, reply) => {
      const expiresAt = req.body.expires_at ? new Date(req.body.expires_at) : null
      const { key, view } = await app.db
        .transaction()
        .execute((trx) =>
          apiKeys.createApiKey(
            trx,
            requestContext(req),
            { name: req.body.name, roleId: req.body.role_id, expiresAt },
            new Date(),
          ),
        )
      return reply.status(201).send({ key, api_key: view })
    },
  )

  app.delete(
    '/api-keys/:id',
    {
      config: { permission: 'api_keys.manage' },
      schema: { tags: ['api keys'], summary: 'Revoke an API key', params: IdParams, response: { 200: ApiKeyView } },
    },
    async (req) =>
      app.db.transaction().execute((trx) => apiKeys.revokeApiKey(trx, requestContext(req), req.params.id, new Date())),
  )
}
