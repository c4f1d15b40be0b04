import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { brotliCompressSync, brotliDecompressSync } from 'node:zlib'
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { bearer, expectError, startTestApp } from '../test/harness.js'
import { createLogger } from './runtime.js'
import { modules } from './registry.js'
import { buildApp } from './app.js'
import { serveConsole } from './http/console.js'
import { installErrorHandling } from './http/error-handler.js'
import { installSecurityHeaders } from './http/headers.js'

const { env, app, m } = await startTestApp()

type Op = {
  summary?: string
  tags?: string[]
  requestBody?: unknown
  responses: Record<string, { content?: unknown }>
  'x-permission'?: string
}

describe('probes', () => {
  it('reports liveness and readiness with the reason', async () => {
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' })
    expect((await app.inject({ url: '/readyz' })).json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', workers: 'disabled' },
    })
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
    expect(res.body).toMatch(
      /claimdesk_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/teams",status_code="200"\} 1/,
    )
    expect(res.body).toContain('claimdesk_process_cpu_seconds_total')
  })

  it('echoes a sane X-Request-Id and mints one otherwise', async () => {
    expect(
      (await app.inject({ url: '/healthz', headers: { 'x-request-id': 'abc-123' } })).headers['x-request-id'],
    ).toBe('abc-123')
    const minted = (await app.inject({ url: '/healthz', headers: { 'x-request-id': 'bad id <script>' } })).headers[
      'x-request-id'
    ]
    expect(minted).toMatch(/^[0-9a-f-]{36}$/)
  })
})

describe('OpenAPI', () => {
  it('documents every route with a summary, its permission, request and response schemas and the error envelope', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json() as {
      openapi: string
      paths: Record<string, Record<string, Op>>
    }
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
  })

  it('serves the built console: every page path answers its index.html, assets are cached for good, API misses stay JSON', async () => {
    const dist = mkdtempSync(path.join(os.tmpdir(), 'claimdesk-console-'))
    mkdirSync(path.join(dist, 'assets'))
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><div id="root"></div>')
    writeFileSync(path.join(dist, 'assets', 'main-abc123.js'), 'console.log(1)')
    writeFileSync(path.join(dist, 'assets', 'main-abc123.js.br'), brotliCompressSync('console.log(1)'))
    const web = Fastify()
    installErrorHandling(web)
    await installSecurityHeaders(web, 'http://127.0.0.1:3000')
    await serveConsole(web, dist)
    try {
      for (const url of [
        '/',
        '/inbox',
        '/cases/0190c0de-0000-7000-8000-000000000000?tab=timeline',
        '/portal/eyJtIjoiMDEi.c2lnbmF0dXJl',
      ]) {
        const res = await web.inject({ url })
        expect([url, res.statusCode, res.body]).toEqual([url, 200, '<!doctype html><div id="root"></div>'])
        expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'")
        expect(res.headers['x-content-type-options']).toBe('nosniff')
        // The portal page's address is the customer's credential: no cache keeps it.
        expect(res.headers['cache-control']).toBe(url.startsWith('/portal/') ? 'no-store' : 'no-cache')
      }
      const asset = await web.inject({ url: '/assets/main-abc123.js' })
      expect([asset.statusCode, asset.headers['cache-control']]).toEqual([200, 'public, max-age=31536000, immutable'])
      // The build's brotli copy, to browsers that take it.
      const br = await web.inject({ url: '/assets/main-abc123.js', headers: { 'accept-encoding': 'gzip, br' } })
      expect([br.headers['content-encoding'], brotliDecompressSync(br.rawPayload).toString()]).toEqual([
        'br',
        'console.log(1)',
      ])
      expect((await web.inject({ url: '/assets/gone-123.js' })).statusCode).toBe(404)
      expect((await web.inject({ url: '/favicon.ico' })).statusCode).toBe(404)
      expect((await web.inject({ url: '/portal/eyJtIjoiMDEi.c2lnbmF0dXJl' })).headers['referrer-policy']).toBe(
        'no-referrer',
      )
      const api = await web.inject({ url: '/api/v1/nope' })
      expectError(api, 404, 'route_not_found')
    } finally {
      await web.close()
      rmSync(dist, { recursive: true, force: true })
    }
  })

  it('answers unknown routes with the error envelope', async () => {
    const res = await app.inject({ url: '/api/v1/nope' })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toEqual({ error: { code: 'route_not_found', message: 'No route GET /api/v1/nope' } })
  })
})

describe('security headers', () => {
  const urls = ['/api/v1/teams', '/api/v1/nope', '/docs/', '/docs/static/index.css', '/openapi.json', '/metrics']
  const withPublicUrl = (publicUrl: string) =>
    buildApp({ ...env.ctx, config: { ...env.ctx.config, publicUrl } }, modules)

  it('sends nosniff, frame protection and a CSP on the API, docs, OpenAPI and probes; no HSTS over http', async () => {
    for (const url of urls) {
      const res = await app.inject({ url, headers: bearer(m.keys.viewer) })
      expect([url, res.statusCode < 500]).toEqual([url, true])
      const { 'x-content-type-options': nosniff, 'x-frame-options': frames } = res.headers
      expect([url, nosniff, frames]).toEqual([url, 'nosniff', 'DENY'])
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'")
      // Over plain http an upgrade would send the page's own requests to a port that speaks no TLS.
      expect(res.headers['content-security-policy']).not.toContain('upgrade-insecure-requests')
      expect(res.headers['strict-transport-security']).toBeUndefined()
    }
  })

  it('with an https PUBLIC_URL adds HSTS and makes the session cookie Secure, also when it is cleared', async () => {
    const tls = await withPublicUrl('https://claims.example.com')
    try {
      for (const url of urls) {
        const res = await tls.inject({ url, headers: bearer(m.keys.viewer) })
        expect([url, res.headers['strict-transport-security']]).toEqual([url, 'max-age=31536000; includeSubDomains'])
      }
      const payload = { email: m.adminEmail, password: m.password }
      const login = await tls.inject({ method: 'POST', url: '/api/v1/auth/login', payload })
      const session = login.cookies.find((c) => c.name === 'claimdesk_session')!
      expect([session.secure, session.httpOnly, session.sameSite]).toEqual([true, true, 'Lax'])
      const out = await tls.inject({
        method: 'POST',
        url: '/api/v1/auth/logout',
        headers: { cookie: `claimdesk_session=${session.value}`, 'x-csrf-token': login.json().csrf_token },
      })
      expect(out.statusCode).toBe(204)
      const cleared = out.cookies.find((c) => c.name === 'claimdesk_session')!
      expect([cleared.value, cleared.secure, cleared.httpOnly, cleared.sameSite]).toEqual(['', true, true, 'Lax'])
    } finally {
      await tls.close()
    }
  })
})

describe('metrics token', () => {
  const token = 'metrics-token-0123456789abcdef'

  it('keeps /metrics to bearers of METRICS_TOKEN when it is set', async () => {
    const guarded = await buildApp({ ...env.ctx, config: { ...env.ctx.config, metricsToken: token } }, modules)
    try {
      const message = 'Send the metrics token as "Authorization: Bearer <token>"'
      const refused = { error: { code: 'unauthenticated', message } }
      const wrong = [`Bearer ${token}x`, 'Bearer short', token, `Basic ${token}`]
      for (const headers of [{}, ...wrong.map((authorization) => ({ authorization }))]) {
        const res = await guarded.inject({ url: '/metrics', headers })
        expect([headers, res.statusCode, res.json()]).toEqual([headers, 401, refused])
      }
      const ok = await guarded.inject({ url: '/metrics', headers: { authorization: `Bearer ${token}` } })
      expect(ok.statusCode).toBe(200)
      expect(ok.body).toContain('claimdesk_process_cpu_seconds_total')
    } finally {
      await guarded.close()
    }
  })
})

describe('logging', () => {
  it('redacts secrets, personal data and portal tokens', async () => {
    const lines: string[] = []
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk))
        cb()
      },
    })
    const testLog = createLogger({ logLevel: 'info' }, sink)
    testLog.info(
      {
        user: { email: 'ada@example.com', password: 'hunter2hunter2' },
        req: { method: 'GET', url: '/portal/eyJhbGciOi.sig?x=1', id: '1' },
      },
      'sign-in',
    )
    testLog.info(
      { req: { method: 'POST', url: '/api/v1/portal/evidence/eyJldmlkZW5jZQ.sig/files', id: '2' } },
      'upload',
    )
    const out = lines.join('')
    expect(out).not.toContain('eyJldmlkZW5jZQ')
    expect(out).toContain('/api/v1/portal/evidence/[token]/files')
    expect(out).toContain('[redacted]')
    expect(out).not.toContain('hunter2hunter2')
    expect(out).not.toContain('ada@example.com')
    expect(out).not.toContain('eyJhbGciOi')
    expect(out).toContain('/portal/[token]')
  })
})
