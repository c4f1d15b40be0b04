import type { FastifyReply } from 'fastify'
import type { Actor } from '../auth/actor.js'
import type { Db } from '../db/database.js'
import { listPage, type PageRequest } from './pagination.js'

// Route handlers several modules write the same way, and what they read from a request alike.

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

/** A request for the record its path names, from a caller. */
type IdRequest = { actor: Actor; id: string; params: { id: string } }

/** A delete route's handler: `remove` runs for the record the path names, then 204 with no body. */
export const deleteHandler =
  (remove: (req: IdRequest) => Promise<unknown>) => async (req: IdRequest, reply: FastifyReply) => {
    await remove(req)
    return reply.status(204).send(null)
  }
