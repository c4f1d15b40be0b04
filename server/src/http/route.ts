import type { FastifyContextConfig, FastifySchema } from 'fastify'
import type { Permission } from '../auth/permissions.js'

/** Who may call a route: holders of one permission, anyone signed in, or anyone at all. */
export type Access = Permission | 'authenticated' | 'public'

/**
 * The route options every module declares the same way: who may call it, its schema under the module's OpenAPI tag
 * and, where the schema's defaults are not enough, an example body for the RBAC matrix test.
 *
 *     const route = routeOptions('teams')
 *     app.get('/teams/:id', route('teams.read', { summary: 'One team', params: TeamParams }), handler)
 */
export function routeOptions(tag: string) {
  return <S extends FastifySchema>(access: Access, schema: S, example?: Record<string, unknown>) => {
    const config: FastifyContextConfig =
      access === 'authenticated' || access === 'public' ? { access } : { permission: access }
    if (example !== undefined) config.example = example
    return { config, schema: { tags: [tag], ...schema } }
  }
}
