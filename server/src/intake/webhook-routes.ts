import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply } from 'fastify'
import { Type } from 'typebox'
import { createSidePool } from '../db/database.js'
import { AppError } from '../errors.js'
import { Uuid } from '../http/schemas.js'
import { onConnectionChanged } from '../integrations/service.js'
import { foreground } from '../jobs/foreground.js'
import { defaultBatcherOptions, DeliveryBatcher } from './batcher.js'
import { RejectionCounter } from './health.js'
import { findInboxProvider } from '../integrations/providers.js'
import * as service from './service.js'
import { webhookRequestUrl } from './webhook-url.js'

export const webhookBodyLimit = 5 * 1024 * 1024

const outcomes: Record<string, string> = {
  connection_not_found: 'not_found',
  provider_not_found: 'not_found',
  signature_invalid: 'signature_invalid',
}

/**
 * `POST /webhooks/{source}/{provider}/{connection_id}`: public, authenticated by the provider's
 * signature. The delivery is committed (with its processing job) before the 2xx, so an answered
 * webhook is never lost; a resent one is answered the same way and stored once.
 */
export const webhookRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // Signatures cover the exact bytes, so every body arrives as a Buffer, JSON included (this plugin only).
  app.removeAllContentTypeParsers()
  const keepBytes = (_req: unknown, body: Buffer, done: (err: null, body: Buffer) => void) => done(null, body)
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: webhookBodyLimit }, keepBytes)
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: webhookBodyLimit }, keepBytes)

  const rejections = new RejectionCounter(app.db, app.log)
  const credentials = new service.CredentialCache()
  const stopListening = onConnectionChanged((id) => credentials.forget(id))
  app.addHook('onClose', async () => {
    stopListening()
  })
  // Its own connection: acknowledgements never wait for one behind the workers' transactions.
  const ingestPool = createSidePool(app.ctx.pool, defaultBatcherOptions.maxInFlight)
  const batcher = new DeliveryBatcher(app.db, ingestPool)
  app.addHook('onClose', async () => ingestPool.end())
  app.addHook('onClose', async () => rejections.flush())
  const received = app.ctx.metrics.counter(
    'webhooks_received_total',
    'Inbound webhooks by outcome (stored, duplicate, signature_invalid, not_found, rejected)',
    ['source', 'provider', 'outcome'],
  )

  app.post(
    '/webhooks/:source/:provider/:connectionId',
    {
      bodyLimit: webhookBodyLimit,
      schema: {
        tags: ['webhooks'],
        summary: 'Receive a provider webhook (signed; stored before it is acknowledged)',
        security: [], // no API key or session: the provider's signature authenticates it (x-permission "signature")
        params: Type.Object({
          source: Type.String({ maxLength: 100 }),
          provider: Type.String({ maxLength: 100 }),
          connectionId: Type.String({ maxLength: 100 }),
        }),
        // Some providers are answered in their own format instead (Twilio: an empty TwiML `<Response/>`).
        response: { 200: Type.Object({ received: Type.Literal(true), duplicate: Type.Boolean(), delivery_id: Uuid }) },
      },
    },
    async (req, reply) => {
      const now = new Date()
      const { source, provider, connectionId } = req.params
      // Only registered pairs become label values: callers choose the path, and must not grow the metric set.
      const labels = findInboxProvider(source, provider)
        ? { source, provider }
        : { source: 'unknown', provider: 'unknown' }
      const headers = service.normalizeHeaders(req.headers)
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
      const url = webhookRequestUrl(req, app.ctx.config)
      let auth: service.AuthenticatedWebhook
      try {
        auth = await service.authenticateWebhook(
          app.db,
          app.ctx.keys.secrets,
          { source, provider, connectionId, headers, rawBody, url },
          now,
          (c, code) => rejections.add(c.merchantId, c.id, code, now),
          credentials,
        )
      } catch (err) {
        if (err instanceof AppError) received.inc({ ...labels, outcome: outcomes[err.code] ?? 'rejected' })
        throw err
      }
      const contentType = headers['content-type'] ?? null
      const stored = await batcher.store(auth, { headers, rawBody, contentType, requestId: req.id }, now)
      foreground.observe(reply.elapsedTime)
      received.inc({ ...labels, outcome: stored.duplicate ? 'duplicate' : 'stored' })
      const ack = auth.provider.acknowledge?.({ headers, rawBody, url })
      // Not the JSON the schema describes: the untyped reply sends the provider's body as it is.
      if (ack) return (reply as FastifyReply).type(ack.contentType).send(ack.body)
      return { received: true as const, duplicate: stored.duplicate, delivery_id: stored.deliveryId }
    },
  )
}
