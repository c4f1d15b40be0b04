import type { FastifyReply } from 'fastify'
import type { Transaction } from 'kysely'
import { type Actor, inTransaction, type ServiceContext } from '../auth/actor.js'
import type { Db } from '../db/database.js'
import type { Database } from '../db/schema.js'
import { listPage, type PageRequest } from './pagination.js'

// Route handlers several modules write the same way, and what they read from a request alike.

type Caller = { actor: Actor; id: string }

/** A synced record's key in a request body: its source ('api' unless one is named) and its id there. */
export const sourceKey = <B extends { source?: string; external_id?: string }>(
  b: B,
): { source: string; externalId: B['external_id'] } => ({ source: b.source ?? 'api', externalId: b.external_id })

/** A list route: one page of the caller's workspace, with the filters `filter` reads from the query. */
export const pagedList =
  <Q extends { limit?: number; cursor?: string }, F extends PageRequest, T extends { id: string }>(
    db: Db,
    list: (db: Db, merchantId: string, filter: F) => Promise<T[]>,
    filter: (query: Q) => Omit<F, keyof PageRequest>,
  ) =>
  (req: { actor: Actor; query: Q }) =>
    listPage(req.query, (page) => list(db, req.actor.merchantId, { ...page, ...filter(req.query) } as F))

/** An upsert's answer: 201 when it created the record, 200 when it updated one. */
export const sendUpserted = <T>(reply: FastifyReply, outcome: string, record: T) =>
  reply.status(outcome === 'created' ? 201 : 200).send(record)

/** A delete route: the service removes the record the path names, in one transaction; 204 with no body. */
export const deleteRecord =
  (db: Db, remove: (trx: Transaction<Database>, ctx: ServiceContext, id: string, now: Date) => Promise<unknown>) =>
  async (req: Caller & { params: { id: string } }, reply: FastifyReply) => {
    await inTransaction(db, req, (trx, ctx, now) => remove(trx, ctx, req.params.id, now))
    return reply.status(204).send(null)
  }
