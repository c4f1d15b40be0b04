import type { FastifyInstance, FastifyRequest } from 'fastify'
import { can } from './actor.js'
import { resolveApiKey, resolveSession, safeEqual } from './service.js'
import type { AppContext } from '../context.js'
import { AppError } from '../errors.js'

export const SESSION_COOKIE = 'claimdesk_session'
const mutating = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * Every /api/v1 route must declare who may call it; registering one that doesn't fails at start,
 * so no route is ever accidentally public.
 */
export function installAuth(app: FastifyInstance, ctx: AppContext) {
  app.decorateRequest('actor', null as never)
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1')) return
    const cfg = route.config ?? {}
    if (!cfg.permission && !cfg.access)
      throw new Error(`Route ${route.method} ${route.url} declares neither a permission nor access`)
  })
  app.addHook('onRequest', async (req) => {
    const cfg = req.routeOptions.config
    if (!req.routeOptions.url?.startsWith('/api/v1') || cfg.access === 'public') return
    req.actor = await authenticate(req, ctx)
    if (cfg.permission && !can(req.actor, cfg.permission)) {
      throw new AppError('forbidden', `This needs the ${cfg.permission} permission`, {
        permission: cfg.permission,
      })
    }
  })
}

async function authenticate(req: FastifyRequest, ctx: AppContext) {
  const now = new Date()
  const header = req.headers.authorization
  if (header) {
    const m = /^Bearer\s+(\S{16,512})$/i.exec(header)
    const actor = m ? await resolveApiKey(ctx.db, m[1]!, now) : undefined
    if (!actor) throw new AppError('unauthenticated', 'The API key is missing, revoked or not valid')
    return actor
  }
  const token = req.cookies[SESSION_COOKIE]
  if (token && token.length <= 200) {
    const actor = await resolveSession(ctx.db, token, now, ctx.config.sessionTtlHours)
    if (actor) {
      // Double-submit token: a cross-site form can carry the cookie but cannot read or send this header.
      if (mutating.has(req.method)) {
        const sent = req.headers['x-csrf-token']
        if (typeof sent !== 'string' || !safeEqual(sent, actor.csrfToken)) {
          throw new AppError('csrf_failed', "Send the session's CSRF token in the X-CSRF-Token header")
        }
      }
      return actor
    }
  }
  throw new AppError('unauthenticated', 'Sign in, or send an API key as "Authorization: Bearer <key>"')
}
