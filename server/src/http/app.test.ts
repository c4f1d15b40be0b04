import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, createTestApp, createTestEnv, createTestMerchant, type TestEnv, type TestMerchant } from '../../test/harness.js'
import { createLogger } from '../runtime.js'
import { modules } from '../registry.js'
import { buildApp } from './app.js'

let env: TestEnv
let app: FastifyInstance
let m: TestMerchant

beforeAll(async () => {
  env = await createTestEnv()
  app = await createTestApp(env)
  m = await createTestMerchant(env.ctx)
})
afterAll(async () => {
  await app.close()
  await env.close()
})

type Op = { summary?: string; tags?: string[]; requestBody?: unknown; responses: Record<string, { content?: unknown }>; 'x-permission'?: string }

describe('probes', () => {
  it('reports liveness and readiness with the reason', async () => {
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' })
    expect((await app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready', checks: { database: 'ok', workers: 'disabled' } })
    const starting = await buildApp(env.ctx, modules, () => ({ workers: 'starting' }))
    const res = await starting.inject({ url: '/readyz' })
    expect(res.statusCode).toBe(503)
    expect(res.json()).toEqual({ status: 'not_ready', checks: { database: 'ok', workers: 'starting' } })
    await starting.close()
  })

  it('exposes Prometheus metrics with per-route request durations', async () => {
    await app.inject({ url: '/api/v1/teams', headers: bearer(m.keys.viewer) })
    const res = await app.inject({ url: '/metrics' })
    expect(res.headers['content-type']).toContain('text/plain')
    expect(res.body).toMatch(/claimdesk_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/teams",status_code="200"\} 1/)
    expect(res.body).toContain('claimdesk_process_cpu_seconds_total')
  })

  it('echoes a sane X-Request-Id and mints one otherwise', async () => {
    expect((await app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } })).headers['x-request-id']).toBe('abc-123')
    const minted = (await app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id <script>' } })).headers['x-request-id']
    expect(minted).toMatch(/^[0-9a-f-]{36}$/)
  })
})

describe('OpenAPI', () => {
  it('documents every route with a summary, its permission, request and response schemas and the error envelope', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json() as { openapi: string; paths: Record<string, Record<string, Op>> }
    expect(doc.openapi).toBe('3.1.0')
    const problems: string[] = []
    let count = 0
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        count++
        const id = `${method.toUpperCase()} ${path}`
        if (!op.summary) problems.push(`${id}: no summary`)
        if (!op['x-permission']) problems.push(`${id}: no x-permission`)
        const success = Object.entries(op.responses).filter(([code]) => code.startsWith('2'))
        if (!success.length) problems.push(`${id}: no 2xx response`)
        if (success.some(([code, r]) => code !== '204' && !r.content)) problems.push(`${id}: 2xx without a schema`)
        if (!op.responses['4XX'] && !op.responses['4xx']) problems.push(`${id}: no 4xx error schema`)
      }
    }
    expect(problems).toEqual([])
    expect(count).toBeGreaterThan(25)
  })

  it('serves the API explorer and the sign-in page', async () => {
    const docs = await app.inject({ url: '/docs/' })
    expect(docs.statusCode).toBe(200)
    expect(docs.body).toContain('swagger')
    const home = await app.inject({ url: '/' })
    expect(home.statusCode).toBe(200)
    expect(home.headers['content-security-policy']).toContain("frame-ancestors 'none'")
    expect(home.body).toContain('<form id="signin">')
  })

  it('answers unknown routes with the error envelope', async () => {
    const res = await app.inject({ url: '/api/v1/nope' })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toEqual({ error: { code: 'route_not_found', message: 'No route GET /api/v1/nope' } })
  })
})

describe('logging', () => {
  it('redacts secrets, personal data and portal tokens', async () => {
    const lines: string[] = []
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb() } })
    const testLog = createLogger({ logLevel: 'info' }, sink)
    testLog.info({ user: { email: 'ada@example.com', password: 'hunter2hunter2' }, req: { method: 'GET', url: '/portal/eyJhbGciOi.sig?x=1', id: '1' } }, 'sign-in')
    const out = lines.join('')
    expect(out).toContain('[redacted]')
    expect(out).not.toContain('hunter2hunter2')
    expect(out).not.toContain('ada@example.com')
    expect(out).not.toContain('eyJhbGciOi')
    expect(out).toContain('/portal/[token]')
  })
})
