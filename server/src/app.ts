import cookie from '@fastify/cookie'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import Fastify, { type FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { safeEqual } from './auth/service.js'
import type { AppContext } from './context.js'
import { AppError } from './errors.js'
import { newId } from './ids.js'
import { resolveApiKey } from './roles/api-keys.js'
import { resolveSession } from './users/sign-in.js'
import { setupModules, type Module } from './modules.js'
import { installAuth, SESSION_COOKIE } from './auth/hook.js'
import { serveConsole } from './http/console.js'
import { installErrorHandling } from './http/error-handler.js'
import { installSecurityHeaders } from './http/headers.js'
import { installIdempotency } from './http/idempotency.js'
import { installMultipart } from './http/multipart.js'
import { clientErrors, frameworkErrors, installValidation, maxHeaderSize } from './http/validation.js'
import { ErrorResponse } from './http/schemas.js'

export type Readiness = () => { workers: 'running' | 'disabled' | 'starting' | 'stopped' }

const requestIdPattern = /^[\w.:-]{1,128}$/

// Paths and fields that may carry secrets or personal data never reach the log.
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.current_password',
  '*.new_password',
  '*.token',
  '*.secret',
  '*.api_key',
  '*.key',
  '*.email',
  '*.phone',
]

export async function buildApp(
  ctx: AppContext,
  modules: Module[],
  readiness: Readiness = () => ({ workers: 'disabled' }),
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.log,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id']
      return typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : newId()
    },
    bodyLimit: 1024 * 1024,
    trustProxy: ctx.config.trustProxy,
    // Customer-link tokens travel in the path (/portal/{token}); logs redact them.
    routerOptions: { maxParamLength: 1000 },
    frameworkErrors,
    http: { maxHeaderSize },
    clientErrorHandler: clientErrors,
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.decorate('db', ctx.db)
  app.decorate('ctx', ctx)
  installErrorHandling(app)
  installValidation(app)
  app.addHook('onSend', async (req, reply) => {
    void reply.header('x-request-id', req.id)
  })
  app.addHook('onResponse', async (req, reply) => {
    ctx.metrics.httpDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    )
  })

  installSecurityHeaders(app, ctx.config.publicUrl)
  await app.register(cookie)
  await installMultipart(app, ctx.config.filesMaxBytes)
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Claimdesk API',
        version: '1',
        description:
          'Claims and exceptions CRM for online merchants. JSON, snake_case, cursor pagination; errors are `{ "error": { "code", "message", "details" } }`.',
      },
      servers: [{ url: ctx.config.publicUrl }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer cd_…`' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: SESSION_COOKIE,
            description: 'Browser session; mutations also need the X-CSRF-Token header',
          },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  })
  // Every API route documents the error envelope for the 4xx it can answer.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/v1') && !route.url.startsWith('/webhooks')) return
    const schema = (route.schema ??= {}) as { response?: Record<string, unknown>; security?: unknown }
    schema.response ??= {}
    schema.response['4xx'] ??= ErrorResponse
    if (route.config?.access === 'public')
      schema.security = []
      // Published so clients (and the RBAC matrix test) know what each operation needs.
    ;(schema as Record<string, unknown>)['x-permission'] =
      route.config?.permission ?? route.config?.access ?? 'signature'
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  installAuth(app, ctx, { apiKey: resolveApiKey, session: resolveSession })
  installIdempotency(app, ctx.db, ctx.keys.idempotency)

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }))
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const checks = { database: 'ok', workers: readiness().workers as string }
    try {
      await sql`select 1`.execute(ctx.db)
    } catch {
      checks.database = 'unreachable'
    }
    const ready = checks.database === 'ok' && (checks.workers === 'running' || checks.workers === 'disabled')
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks })
  })
  const metricsToken = ctx.config.metricsToken
  app.get('/metrics', { schema: { hide: true } }, async (req, reply) => {
    const sent = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1]
    if (metricsToken && !safeEqual(sent ?? '', metricsToken)) {
      throw new AppError('unauthenticated', 'Send the metrics token as "Authorization: Bearer <token>"')
    }
    return reply.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics())
  })

  setupModules(modules)
  await app.register(
    async (api) => {
      for (const m of modules) if (m.routes) await api.register(m.routes)
    },
    { prefix: '/api/v1' },
  )
  for (const m of modules) if (m.rootRoutes) await app.register(m.rootRoutes)
  await serveConsole(app)
  return app
}
