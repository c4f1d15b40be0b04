import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { inTransaction } from '../auth/actor.js'
import { camelKeys, routeOptions, workspacePage } from '../http/route.js'
import { NullableTimestamp, Page, PageQueryWith, Timestamp, Uuid } from '../http/schemas.js'
import { inboxSources } from './tables.js'
import { GraceSeconds } from './schemas.js'
import * as service from './service.js'
import type { Connection } from './types.js'

const Source = Type.Enum(inboxSources)
const ProviderSlug = Type.String({
  pattern: '^[a-z0-9][a-z0-9_-]{0,39}$',
  description: 'Lower-case provider slug, e.g. generic',
})
const Settings = Type.Record(Type.String(), Type.Unknown(), {
  maxProperties: 100,
  description: 'Non-secret provider settings',
})
const Status = Type.Union([Type.Literal('active'), Type.Literal('disabled')])
const Secret = Type.String({
  minLength: 1,
  maxLength: 1000,
  description:
    'The signing secret; for generic, whsec_ + base64 of 24 to 64 bytes. Generated when omitted, where the provider can.',
})

const ConnectionView = Type.Object({
  id: Uuid,
  source: Source,
  provider: Type.String(),
  name: Type.String(),
  status: Status,
  settings: Settings,
  webhook_url: Type.String({ description: "Where the provider sends this connection's webhooks" }),
  secret_versions: Type.Array(Type.Object({ id: Uuid, created_at: Timestamp, expires_at: NullableTimestamp }), {
    description:
      'Secrets that verify now: the current one (expires_at null) and old ones in their grace period. Never the secret itself.',
  }),
  created_at: Timestamp,
  updated_at: Timestamp,
})
const WithSecret = Type.Object({
  connection: ConnectionView,
  secret: Type.Optional(Type.String({ description: 'The generated secret; shown this once and never again' })),
})
const Params = Type.Object({ id: Uuid })
const Name = Type.String({ minLength: 1, maxLength: 100 })

const integrationRoute = routeOptions('integrations')

export const integrationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const view = (c: Connection) => ({
    ...c,
    webhook_url: `${app.ctx.config.publicUrl}/webhooks/${c.source}/${c.provider}/${c.id}`,
  })
  const withSecret = (r: service.ConnectionWithSecret) => ({
    connection: view(r.connection),
    ...(r.secret ? { secret: r.secret } : {}),
  })

  app.get(
    '/integrations/connections',
    integrationRoute('integrations.read', {
      summary: 'List connections to providers',
      querystring: PageQueryWith({ source: Type.Optional(Source), provider: Type.Optional(ProviderSlug) }),
      response: { 200: Page(ConnectionView) },
    }),
    async (req) => {
      const now = new Date()
      const page = await workspacePage(app.db, req, (db, merchantId, filter) =>
        service.listConnections(db, merchantId, filter, now),
      )
      return { ...page, data: page.data.map(view) }
    },
  )

  app.get(
    '/integrations/connections/:id',
    integrationRoute('integrations.read', {
      summary: 'One connection',
      params: Params,
      response: { 200: ConnectionView },
    }),
    async (req) => view(await service.getConnection(app.db, req.actor.merchantId, req.params.id, new Date())),
  )

  app.post(
    '/integrations/connections',
    {
      config: {
        permission: 'integrations.manage',
        example: { source: 'carriers', provider: 'generic', name: 'Example carrier' },
      },
      schema: {
        tags: ['integrations'],
        summary: 'Connect a provider account; a generated secret is returned once',
        body: Type.Object(
          {
            source: Source,
            provider: ProviderSlug,
            name: Name,
            settings: Type.Optional(Settings),
            secret: Type.Optional(Secret),
          },
          { additionalProperties: false },
        ),
        response: { 201: WithSecret },
      },
    },
    async (req, reply) => {
      const created = await inTransaction(app.db, req, (trx, ctx, now) =>
        service.createConnection(trx, ctx, app.ctx.keys.secrets, req.body, now),
      )
      return reply.status(201).send(withSecret(created))
    },
  )

  app.patch(
    '/integrations/connections/:id',
    integrationRoute('integrations.manage', {
      summary: 'Rename, disable or re-enable a connection, or replace its settings',
      params: Params,
      body: Type.Object(
        { name: Type.Optional(Name), status: Type.Optional(Status), settings: Type.Optional(Settings) },
        { additionalProperties: false, minProperties: 1 },
      ),
      response: { 200: ConnectionView },
    }),
    async (req) =>
      view(
        await inTransaction(app.db, req, (trx, ctx, now) =>
          service.updateConnection(trx, ctx, req.params.id, req.body, now),
        ),
      ),
  )

  app.post(
    '/integrations/connections/:id/secrets',
    integrationRoute('integrations.manage', {
      summary: 'Rotate the secret; the old one keeps verifying for the grace period',
      params: Params,
      body: Type.Object(
        {
          secret: Type.Optional(Secret),
          grace_seconds: Type.Optional(GraceSeconds),
        },
        { additionalProperties: false },
      ),
      response: { 201: WithSecret },
    }),
    async (req, reply) => {
      const rotated = await inTransaction(app.db, req, (trx, ctx, now) =>
        service.rotateSecret(trx, ctx, app.ctx.keys.secrets, req.params.id, camelKeys(req.body), now),
      )
      return reply.status(201).send(withSecret(rotated))
    },
  )
}
