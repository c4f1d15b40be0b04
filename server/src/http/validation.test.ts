import Fastify, { type FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, createTestApp, createTestEnv, createTestMerchant, type TestEnv, type TestMerchant } from '../../test/harness.js'
import { installErrorHandling } from './error-handler.js'

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

const nulRefused = (...paths: string[]) => ({
  error: {
    code: 'validation_failed', message: 'The request is not valid',
    details: { errors: paths.map((path) => ({ path, message: 'must not contain a NUL character' })) },
  },
})

describe('NUL characters (PostgreSQL text cannot hold them)', () => {
  it('refuses one in any query parameter with 400 naming the parameter', async () => {
    for (const [url, path] of [
      ['/api/v1/cases?q=%00', 'querystring/q'], ['/api/v1/cases?carrier=dhl%00', 'querystring/carrier'],
      ['/api/v1/cases?fulfilment_centre=%00', 'querystring/fulfilment_centre'], ['/api/v1/cases?tag=a%00', 'querystring/tag'],
      ['/api/v1/customers?email=a%00%40b.example', 'querystring/email'], ['/api/v1/shipments?tracking_number=%00', 'querystring/tracking_number'],
      ['/api/v1/shipments?carrier_code=%00', 'querystring/carrier_code'], ['/api/v1/audit?entity_type=%00', 'querystring/entity_type'],
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
      method: 'POST', url: '/api/v1/cases', headers: bearer(m.keys.admin),
      payload: { case_type: 'lost_parcel', subject: 'Lost\u0000', custom_fields: { 'k\u0000': 1, notes: ['ok', 'x\u0000'] } },
    })
    expect([res.statusCode, res.json()]).toEqual([400, nulRefused('body/subject', 'body/custom_fields/k\u0000', 'body/custom_fields/notes/1')])
    const team = await app.inject({ method: 'POST', url: '/api/v1/teams', headers: bearer(m.keys.admin), payload: { name: '\u0000' } })
    expect([team.statusCode, team.json()]).toEqual([400, nulRefused('body/name')])
  })

  it('walks a deeply nested body without overflowing the stack', async () => {
    const deep = `{"subject":${'['.repeat(200_000)}"\\u0000"${']'.repeat(200_000)}}`
    const res = await app.inject({ method: 'POST', url: '/api/v1/teams', headers: { ...bearer(m.keys.admin), 'content-type': 'application/json' }, payload: deep })
    expect(res.statusCode).toBe(400)
    expect(res.json().error.code).toBe('validation_failed')
  })
})

describe('database input errors (safety net)', () => {
  it('answers PostgreSQL\'s refusal of a value with a 4xx in our own words', async () => {
    const web = Fastify()
    installErrorHandling(web)
    web.get('/nul', async () => sql`select ${'a\u0000b'}::text as t`.execute(env.ctx.db))
    web.get('/jsonb', async () => sql`select ${'{"a":"\\u0000"}'}::jsonb as j`.execute(env.ctx.db))
    try {
      for (const url of ['/nul', '/jsonb']) {
        const res = await web.inject({ url })
        expect([url, res.statusCode, res.json()]).toEqual([url, 422, { error: { code: 'unprocessable', message: 'A value holds a character that cannot be stored' } }])
      }
    } finally {
      await web.close()
    }
  })
})
