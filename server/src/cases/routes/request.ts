import type { Actor } from '../../auth/actor.js'
import { routeOptions } from '../../http/route.js'
import { AppError } from '../../errors.js'

// What the cases routes declare and read from a request besides its schema.

export const caseRoute = routeOptions('cases')

/** A comma-separated query parameter, each value once. */
export const list = (v: string | undefined) => (v ? [...new Set(v.split(','))] : undefined)

export function personOnly(actor: Actor): string {
  if (actor.type !== 'user' || !actor.id)
    throw new AppError('forbidden', 'Only people have notifications and follow cases; sign in as a person')
  return actor.id
}
