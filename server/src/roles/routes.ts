import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { inTransaction } from '../auth/actor.js'
import { permissions } from '../auth/permissions.js'
import { listApiKeys } from '../auth/service.js'
import { routeOptions, workspacePage } from '../http/route.js'
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

const roleRoute = routeOptions('roles')
const apiKeyRoute = routeOptions('api keys')

export const roleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/permissions',
    roleRoute('roles.read', { summary: 'The permission catalogue', response: { 200: PermissionCatalogue } }),
    async () => ({
      data: Object.entries(permissions).map(([permission, description]) => ({ permission, description })),
    }),
  )

  app.get(
    '/roles',
    roleRoute('roles.read', {
      summary: 'List roles: the five built-in ones and custom roles',
      response: { 200: RoleList },
    }),
    async (req) => ({ data: await service.listRoles(app.db, req.actor.merchantId) }),
  )

  app.get(
    '/roles/:id',
    roleRoute('roles.read', { summary: 'One role', params: IdParams, response: { 200: RoleView } }),
    async (req) => service.getRole(app.db, req.actor.merchantId, req.params.id),
  )

  app.post(
    '/roles',
    roleRoute('roles.manage', { summary: 'Create a custom role', body: CreateRoleBody, response: { 201: RoleView } }),
    async (req, reply) => {
      const role = await inTransaction(app.db, req, (trx, ctx, now) => service.createRole(trx, ctx, req.body, now))
      return reply.status(201).send(role)
    },
  )

  app.patch(
    '/roles/:id',
    roleRoute('roles.manage', {
      summary: "Rename a role or replace a custom role's permissions",
      params: IdParams,
      body: UpdateRoleBody,
      response: { 200: RoleView },
    }),
    async (req) =>
      inTransaction(app.db, req, (trx, ctx, now) => service.updateRole(trx, ctx, req.params.id, req.body, now)),
  )

  app.delete(
    '/roles/:id',
    roleRoute('roles.manage', {
      summary: 'Delete a custom role nobody holds',
      params: IdParams,
      response: { 204: Type.Null() },
    }),
    async (req, reply) => {
      await inTransaction(app.db, req, (trx, ctx, now) => service.deleteRole(trx, ctx, req.params.id, now))
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/api-keys',
    apiKeyRoute('api_keys.manage', {
      summary: 'List API keys (never their secrets)',
      querystring: PageQuery,
      response: { 200: Page(ApiKeyView) },
    }),
    async (req) => workspacePage(app.db, req, listApiKeys),
  )

  app.post(
    '/api-keys',
    apiKeyRoute('api_keys.manage', {
      summary: 'Create an API key; the key is shown in this response only',
      body: CreateApiKeyBody,
      response: { 201: ApiKeyCreated },
    }),
    async (req, reply) => {
      const expiresAt = req.body.expires_at ? new Date(req.body.expires_at) : null
      const input = { name: req.body.name, roleId: req.body.role_id, expiresAt }
      const { key, view } = await inTransaction(app.db, req, (trx, ctx, now) =>
        apiKeys.createApiKey(trx, ctx, input, now),
      )
      return reply.status(201).send({ key, api_key: view })
    },
  )

  app.delete(
    '/api-keys/:id',
    apiKeyRoute('api_keys.manage', { summary: 'Revoke an API key', params: IdParams, response: { 200: ApiKeyView } }),
    async (req) => inTransaction(app.db, req, (trx, ctx, now) => apiKeys.revokeApiKey(trx, ctx, req.params.id, now)),
  )
}
