import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { requestContext } from '../auth/actor.js'
import { AppError } from '../errors.js'
import { listPage } from '../http/pagination.js'
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
  const carrierConnection = async (merchantId: string, id: string) => {
    const c = await integrations.getConnection(app.db, merchantId, id, new Date())
    if (c.source !== 'carriers') throw new AppError('connection_not_found', 'No such connection', { connection_id: id })
    return c
  }

  app.post(
    '/carrier-connections',
    {
      config: { permission: 'integrations.manage', example: { provider: 'generic', name: 'Warehouse tracking feed' } },
      schema: {
        tags: ['carriers'],
        summary: 'Connect a carrier or tracking aggregator; webhooks go to the returned webhook_url',
        body: ConnectionBody,
        response: { 201: WithSecret },
      },
    },
    async (req, reply) => {
      service.findCarrierProvider(req.body.provider)
      const created = await app.db.transaction().execute((trx) =>
        integrations.createConnection(
          trx,
          requestContext(req),
          app.ctx.keys.secrets,
          {
            source: 'carriers',
            provider: req.body.provider,
            name: req.body.name,
            settings: req.body.settings,
            secret: req.body.webhook_secret,
          },
          new Date(),
        ),
      )
      return reply.status(201).send({
        connection: await one(req.actor.merchantId, created.connection),
        ...(created.secret ? { webhook_secret: created.secret } : {}),
      })
    },
  )

  app.get(
    '/carrier-connections',
    {
      config: { permission: 'integrations.read' },
      schema: {
        tags: ['carriers'],
        summary: 'Carrier connections with their health',
        querystring: PageQuery,
        response: { 200: Page(CarrierConnection) },
      },
    },
    async (req) => {
      const page = await listPage(req.query, (p) =>
        integrations.listConnections(app.db, req.actor.merchantId, { ...p, source: 'carriers' }, new Date()),
      )
      return { ...page, data: await views(req.actor.merchantId, page.data) }
    },
  )

  app.get(
    '/carrier-connections/:id',
    {
      config: { permission: 'integrations.read' },
      schema: {
        tags: ['carriers'],
        summary: 'One carrier connection with its health',
        params: ConnectionParams,
        response: { 200: CarrierConnection },
      },
    },
    async (req) => one(req.actor.merchantId, await carrierConnection(req.actor.merchantId, req.params.id)),
  )

  app.patch(
    '/carrier-connections/:id',
    {
      config: { permission: 'integrations.manage' },
      schema: {
        tags: ['carriers'],
        summary: 'Rename, disable or re-enable a carrier connection, or replace its settings',
        params: ConnectionParams,
        body: ConnectionPatch,
        response: { 200: CarrierConnection },
      },
    },
    async (req) => {
      await carrierConnection(req.actor.merchantId, req.params.id)
      const c = await app.db
        .transaction()
        .execute((trx) => integrations.updateConnection(trx, requestContext(req), req.params.id, req.body, new Date()))
      return one(req.actor.merchantId, c)
    },
  )

  app.post(
    '/carrier-connections/:id/secrets',
    {
      config: { permission: 'integrations.manage' },
      schema: {
        tags: ['carriers'],
        summary: 'Rotate the webhook secret; the old one keeps verifying for the grace period',
        params: ConnectionParams,
        body: SecretRotation,
        response: { 201: WithSecret },
      },
    },
    async (req, reply) => {
      await carrierConnection(req.actor.merchantId, req.params.id)
      const rotated = await app.db
        .transaction()
        .execute((trx) =>
          integrations.rotateSecret(
            trx,
            requestContext(req),
            app.ctx.keys.secrets,
            req.params.id,
            { secret: req.body.webhook_secret, graceSeconds: req.body.grace_seconds },
            new Date(),
          ),
        )
      return reply.status(201).send({
        connection: await one(req.actor.merchantId, rotated.connection),
        ...(rotated.secret ? { webhook_secret: rotated.secret } : {}),
      })
    },
  )

  app.get(
    '/carriers/providers',
    {
      config: { permission: 'integrations.read' },
      schema: {
        tags: ['carriers'],
        summary: 'Supported carrier sources and their status mapping tables',
        response: {
          200: ProviderList,
        },
      },
    },
    async () => ({
      data: service
        .carrierProviders()
        .map((p) => ({ provider: p.provider, label: p.label, status_table: p.statusTable })),
    }),
  )

  app.post(
    '/carriers/:provider/normalize',
    {
      config: {
        permission: 'integrations.read',
        example: {
          type: 'tracking.updated',
          data: {
            carrier: 'royal_mail',
            tracking_number: 'AB123456789GB',
            events: [{ status: 'in_transit', occurred_at: '2026-11-20T09:30:00+00:00' }],
          },
        },
      },
      schema: {
        tags: ['carriers'],
        summary: 'What Claimdesk would record for one raw payload; stores nothing',
        params: NormalizeParams,
        body: RawPayload,
        response: {
          200: NormalizeReply,
        },
      },
    },
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
    {
      config: { permission: 'orders.read' },
      schema: {
        tags: ['carriers'],
        summary: 'A tracked parcel with its events, newest first',
        params: ConnectionParams,
        response: { 200: Tracker },
      },
    },
    async (req) => {
      const t = await service.getTracker(app.db, req.actor.merchantId, req.params.id)
      return {
        ...t,
        events: t.events.map(({ merchant_id: _m, tracker_id: _t, event_key: _k, delivery_id: _d, ...e }) => e),
      }
    },
  )

  app.get(
    '/shipments/:id/tracking',
    {
      config: { permission: 'orders.read' },
      schema: {
        tags: ['carriers'],
        summary: 'The trackers of a shipment with their events',
        params: ConnectionParams,
        response: { 200: TrackerList },
      },
    },
    async (req) => {
      await getShipment(app.db, req.actor.merchantId, req.params.id)
      const trackers = await service.trackersOfShipment(app.db, req.actor.merchantId, req.params.id)
      return {
        data: trackers.map((t) => ({
          ...t,
          events: t.events.map(({ merchant_id: _m, tracker_id: _t, event_key: _k, delivery_id: _d, ...e }) => e),
        })),
      }
    },
  )

  app.get(
    '/trackers/:id/proofs/:proofId',
    {
      config: { permission: 'orders.read' },
      schema: {
        tags: ['carriers'],
        summary: 'A proof of delivery (signature, photo or document) as the carrier sent it',
        params: ProofParams,
        response: {
          200: ProofFile,
        },
      },
    },
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

  const overdue = (rows: Awaited<ReturnType<typeof service.listStale>>) =>
    rows.map(({ shipment_id, since, ...r }) => ({ id: shipment_id, ...r, announced_at: since }))
  app.get(
    '/carriers/stale-shipments',
    {
      config: { permission: 'orders.read' },
      schema: {
        tags: ['carriers'],
        summary: 'Shipments with no carrier event for longer than their quiet limit',
        querystring: PageQuery,
        response: { 200: Page(Overdue) },
      },
    },
    async (req) =>
      listPage(req.query, async (p) => overdue(await service.listStale(app.db, req.actor.merchantId, new Date(), p))),
  )

  app.get(
    '/carriers/late-shipments',
    {
      config: { permission: 'orders.read' },
      schema: {
        tags: ['carriers'],
        summary: 'Shipments past their estimated or promised delivery, not delivered',
        querystring: PageQuery,
        response: { 200: Page(Overdue) },
      },
    },
    async (req) =>
      listPage(req.query, async (p) => overdue(await service.listLate(app.db, req.actor.merchantId, new Date(), p))),
  )

  app.get(
    '/tracking/settings',
    {
      config: { permission: 'orders.read' },
      schema: { tags: ['carriers'], summary: 'When shipments count as stale', response: { 200: SettingsView } },
    },
    async (req) => service.getSettings(app.db, req.actor.merchantId),
  )

  app.put(
    '/tracking/settings',
    {
      config: {
        permission: 'integrations.manage',
        example: { stale_after_hours: 72, stale_rules: [{ carrier: 'royal_mail', service: null, hours: 48 }] },
      },
      schema: {
        tags: ['carriers'],
        summary: 'Set when shipments count as stale, by carrier and service',
        body: SettingsView,
        response: { 200: SettingsView },
      },
    },
    async (req) =>
      app.db.transaction().execute((trx) => service.updateSettings(trx, requestContext(req), req.body, new Date())),
  )
}
