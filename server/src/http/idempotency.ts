import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { decryptSecret, encryptSecret } from '../crypto.js'
import type { Db } from '../db/database.js'
import { AppError } from '../errors.js'
import * as store from './idempotency-store.js'

const mutating = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
// The system actor has no id of its own; its type keeps its keys apart from everyone else's.
const NIL = '00000000-0000-0000-0000-000000000000'
export const idempotencyTtlMs = 24 * 3600_000

const claims = new WeakMap<FastifyRequest, store.IdempotencyScope>()

/**
 * Idempotency-Key (Stripe's semantics): the same key with the same request replays the first
 * response; with a different request it is refused (422); while the first is running, 409.
 * Server errors release the key so the client can retry. Keys belong to the actor that sent
 * them: a replay skips the handler and its authorisation, so it may only ever reach that actor.
 */
/** `secret` (AppContext keys.idempotency) encrypts the stored responses. */
export function installIdempotency(app: FastifyInstance, db: Db, secret: Buffer) {
  app.addHook('preHandler', async (req, reply) => {
    const key = req.headers['idempotency-key']
    if (typeof key !== 'string' || !mutating.has(req.method) || !req.actor) return
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
      throw new AppError('validation_failed', 'Idempotency-Key must be 1 to 255 visible ASCII characters', {
        errors: [{ path: 'headers/idempotency-key', message: 'is invalid' }],
      })
    }
    const scope: store.IdempotencyScope = {
      merchantId: req.actor.merchantId,
      actorType: req.actor.type,
      actorId: req.actor.id ?? NIL,
      key,
    }
    const requestHash = createHash('sha256')
      .update(`${req.method} ${req.url}\n${JSON.stringify(req.body ?? null)}`)
      .digest('hex')
    if (await store.claimIdempotencyKey(db, scope, requestHash, new Date())) {
      claims.set(req, scope)
      return
    }
    const prior = await store.findIdempotencyKey(db, scope)
    if (!prior)
      throw new AppError(
        'idempotency_in_progress',
        'A request with this Idempotency-Key is being processed; retry shortly',
      )
    if (prior.request_hash !== requestHash) {
      throw new AppError('idempotency_key_reused', 'This Idempotency-Key was used with a different request')
    }
    if (prior.state !== 'done')
      throw new AppError(
        'idempotency_in_progress',
        'A request with this Idempotency-Key is being processed; retry shortly',
      )
    const body = prior.response_body ? decryptSecret(secret, prior.response_body) : ''
    return reply
      .status(prior.status_code ?? 200)
      .header('idempotent-replayed', 'true')
      .type('application/json; charset=utf-8')
      .send(body)
  })
  app.addHook('onSend', async (req, reply, payload) => {
    const scope = claims.get(req)
    if (!scope) return payload
    claims.delete(req)
    if (reply.statusCode >= 500) await store.releaseIdempotencyKey(db, scope)
    // Encrypted at rest: a replayable response may hold a secret shown once (a new API key, a webhook secret).
    else
      await store.completeIdempotencyKey(
        db,
        scope,
        reply.statusCode,
        encryptSecret(secret, typeof payload === 'string' ? payload : ''),
      )
    return payload
  })
}
