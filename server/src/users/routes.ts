import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { inTransaction } from '../auth/actor.js'
import { SESSION_COOKIE, sessionCookieOptions } from '../auth/hook.js'
import { SessionView } from '../auth/schemas.js'
import { camelKeys, routeOptions, workspacePage } from '../http/route.js'
import { Page } from '../http/schemas.js'
import {
  ChangePasswordBody,
  CreateUserBody,
  LoginBody,
  UpdateUserBody,
  UserListQuery,
  UserParams,
  UserView,
} from './schemas.js'
import * as service from './service.js'
import * as signIn from './sign-in.js'

const authRoute = routeOptions('auth')
const personRoute = routeOptions('people')

export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ttl = app.ctx.config.sessionTtlHours
  const cookieOptions = sessionCookieOptions(app.ctx.config)

  app.post(
    '/auth/login',
    authRoute('public', {
      summary: 'Sign in; sets an HttpOnly session cookie',
      body: LoginBody,
      response: { 200: SessionView },
    }),
    async (req, reply) => {
      const now = new Date()
      const result = await signIn.login(
        app.db,
        { ...req.body, ip: req.ip, userAgent: req.headers['user-agent'] },
        now,
        ttl,
      )
      void reply.setCookie(SESSION_COOKIE, result.token, { ...cookieOptions, expires: result.expiresAt })
      const actor = await signIn.resolveSession(app.db, result.token, now, ttl)
      return {
        user_id: result.userId,
        merchant_id: result.merchantId,
        actor_type: 'user',
        name: actor!.name,
        role_id: actor!.roleId,
        permissions: [...actor!.grants.keys()].sort(),
        csrf_token: result.csrfToken,
        expires_at: result.expiresAt.toISOString(),
      }
    },
  )

  app.post(
    '/auth/password',
    authRoute('authenticated', {
      summary: 'Change my password; ends my other sessions',
      body: ChangePasswordBody,
      response: { 204: Type.Null() },
    }),
    async (req, reply) => {
      const input = { current: req.body.current_password, next: req.body.new_password }
      await inTransaction(app.db, req, (trx, ctx, now) => signIn.changePassword(trx, ctx, input, now))
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/users',
    personRoute('users.read', {
      summary: 'List people in this workspace',
      querystring: UserListQuery,
      response: { 200: Page(UserView) },
    }),
    async (req) => workspacePage(app.db, req, service.listUsers),
  )

  app.get(
    '/users/:id',
    personRoute('users.read', { summary: 'One person', params: UserParams, response: { 200: UserView } }),
    async (req) => service.getUser(app.db, req.actor.merchantId, req.params.id),
  )

  app.post(
    '/users',
    personRoute('users.manage', {
      summary: 'Add a person with a role and an initial password',
      body: CreateUserBody,
      response: { 201: UserView },
    }),
    async (req, reply) => {
      const user = await inTransaction(app.db, req, (trx, ctx, now) =>
        service.createUser(trx, ctx, camelKeys(req.body), now),
      )
      return reply.status(201).send(user)
    },
  )

  app.patch(
    '/users/:id',
    personRoute('users.manage', {
      summary: 'Rename, change role, disable or re-enable a person (disabling ends their sessions)',
      params: UserParams,
      body: UpdateUserBody,
      response: { 200: UserView },
    }),
    async (req) =>
      inTransaction(app.db, req, (trx, ctx, now) =>
        service.updateUser(trx, ctx, req.params.id, camelKeys(req.body), now),
      ),
  )
}
