import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { routeOptions } from '../http/route.js'
import { inTransaction } from './actor.js'
import { SESSION_COOKIE, sessionCookieOptions } from './hook.js'
import { SessionView } from './schemas.js'
import * as service from './service.js'

const authRoute = routeOptions('auth')

// Signing in (users/routes.ts) and API keys (roles/routes.ts) live with the people and roles they concern.
export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const cookieOptions = sessionCookieOptions(app.ctx.config)

  app.post(
    '/auth/logout',
    authRoute('authenticated', { summary: 'End this session', response: { 204: Type.Null() } }),
    async (req, reply) => {
      await inTransaction(app.db, req, (trx, ctx, now) => service.logout(trx, ctx, now))
      void reply.clearCookie(SESSION_COOKIE, cookieOptions)
      return reply.status(204).send(null)
    },
  )

  app.get(
    '/auth/session',
    authRoute('authenticated', {
      summary: 'Who am I: the caller, its role and permissions',
      response: { 200: SessionView },
    }),
    async (req) => {
      const a = req.actor as typeof req.actor & { csrfToken?: string }
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
}
