import type { Transaction } from 'kysely'
import type { TSchema } from 'typebox'
import { type Actor, inTransaction, type ServiceContext } from '../../auth/actor.js'
import type { Db } from '../../db/database.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import { routeOptions } from '../../http/route.js'
import { CaseDetailView } from '../schemas/cases.js'
import { IdParams } from '../schemas/common.js'
import * as service from '../service.js'

// What the cases routes declare and read from a request besides its schema.

export const caseRoute = routeOptions('cases')

/** An action on the case the path names (POST or PATCH /cases/:id…): answered with the case's detail. */
export const caseAction = <B extends TSchema>(summary: string, body: B) =>
  caseRoute('cases.write', { summary, params: IdParams, body, response: { 200: CaseDetailView } })

/** A case with its links, followers and child cases: what the case actions answer with. */
export const caseDetail = (db: Db, req: { actor: Actor }, caseId: string) =>
  service.getCase(db, req.actor.merchantId, caseId)

/** A change to the case the path names, for the caller in one transaction; then that case's detail as it now is. */
export async function changeCase(
  db: Db,
  req: { actor: Actor; id: string; params: { id: string } },
  change: (trx: Transaction<Database>, ctx: ServiceContext, now: Date) => Promise<unknown>,
) {
  await inTransaction(db, req, change)
  return caseDetail(db, req, req.params.id)
}

/** A comma-separated query parameter, each value once. */
export const list = (v: string | undefined) => (v ? [...new Set(v.split(','))] : undefined)

export function personOnly(actor: Actor): string {
  if (actor.type !== 'user' || !actor.id)
    throw new AppError('forbidden', 'Only people have notifications and follow cases; sign in as a person')
  return actor.id
}
