import { request } from 'node:http'
import type { AddressInfo } from 'node:net'
import Fastify from 'fastify'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { bearer, createTestApp, startTestApp } from '../../test/harness.js'
import { installErrorHandling } from './error-handler.js'

const { env, app, m } = await startTestApp()

const nulRefused = (...paths: string[]) => ({
  error: {
    code: 'validation_failed',
    message: 'The request is not valid',
    details: { errors: paths.map((path) => ({ path, message: 'must not contain a NUL character' })) },
  },
})

describe('what PostgreSQL cannot store: NUL characters, and JSON nested too deep', () => {
  it('refuses one in any query parameter with 400 naming the parameter', async () => {
    for (const [url, path] of [
      ['/api/v1/cases?q=%00', 'querystring/q'],
      ['/api/v1/cases?carrier=dhl%00', 'querystring/carrier'],
      ['/api/v1/cases?fulfilment_centre=%00', 'querystring/fulfilment_centre'],
      ['/api/v1/cases?tag=a%00', 'querystring/tag'],
      ['/api/v1/customers?email=a%00%40b.example', 'querystring/email'],
      ['/api/v1/shipments?tracking_number=%00', 'querystring/tracking_number'],
      ['/api/v1/shipments?carrier_code=%00', 'querystring/carrier_code'],
      ['/api/v1/audit?entity_type=%00', 'querystring/entity_type'],
    ] as const) {
      const res = await app.inject({ url, headers: bearer(m.keys.admin) })
      expect([url, res.statusCode, res.json()]).toEqual([url, 400, nulRefused(path)])
    }
  })

  it('refuses one in a path parameter', async () => {
    const res = await app.inject({ url: '/api/v1/cases/%00', headers: bearer(m.keys.admin) })
    expect([res.statusCode, res.json()]).toEqual([400, nulRefused('params/id')])
  })

  it('refuses one anywhere in a JSON body, keys and nested values included, naming each field', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: bearer(m.keys.admin),
      payload: {
        case_type: 'lost_parcel',
        subject: 'Lost\u0000',
        custom_fields: { 'k\u0000': 1, notes: ['ok', 'x\u0000'] },
      },
    })
    expect([res.statusCode, res.json()]).toEqual([
      400,
      nulRefused('body/subject', 'body/custom_fields/k\u0000', 'body/custom_fields/notes/1'),
    ])
    const team = await app.inject({
      method: 'POST',
      url: '/api/v1/teams',
      headers: bearer(m.keys.admin),
      payload: { name: '\u0000' },
    })
    expect([team.statusCode, team.json()]).toEqual([400, nulRefused('body/name')])
  })

  it('refuses a body nested deeper than 64 levels, where free-form JSON would reach the database', async () => {
    const nested = (depth: number) =>
      `{"key":"deep_${depth}","label":"Deep","template":{"custom_fields":{"x":${'['.repeat(depth)}${']'.repeat(depth)}}}}`
    const headers = { ...bearer(m.keys.admin), 'content-type': 'application/json' }
    for (const depth of [100_000, 63]) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/case-types', headers, payload: nested(depth) })
      expect([depth, res.statusCode, res.json()]).toEqual([
        depth,
        400,
        {
          error: {
            code: 'validation_failed',
            message: 'The request is not valid',
            details: { errors: [{ path: 'body', message: 'must not nest deeper than 64 levels' }] },
          },
        },
      ])
    }
    const ok = await app.inject({ method: 'POST', url: '/api/v1/case-types', headers, payload: nested(61) })
    expect(ok.statusCode).toBe(201)
  })
})

// app.inject bypasses Node's HTTP parser, so these go over a real socket.
function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => {
        body += c.toString()
      })
      res.on('end', () => resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('over-long requests', () => {
  it('answers an over-long URL 414 and over-long headers 431, both in the error envelope', async () => {
    const served = await createTestApp(env)
    await served.listen({ host: '127.0.0.1', port: 0 })
    try {
      const { port } = served.server.address() as AddressInfo
      const auth = bearer(m.keys.admin)
      const ok = await get(port, `/api/v1/cases?q=${'a'.repeat(100)}`, auth)
      expect(ok.status).toBe(200)
      for (const size of [20_000, 40_000]) {
        const long = await get(port, `/api/v1/cases?q=${'a'.repeat(size)}`, auth)
        expect([size, long.status, long.type, JSON.parse(long.body)]).toEqual([
          size,
          414,
          'application/json; charset=utf-8',
          { error: { code: 'uri_too_long', message: 'The URL is longer than 16384 characters' } },
        ])
      }
      for (const [path, headers] of [
        [`/api/v1/cases?q=${'a'.repeat(100_000)}`, auth],
        ['/api/v1/cases', { ...auth, 'x-padding': 'p'.repeat(100_000) }],
      ] as const) {
        const huge = await get(port, path, headers)
        expect([huge.status, huge.type, JSON.parse(huge.body)]).toEqual([
          431,
          'application/json; charset=utf-8',
          { error: { code: 'headers_too_large', message: 'The request line and headers are larger than 65536 bytes' } },
        ])
      }
    } finally {
      await served.close()
    }
  })
})

describe('database input errors (safety net)', () => {
  it("answers PostgreSQL's refusal of a value with a 4xx in our own words", async () => {
    const web = Fastify()
    installErrorHandling(web)
    web.get('/nul', async () => sql`select ${'a\u0000b'}::text as t`.execute(env.ctx.db))
    web.get('/jsonb', async () => sql`select ${'{"a":"\\u0000"}'}::jsonb as j`.execute(env.ctx.db))
    try {
      for (const url of ['/nul', '/jsonb']) {
        const res = await web.inject({ url })
        expect([url, res.statusCode, res.json()]).toEqual([
          url,
          422,
          { error: { code: 'unprocessable', message: 'A value holds a character that cannot be stored' } },
        ])
      }
    } finally {
      await web.close()
    }
  })
})
