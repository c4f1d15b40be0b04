import type { FastifyContextConfig, FastifySchema } from 'fastify'
import type { Permission } from '../auth/permissions.js'
import type { Db } from '../db/database.js'
import { listPage, type PageRequest } from './pagination.js'

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

type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelCase<Tail>>}` : S

/** An object with the JSON API's snake_case keys spelt as a service input's camelCase ones. */
export type CamelKeys<T> = { [K in keyof T as K extends string ? CamelCase<K> : K]: T[K] }

/**
 * A request body (or query) as the service input it names field for field: `{ role_id }` becomes `{ roleId }`, the
 * values as they came. A field the request left out stays out.
 */
export function camelKeys<T extends object>(fields: T): CamelKeys<T> {
  return Object.fromEntries(
    Object.entries(fields).map(([k, v]) => [k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()), v]),
  ) as CamelKeys<T>
}

/**
 * A list route's reply: one page of the caller's workspace, asked of `list` with the query's other parameters as
 * its filters (camelCased, as `camelKeys` does).
 *
 *     app.get('/users', route('users.read', { querystring: UserListQuery, … }), (req) => workspacePage(app.db, req, listUsers))
 */
export function workspacePage<Q extends { limit?: number; cursor?: string }, T extends { id: string }>(
  db: Db,
  req: { query: Q; actor: { merchantId: string } },
  list: (db: Db, merchantId: string, filter: PageRequest & CamelKeys<Omit<Q, 'limit' | 'cursor'>>) => Promise<T[]>,
) {
  const { limit: _limit, cursor: _cursor, ...filters } = req.query
  return listPage(req.query, (page) => list(db, req.actor.merchantId, { ...camelKeys(filters), ...page }))
}
