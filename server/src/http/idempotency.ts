import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../context.js'
import { decryptSecret, encryptSecret } from '../crypto.js'
import { AppError } from '../errors.js'

const mutating = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])
const NIL = '00000000-0000-0000-0000-000000000000'
export const idempotencyTtlMs = 24 * 3600_000

type Claim = { merchantId: string; key: string }
const claims = new WeakMap<FastifyRequest, Claim>()

/**
 * Idempotency-Key (Stripe's semantics): the same key with the same request replays the first
 * response; with a different request it is refused (422); while the first is running, 409.
 * Server errors release the key so the client can retry.
 */
export function installIdempotency(app: FastifyInstance, ctx: AppContext) {
  app.addHook('preHandler', async (req, reply) => {
    const key = req.headers['idempotency-key']
    if (typeof key !== 'string' || !mutating.has(req.method) || !req.actor) return
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
      throw new AppError('validation_failed', 400, 'Idempotency-Key must be 1 to 255 visible ASCII characters', { errors: [{ path: 'headers/idempotency-key', message: 'is invalid' }] })
    }
    const merchantId = req.actor.merchantId
    const requestHash = createHash('sha256').update(`${req.method} ${req.url}\n${JSON.stringify(req.body ?? null)}`).digest('hex')
    const inserted = await ctx.db.insertInto('idempotency_keys').values({
      merchant_id: merchantId, key, actor_id: req.actor.id ?? NIL, request_hash: requestHash, state: 'in_progress',
      status_code: null, response_body: null, created_at: new Date(),
    }).onConflict((oc) => oc.doNothing()).returning('key').executeTakeFirst()
    if (inserted) {
      claims.set(req, { merchantId, key })
      return
    }
    const prior = await ctx.db.selectFrom('idempotency_keys').selectAll().where('merchant_id', '=', merchantId).where('key', '=', key).executeTakeFirst()
    if (!prior) throw new AppError('idempotency_in_progress', 409, 'A request with this Idempotency-Key is being processed; retry shortly')
    if (prior.request_hash !== requestHash) {
      throw new AppError('idempotency_key_reused', 422, 'This Idempotency-Key was used with a different request')
    }
    if (prior.state !== 'done') throw new AppError('idempotency_in_progress', 409, 'A request with this Idempotency-Key is being processed; retry shortly')
    const body = prior.response_body ? decryptSecret(ctx.keys.idempotency, prior.response_body) : ''
    return reply.status(prior.status_code ?? 200).header('idempotent-replayed', 'true').type('application/json; charset=utf-8').send(body)
  })
  app.addHook('onSend', async (req, reply, payload) => {
    const claim = claims.get(req)
    if (!claim) return payload
    claims.delete(req)
    const q = ctx.db.updateTable('idempotency_keys').where('merchant_id', '=', claim.merchantId).where('key', '=', claim.key)
    if (reply.statusCode >= 500) await ctx.db.deleteFrom('idempotency_keys').where('merchant_id', '=', claim.merchantId).where('key', '=', claim.key).execute()
    // Encrypted at rest: a replayable response may hold a secret shown once (a new API key, a webhook secret).
    else await q.set({ state: 'done', status_code: reply.statusCode, response_body: encryptSecret(ctx.keys.idempotency, typeof payload === 'string' ? payload : '') }).execute()
    return payload
  })
}
