import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { SESSION_COOKIE } from './hook.js'
import { listPage } from '../http/pagination.js'
import { NullableTimestamp, Page, PageQuery, Timestamp, Uuid } from '../http/schemas.js'
import { passwordRules } from './passwords.js'
import * as service from './service.js'

const Email = Type.String({ minLength: 3, maxLength: 320, pattern: '^[^@\\s]+@[^@\\s]+$' })
const LoginBody = Type.Object(
  {
    email: Email,
    password: Type.String({ minLength: 1, maxLength: passwordRules.maxLength }),
    workspace: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 63,
        description: 'Workspace slug, needed only when the email belongs to several',
      }),
    ),
  },
  { additionalProperties: false },
)
const SessionView = Type.Object({
  user_id: Type.Union([Uuid, Type.Null()]),
  merchant_id: Uuid,
  actor_type: Type.String(),
  name: Type.String(),
  role_id: Type.Union([Uuid, Type.Null()]),
  permissions: Type.Array(Type.String()),
  csrf_token: Type.Optional(
    Type.String({ description: 'Send as X-CSRF-Token on every mutating request made with the session cookie' }),
  ),
  expires_at: Type.Optional(Timestamp),
})
const ApiKeyView = Type.Object({
  id: Uuid,
  name: Type.String(),
  prefix: Type.String(),
  role_id: Uuid,
  created_by: Type.Union([Uuid, Type.Null()]),
  created_at: Timestamp,
  last_used_at: NullableTimestamp,
  expires_at: NullableTimestamp,
  revoked_at: NullableTimestamp,
})
const IdParams = Type.Object({ id: Uuid })

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ttl = app.ctx.config.sessionTtlHours
  // Secure only over https: browsers drop a Secure cookie that a plain-http site (the default) sets.
  const secure = app.ctx.config.publicUrl.startsWith('https:')
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax', secure } as const

  app.post(
    '/auth/login',
    {
      config: { access: 'public' },
      schema: {
        tags: ['auth'],
        summary: 'Sign in; sets an HttpOnly session cookie',
        body: LoginBody,
        response: { 200: SessionView },
      },
    },
    async (req, reply) => {
      const now = new Date()
      const result = await service.login(
        app.db,
        { ...req.body, ip: req.ip, userAgent: req.headers['user-agent'] },
        now,
        ttl,
      )
      void reply.setCookie(SESSION_COOKIE, result.token, { ...cookieOptions, expires: result.expiresAt })
      const actor = await service.resolveSession(app.db, result.token, now, ttl)
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
    '/auth/logout',
    {
      config: { access: 'authenticated' },
      schema: { tags: ['auth'], summary: 'End this session', response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      await app.db.transaction().execute((trx) => service.logout(trx, req.actor, new Date()))
      void reply.clearCookie(SESSION_COOKIE, cookieOptions)
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/auth/session',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: 'Who am I: the caller, its role and permissions',
        response: { 200: SessionView },
      },
    },
    async (req) => {
      const a = req.actor as service.SessionActor
      return {
        user_id: a.type === 'user' ? a.id : null,
        merchant_id: a.merchantId,
        actor_type: a.type,
        name: a.name,
        role_id: a.roleId,
        permissions: [...a.grants.keys()].sort(),
        ...(a.csrfToken ? { csrf_token: a.csrfToken } : {}),
      }
    },
  )

  app.post(
    '/auth/password',
    {
      config: { access: 'authenticated' },
      schema: {
        tags: ['auth'],
        summary: 'Change my password; ends my other sessions',
        body: Type.Object(
          {
            current_password: Type.String({ minLength: 1, maxLength: passwordRules.maxLength }),
            new_password: Type.String({ minLength: passwordRules.minLength, maxLength: passwordRules.maxLength }),
          },
          { additionalProperties: false },
        ),
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await app.db
        .transaction()
        .execute((trx) =>
          service.changePassword(
            trx,
            req.actor,
            { current: req.body.current_password, next: req.body.new_password, requestId: req.id },
            new Date(),
          ),
        )
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
    async (req) => listPage(req.query, (page) => service.listApiKeys(app.db, req.actor.merchantId, page)),
  )

  app.post(
    '/api-keys',
    {
      config: { permission: 'api_keys.manage' },
      schema: {
        tags: ['api keys'],
        summary: 'Create an API key; the key is shown in this response only',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            role_id: Uuid,
            expires_at: Type.Optional(Type.Union([Timestamp, Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ key: Type.String(), api_key: ApiKeyView }) },
      },
    },
    async (req, reply) => {
      const expiresAt = req.body.expires_at ? new Date(req.body.expires_at) : null
      const { key, view } = await app.db
        .transaction()
        .execute((trx) =>
          service.createApiKey(
            trx,
            req.actor,
            { name: req.body.name, roleId: req.body.role_id, expiresAt, requestId: req.id },
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
      app.db.transaction().execute((trx) => service.revokeApiKey(trx, req.actor, req.params.id, new Date(), req.id)),
  )
}
