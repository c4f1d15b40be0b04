import type { Actor } from './auth/actor.js'
import type { Permission } from './auth/permissions.js'
import type { AppContext } from './context.js'
import type { Db } from './db/database.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    ctx: AppContext
  }
  interface FastifyRequest {
    actor: Actor
  }
  interface FastifyContextConfig {
    /** The permission a route needs; every /api/v1 route names one, or says it is public or for any signed-in actor. */
    permission?: Permission
    access?: 'public' | 'authenticated'
    /** Example request body for the RBAC matrix test, where the schema's defaults are not enough. */
    example?: Record<string, unknown>
  }
}
