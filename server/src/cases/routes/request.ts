import type { FastifyContextConfig, FastifySchema } from 'fastify'
import type { Transaction } from 'kysely'
import { requestContext, type Actor, type ServiceContext } from '../../auth/actor.js'
import type { Permission } from '../../auth/permissions.js'
import type { Database } from '../../db/schema.js'
import type { Db } from '../../db/database.js'
import { AppError } from '../../errors.js'

// What the cases routes declare and read from a request besides its schema.

/**
 * A cases route's options: the permission it needs, its schema (under the `cases` tag unless it names its own)
 * and, where the schema's defaults are not enough, an example body for the RBAC matrix test.
 */
export function caseRoute<S extends FastifySchema>(
  permission: Permission,
  schema: S,
  example?: Record<string, unknown>,
) {
  const config: FastifyContextConfig = example === undefined ? { permission } : { permission, example }
  return { config, schema: { tags: ['cases'], ...schema } }
}

/** A service call for the request's caller, in one transaction, at the time read as it starts. */
export function inTransaction<T>(
  db: Db,
  req: { actor: Actor; id: string },
  work: (trx: Transaction<Database>, ctx: ServiceContext, now: Date) => Promise<T>,
): Promise<T> {
  return db.transaction().execute((trx) => work(trx, requestContext(req), new Date()))
}

/** A comma-separated query parameter, each value once. */
export const list = (v: string | undefined) => (v ? [...new Set(v.split(','))] : undefined)

export function personOnly(actor: Actor): string {
  if (actor.type !== 'user' || !actor.id)
    throw new AppError('forbidden', 'Only people have notifications and follow cases; sign in as a person')
  return actor.id
}
