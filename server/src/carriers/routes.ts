import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { inTransaction } from '../auth/actor.js'
import { AppError } from '../errors.js'
import { listPage } from '../http/pagination.js'
import { routeOptions } from '../http/route.js'
import { Page, PageQuery } from '../http/schemas.js'
import { connectionHealth } from '../intake/health.js'
import * as integrations from '../integrations/service.js'
import type { Connection } from '../integrations/types.js'
import { getShipment } from '../shipments/service.js'
import * as service from './service.js'
import {
  CarrierConnection,
  ConnectionBody,
  ConnectionParams,
  ConnectionPatch,
  NormalizeParams,
  NormalizeReply,
  Overdue,
  ProofFile,
  ProofParams,
  ProviderList,
  RawPayload,
  SecretRotation,
  SettingsView,
  Tracker,
  TrackerList,
  WithSecret,
} from './schemas.js'

const route = routeOptions('carriers')

/** A tracker as the API shows it: its events without the keys that only serve storage. */
const trackerView = (t: Awaited<ReturnType<typeof service.getTracker>>) => ({
  ...t,
  events: t.events.map(({ merchant_id: _m, tracker_id: _t, event_key: _k, delivery_id: _d, ...e }) => e),
})

export const carrierRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const url = (c: Connection) => `${app.ctx.config.publicUrl}/webhooks/carriers/${c.provider}/${c.id}`
  const views = async (merchantId: string, list: Connection[]) => {
    const health = await connectionHealth(app.db, merchantId, list, new Date())
    return list.map((c) => ({
      id: c.id,
      provider: c.provider,
      name: c.name,
      status: c.status,
      settings: c.settings,
      webhook_url: url(c),
      secret_versions: c.secret_versions,
      health: health.get(c.id)!,
      created_at: c.created_at,
      updated_at: c.updated_at,
    }))
  }
  const one = async (merchantId: string, c: Connection) => (await views(merchantId, [c]))[0]!
  /** A connection just created or given a new secret: a generated secret is shown this once. */
  const withSecret = async (merchantId: string, r: integrations.ConnectionWithSecret) => ({
    connection: await one(merchantId, r.connection),
    ...(r.secret ? { webhook_secret: r.secret } : {}),
  })
  const carrierConnection = async (merchantId: string, id: string) => {
    const c = await integrations.getConnection(app.db, merchantId, id, new Date())
    if (c.source !== 'carriers') throw new AppError('connection_not_found', 'No such connection', { connection_id: id })
    return c
  }

  app.post(
    '/carrier-connections',
    route(
      'integrations.manage',
      {
        summary: 'Connect a carrier or tracking aggregator; webhooks go to the returned webhook_url',
        body: ConnectionBody,
        response: { 201: WithSecret },
      },
      { provider: 'generic', name: 'Warehouse tracking feed' },
    ),
    async (req, reply) => {
      service.findCarrierProvider(req.body.provider)
      const b = req.body
      const input: integrations.CreateConnectionInput = {
        source: 'carriers',
        provider: b.provider,
        name: b.name,
        settings: b.settings,
        secret: b.webhook_secret,
      }
      const created = await inTransaction(app.db, req, (trx, ctx, now) =>
        integrations.createConnection(trx, ctx, app.ctx.keys.secrets, input, now),
      )
      return reply.status(201).send(await withSecret(req.actor.merchantId, created))
    },
  )

  app.get(
    '/carrier-connections',
    route('integrations.read', {
      summary: 'Carrier connections with their health',
      querystring: PageQuery,
      response: { 200: Page(CarrierConnection) },
    }),
    async (req) => {
      const page = await listPage(req.query, (p) =>
        integrations.listConnections(app.db, req.actor.merchantId, { ...p, source: 'carriers' }, new Date()),
      )
      return { ...page, data: await views(req.actor.merchantId, page.data) }
    },
  )

  app.get(
    '/carrier-connections/:id',
    route('integrations.read', {
      summary: 'One carrier connection with its health',
      params: ConnectionParams,
      response: { 200: CarrierConnection },
    }),
    async (req) => one(req.actor.merchantId, await carrierConnection(req.actor.merchantId, req.params.id)),
  )

  app.patch(
    '/carrier-connections/:id',
    route('integrations.manage', {
      summary: 'Rename, disable or re-enable a carrier connection, or replace its settings',
      params: ConnectionParams,
      body: ConnectionPatch,
      response: { 200: CarrierConnection },
    }),
    async (req) => {
      await carrierConnection(req.actor.merchantId, req.params.id)
      const c = await inTransaction(app.db, req, (trx, ctx, now) =>
        integrations.updateConnection(trx, ctx, req.params.id, req.body, now),
      )
      return one(req.actor.merchantId, c)
    },
  )

  app.post(
    '/carrier-connections/:id/secrets',
    route('integrations.manage', {
      summary: 'Rotate the webhook secret; the old one keeps verifying for the grace period',
      params: ConnectionParams,
      body: SecretRotation,
      response: { 201: WithSecret },
    }),
    async (req, reply) => {
      await carrierConnection(req.actor.merchantId, req.params.id)
      const input = { secret: req.body.webhook_secret, graceSeconds: req.body.grace_seconds }
      const rotated = await inTransaction(app.db, req, (trx, ctx, now) =>
        integrations.rotateSecret(trx, ctx, app.ctx.keys.secrets, req.params.id, input, now),
      )
      return reply.status(201).send(await withSecret(req.actor.merchantId, rotated))
    },
  )

  app.get(
    '/carriers/providers',
    route('integrations.read', {
      summary: 'Supported carrier sources and their status mapping tables',
      response: {
        200: ProviderList,
      },
    }),
    async () => ({
      data: service
        .carrierProviders()
        .map((p) => ({ provider: p.provider, label: p.label, status_table: p.statusTable })),
    }),
  )

  app.post(
    '/carriers/:provider/normalize',
    route(
      'integrations.read',
      {
        summary: 'What Claimdesk would record for one raw payload; stores nothing',
        params: NormalizeParams,
        body: RawPayload,
        response: {
          200: NormalizeReply,
        },
      },
      {
        type: 'tracking.updated',
        data: {
          carrier: 'royal_mail',
          tracking_number: 'AB123456789GB',
          events: [{ status: 'in_transit', occurred_at: '2026-11-20T09:30:00+00:00' }],
        },
      },
    ),
    async (req) => {
      const p = service.findCarrierProvider(req.params.provider)
      const result = service.normalizePayload(p, req.body)
      if (result.kind === 'ignored') return { provider: p.provider, ignored: result.reason, shipments: [] }
      return {
        provider: p.provider,
        ignored: null,
        shipments: result.shipments.map((s) => ({
          ...s,
          proof_of_delivery: s.proof_of_delivery.map((m) => ({
            kind: m.kind,
            content_type: m.content_type,
            bytes: Buffer.from(m.data_base64, 'base64').length,
          })),
        })),
      }
    },
  )

  app.get(
    '/trackers/:id',
    route('orders.read', {
      summary: 'A tracked parcel with its events, newest first',
      params: ConnectionParams,
      response: { 200: Tracker },
    }),
    async (req) => trackerView(await service.getTracker(app.db, req.actor.merchantId, req.params.id)),
  )

  app.get(
    '/shipments/:id/tracking',
    route('orders.read', {
      summary: 'The trackers of a shipment with their events',
      params: ConnectionParams,
      response: { 200: TrackerList },
    }),
    async (req) => {
      await getShipment(app.db, req.actor.merchantId, req.params.id)
      const trackers = await service.trackersOfShipment(app.db, req.actor.merchantId, req.params.id)
      return { data: trackers.map(trackerView) }
    },
  )

  app.get(
    '/trackers/:id/proofs/:proofId',
    route('orders.read', {
      summary: 'A proof of delivery (signature, photo or document) as the carrier sent it',
      params: ProofParams,
      response: {
        200: ProofFile,
      },
    }),
    async (req, reply) => {
      const proof = await service.openProof(
        app.db,
        app.ctx.blobs,
        req.actor.merchantId,
        req.params.id,
        req.params.proofId,
      )
      // Carrier-sent bytes: never sniffed into something else, never run as a page.
      return reply
        .type(proof.contentType)
        .header('content-length', String(proof.sizeBytes))
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
        .header('cache-control', 'private, max-age=3600')
        .header(
          'content-disposition',
          `inline; filename="${proof.kind}.${proof.contentType.split('/')[1]?.replace(/[^a-z0-9]/g, '') ?? 'bin'}"`,
        )
        .send(proof.body as unknown as string) // a stream; the schema documents the file it carries
    },
  )

  const overdueLists = [
    [
      '/carriers/stale-shipments',
      'Shipments with no carrier event for longer than their quiet limit',
      service.listStale,
    ],
    [
      '/carriers/late-shipments',
      'Shipments past their estimated or promised delivery, not delivered',
      service.listLate,
    ],
  ] as const
  for (const [path, summary, list] of overdueLists) {
    app.get(
      path,
      route('orders.read', { summary, querystring: PageQuery, response: { 200: Page(Overdue) } }),
      async (req) =>
        listPage(req.query, async (p) =>
          (await list(app.db, req.actor.merchantId, new Date(), p)).map(({ shipment_id, since, ...r }) => ({
            id: shipment_id,
            ...r,
            announced_at: since,
          })),
        ),
    )
  }

  app.get(
    '/tracking/settings',
    route('orders.read', { summary: 'When shipments count as stale', response: { 200: SettingsView } }),
    async (req) => service.getSettings(app.db, req.actor.merchantId),
  )

  app.put(
    '/tracking/settings',
    route(
      'integrations.manage',
      {
        summary: 'Set when shipments count as stale, by carrier and service',
        body: SettingsView,
        response: { 200: SettingsView },
      },
      { stale_after_hours: 72, stale_rules: [{ carrier: 'royal_mail', service: null, hours: 48 }] },
    ),
    async (req) => inTransaction(app.db, req, (trx, ctx, now) => service.updateSettings(trx, ctx, req.body, now)),
  )
}
