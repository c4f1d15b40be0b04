import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Config } from '../config.js'
import type { AppContext } from '../context.js'
import type { Db } from '../db/database.js'
import { AppError } from '../errors.js'
import { can, type Actor } from './actor.js'
import { safeEqual } from './service.js'

export const SESSION_COOKIE = 'claimdesk_session'
const mutating = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Secure only over https: browsers drop a Secure cookie that a plain-http site (the default) sets. */
export const sessionCookieOptions = (config: Pick<Config, 'publicUrl'>) =>
  ({ path: '/', httpOnly: true, sameSite: 'lax', secure: config.publicUrl.startsWith('https:') }) as const

/**
 * Who holds a key or a session: people and roles live in modules above auth (users, roles), so the app that
 * installs the hook hands their lookups in.
 */
export type Resolvers = {
  apiKey: (db: Db, key: string, now: Date) => Promise<Actor | undefined>
  session: (db: Db, token: string, now: Date, ttlHours: number) => Promise<(Actor & { csrfToken: string }) | undefined>
}

/**
 * Every /api/v1 route must declare who may call it; registering one that doesn't fails at start,
 * so no route is ever accidentally public.
 */
export function installAuth(app: FastifyInstance, ctx: AppContext, resolve: Resolvers) {
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
    req.actor = await authenticate(req, ctx, resolve)
    if (cfg.permission && !can(req.actor, cfg.permission)) {
      throw new AppError('forbidden', `This needs the ${cfg.permission} permission`, {
        permission: cfg.permission,
      })
    }
  })
}

async function authenticate(req: FastifyRequest, ctx: AppContext, resolve: Resolvers) {
  const now = new Date()
  const header = req.headers.authorization
  if (header) {
    const m = /^Bearer\s+(\S{16,512})$/i.exec(header)
    const actor = m ? await resolve.apiKey(ctx.db, m[1]!, now) : undefined
    if (!actor) throw new AppError('unauthenticated', 'The API key is missing, revoked or not valid')
    return actor
  }
  const token = req.cookies[SESSION_COOKIE]
  if (token && token.length <= 200) {
    const actor = await resolve.session(ctx.db, token, now, ctx.config.sessionTtlHours)
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
