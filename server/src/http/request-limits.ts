import { createHash } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import { countHits } from './request-limit-store.js'

/**
 * At most `limit` requests in `windowSeconds` from the key's first one, per value of a scope (the client's
 * address, a link). `name` keeps one route's counters apart from another's.
 */
export type RequestLimit = { name: string; scope: string; value: string; limit: number; windowSeconds: number }

// Hashed: the table keeps neither addresses nor links.
const keyOf = (l: RequestLimit) => `${l.name}:${l.scope}:${createHash('sha256').update(l.value).digest('base64url')}`

/**
 * Counts the request against each limit (counters in PostgreSQL, so every process shares them; one statement of
 * its own, so a request refused or failing later still counts) and refuses it once one is over: 429
 * too_many_requests with details naming the limit; the error handler turns retry_after_seconds into Retry-After.
 */
export async function enforceRequestLimits(db: Kysely<Database>, limits: RequestLimit[], now: Date): Promise<void> {
  const keyed = limits.map((l) => ({ ...l, key: keyOf(l) }))
  const hits = await countHits(
    db,
    keyed.map((l) => ({ key: l.key, windowEndsAt: new Date(now.getTime() + l.windowSeconds * 1000) })),
    now,
  )
  const over = keyed.find((l) => (hits.get(l.key)?.hits ?? 0) > l.limit)
  if (!over) return
  const retryAfter = Math.max(1, Math.ceil((hits.get(over.key)!.windowEndsAt.getTime() - now.getTime()) / 1000))
  throw new AppError('too_many_requests', 'Too many requests: try again later', {
    scope: over.scope,
    limit: over.limit,
    window_seconds: over.windowSeconds,
    retry_after_seconds: retryAfter,
  })
}

export type LinkLimits = { perAddress: number; perLink: number; windowSeconds: number }

/**
 * The limits of a public route a signed link opens: per client address (generous: a phone network puts many
 * customers behind one) and per link.
 */
export const enforceLinkLimits = (
  db: Kysely<Database>,
  name: string,
  { perAddress, perLink, windowSeconds }: LinkLimits,
  req: { ip: string; params: { token: string } },
) =>
  enforceRequestLimits(
    db,
    [
      { name, scope: 'address', value: req.ip, limit: perAddress, windowSeconds },
      { name, scope: 'link', value: req.params.token, limit: perLink, windowSeconds },
    ],
    new Date(),
  )
