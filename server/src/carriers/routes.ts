import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { requestContext } from '../auth/actor.js'
import { AppError } from '../errors.js'
import { listPage } from '../http/pagination.js'
import { NullableTimestamp, Page, PageQuery, Timestamp, Uuid } from '../http/schemas.js'
import { connectionHealth } from '../intake/health.js'
import * as integrations from '../integrations/service.js'
import { GraceSeconds } from '../integrations/schemas.js'
import type { Connection } from '../integrations/types.js'
import { getShipment } from '../shipments/service.js'
import { trackingStatuses } from './model.js'
import * as service from './service.js'

const Provider = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,39}$', description: 'easypost, aftership or generic' })
const Name = Type.String({ minLength: 1, maxLength: 100 })
const Secret = Type.String({
  minLength: 1,
  maxLength: 1000,
  description: 'The signing secret the provider shows you (generic: generated when omitted, whsec_ + base64)',
})
const Settings = Type.Record(Type.String(), Type.Unknown(), {
  maxProperties: 100,
  description: 'Non-secret settings, e.g. quiet_hours (health alert after this many hours without a webhook)',
})
const Status = Type.Union([Type.Literal('active'), Type.Literal('disabled')])
const Params = Type.Object({ id: Uuid })

const Health = Type.Object({
  state: Type.Union([Type.Literal('healthy'), Type.Literal('unhealthy'), Type.Literal('awaiting_first_event')]),
  reasons: Type.Array(Type.String()),
  last_received_at: NullableTimestamp,
  last_processed_at: NullableTimestamp,
  deliveries_24h: Type.Integer(),
  processed_24h: Type.Integer(),
  ignored_24h: Type.Integer(),
  waiting: Type.Integer(),
  failing: Type.Integer(),
  dead_letters: Type.Integer(),
  signature_failures_24h: Type.Integer(),
  malformed_24h: Type.Integer(),
  p99_processing_lag_seconds: Type.Union([Type.Number(), Type.Null()]),
})
const CarrierConnection = Type.Object({
  id: Uuid,
  provider: Type.String(),
  name: Type.String(),
  status: Status,
  settings: Settings,
  webhook_url: Type.String(),
  secret_versions: Type.Array(Type.Object({ id: Uuid, created_at: Timestamp, expires_at: NullableTimestamp })),
  health: Health,
  created_at: Timestamp,
  updated_at: Timestamp,
})
const WithSecret = Type.Object({
  connection: CarrierConnection,
  webhook_secret: Type.Optional(Type.String({ description: 'A generated secret, shown this once' })),
})

const Location = Type.Union([
  Type.Object({
    city: Type.Union([Type.String(), Type.Null()]),
    region: Type.Union([Type.String(), Type.Null()]),
    postal_code: Type.Union([Type.String(), Type.Null()]),
    country: Type.Union([Type.String(), Type.Null()]),
    latitude: Type.Union([Type.Number(), Type.Null()]),
    longitude: Type.Union([Type.Number(), Type.Null()]),
  }),
  Type.Null(),
])
const StatusSchema = Type.Enum(trackingStatuses)
const NullableText = Type.Union([Type.String(), Type.Null()])
const NormalizedEvent = Type.Object({
  id: NullableText,
  status: StatusSchema,
  sub_status: NullableText,
  provider_status: NullableText,
  provider_sub_status: NullableText,
  code: NullableText,
  message: NullableText,
  occurred_at: Type.String(),
  utc_offset_minutes: Type.Union([Type.Integer(), Type.Null()]),
  location: Location,
  facility: NullableText,
  device: NullableText,
  driver: NullableText,
  signed_by: NullableText,
})
const NormalizedTracking = Type.Object({
  carrier: NullableText,
  carrier_name: NullableText,
  tracking_number: Type.String(),
  carrier_ref: NullableText,
  provider_tracker_id: NullableText,
  status: StatusSchema,
  sub_status: NullableText,
  provider_status: NullableText,
  provider_sub_status: NullableText,
  confidence: Type.Union([Type.Literal('high'), Type.Literal('low')]),
  review_reasons: Type.Array(Type.String()),
  estimated_delivery_at: NullableText,
  signed_by: NullableText,
  events: Type.Array(NormalizedEvent),
  proof_of_delivery: Type.Array(
    Type.Object({ kind: Type.String(), content_type: Type.String(), bytes: Type.Integer() }),
  ),
})
const StoredEvent = Type.Object({
  id: Uuid,
  status: StatusSchema,
  sub_status: NullableText,
  provider_status: NullableText,
  provider_sub_status: NullableText,
  code: NullableText,
  message: NullableText,
  occurred_at: Timestamp,
  utc_offset_minutes: Type.Union([Type.Integer(), Type.Null()]),
  location: Location,
  facility: NullableText,
  device: NullableText,
  driver: NullableText,
  signed_by: NullableText,
  recorded_at: Timestamp,
})
const Tracker = Type.Object({
  id: Uuid,
  carrier_code: NullableText,
  carrier_name: NullableText,
  tracking_number: Type.String(),
  carrier_ref: Type.String(),
  provider: Type.String(),
  provider_tracker_id: NullableText,
  status: StatusSchema,
  sub_status: NullableText,
  provider_status: NullableText,
  provider_sub_status: NullableText,
  status_at: NullableTimestamp,
  confidence: Type.Union([Type.Literal('high'), Type.Literal('low')]),
  review_reasons: Type.Array(Type.String()),
  estimated_delivery_at: NullableTimestamp,
  signed_by: NullableText,
  last_event_at: NullableTimestamp,
  last_received_at: Timestamp,
  shipment_ids: Type.Array(Uuid),
  events: Type.Array(StoredEvent),
  created_at: Timestamp,
  updated_at: Timestamp,
  proofs: Type.Array(
    Type.Object({
      id: Uuid,
      kind: Type.String(),
      content_type: Type.String(),
      size_bytes: Type.Integer(),
      created_at: Timestamp,
    }),
    { description: 'Proofs of delivery kept from the carrier: GET /trackers/{id}/proofs/{proof_id}' },
  ),
})
const Overdue = Type.Object({
  id: Uuid,
  order_id: Uuid,
  carrier_code: NullableText,
  carrier_name: NullableText,
  service: NullableText,
  tracking_number: NullableText,
  tracking_status: NullableText,
  last_tracking_event_at: NullableTimestamp,
  shipped_at: NullableTimestamp,
  due_at: NullableTimestamp,
  announced_at: NullableTimestamp,
})
const StaleRule = Type.Object(
  {
    carrier: Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()]),
    service: Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()]),
    hours: Type.Integer({ minimum: 1, maximum: 2160 }),
  },
  { additionalProperties: false },
)
const SettingsView = Type.Object(
  {
    stale_after_hours: Type.Integer({ minimum: 1, maximum: 2160 }),
    stale_rules: Type.Array(StaleRule, { maxItems: 200 }),
  },
  { additionalProperties: false },
)

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
        body: Type.Object(
          { provider: Provider, name: Name, webhook_secret: Type.Optional(Secret), settings: Type.Optional(Settings) },
          { additionalProperties: false },
        ),
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
        params: Params,
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
        params: Params,
        body: Type.Object(
          { name: Type.Optional(Name), status: Type.Optional(Status), settings: Type.Optional(Settings) },
          { additionalProperties: false, minProperties: 1 },
        ),
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
        params: Params,
        body: Type.Object(
          {
            webhook_secret: Type.Optional(Secret),
            grace_seconds: Type.Optional(GraceSeconds),
          },
          { additionalProperties: false },
        ),
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
          200: Type.Object({
            data: Type.Array(
              Type.Object({
                provider: Type.String(),
                label: Type.String(),
                status_table: Type.Array(
                  Type.Object({
                    provider_status: Type.String(),
                    provider_sub_status: NullableText,
                    status: StatusSchema,
                    note: Type.Optional(Type.String()),
                  }),
                ),
              }),
            ),
          }),
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
        params: Type.Object({ provider: Provider }),
        body: Type.Object(
          {},
          {
            additionalProperties: true,
            description: 'One raw payload (a webhook body) exactly as the provider sends it',
          },
        ),
        response: {
          200: Type.Object({
            provider: Type.String(),
            ignored: Type.Union([Type.String(), Type.Null()]),
            shipments: Type.Array(NormalizedTracking),
          }),
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
        params: Params,
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
        params: Params,
        response: { 200: Type.Object({ data: Type.Array(Tracker) }) },
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
        params: Type.Object({ id: Uuid, proofId: Uuid }),
        response: {
          200: {
            description: 'The file',
            content: {
              'image/*': { schema: Type.String({ format: 'binary' }) },
              'application/pdf': { schema: Type.String({ format: 'binary' }) },
            },
          },
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
      app.db
        .transaction()
        .execute((trx) => service.updateSettings(trx, req.actor, { ...req.body, requestId: req.id }, new Date())),
  )
}
