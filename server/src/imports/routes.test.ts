import { describe, expect, it } from 'vitest'
import { bearer, expectError, startTestApp } from '../../test/harness.js'
import { modules } from '../registry.js'
import { imports } from './module.js'
import { importTypes } from './types.js'

const { env, app, m } = await startTestApp({
  modules: modules.some((x) => x.name === 'imports') ? modules : [...modules, imports],
})

const line = (id: string, quantity = 1) =>
  JSON.stringify({
    external_id: id,
    currency: 'GBP',
    placed_at: '2025-02-01T10:00:00Z',
    total_amount_minor: 900,
    lines: [{ name: 'Scarf', quantity, unit_price_amount_minor: 900 }],
  })

describe('POST /imports', () => {
  it('imports JSON lines and reports the bad ones; the same body again changes nothing', async () => {
    const payload = [line('A1'), line('A2', 0), line('A3')].join('\n')
    const headers = { ...bearer(m.keys.manager), 'content-type': 'application/x-ndjson' }
    const res = await app.inject({ method: 'POST', url: '/api/v1/imports?source=shop-export', headers, payload })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      imported: 2,
      updated: 0,
      unchanged: 0,
      failed: 1,
      errors: [{ line: 2, field: 'lines[0].quantity', message: 'must be at least 1' }],
      errors_truncated: false,
    })
    const again = await app.inject({ method: 'POST', url: '/api/v1/imports?source=shop-export', headers, payload })
    expect(again.json()).toMatchObject({ imported: 0, updated: 0, unchanged: 2, failed: 1 })
    const audit = await env.ctx.db
      .selectFrom('audit_entries')
      .select('request_id')
      .where('merchant_id', '=', m.id)
      .where('action', '=', 'order.created')
      .execute()
    expect(audit.map((a) => a.request_id)).toEqual([res.headers['x-request-id'], res.headers['x-request-id']])
  })

  it('imports CSV', async () => {
    const payload = 'external_id,name,email\nc1,Cleo,cleo@example.com\n'
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/imports?type=customers',
      headers: { ...bearer(m.keys.admin), 'content-type': 'text/csv; charset=utf-8' },
      payload,
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({
      imported: 1,
      updated: 0,
      unchanged: 0,
      failed: 0,
      errors: [],
      errors_truncated: false,
    })
  })

  it('answers 415 for a body that is neither JSON lines nor CSV', async () => {
    const expected = {
      error: {
        code: 'unsupported_media_type',
        message: 'Send JSON lines (Content-Type: application/x-ndjson) or CSV (Content-Type: text/csv)',
      },
    }
    for (const type of ['text/plain', 'application/json']) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/imports',
        headers: { ...bearer(m.keys.admin), 'content-type': type },
        payload: type === 'text/plain' ? 'hello' : '{}',
      })
      expect(res.statusCode).toBe(415)
      expect(res.json()).toEqual(expected)
    }
  })

  it('refuses a role without imports.run', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/imports',
      headers: { ...bearer(m.keys.agent), 'content-type': 'application/x-ndjson' },
      payload: line('X1'),
    })
    expect(res.statusCode).toBe(403)
    expect(res.json()).toEqual({
      error: {
        code: 'forbidden',
        message: 'This needs the imports.run permission',
        details: { permission: 'imports.run' },
      },
    })
    const none = await env.ctx.db
      .selectFrom('orders')
      .select('id')
      .where('merchant_id', '=', m.id)
      .where('external_id', '=', 'X1')
      .execute()
    expect(none).toEqual([])
  })

  it('refuses an unknown record type or source', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/imports?type=refunds',
      headers: { ...bearer(m.keys.admin), 'content-type': 'text/csv' },
      payload: 'a\n1\n',
    })
    // One miss per import type, then the union's.
    const path = 'querystring/type'
    expectError(res, 400, 'validation_failed', {
      errors: [
        ...importTypes.map(() => ({ path, message: 'must be equal to constant' })),
        { path, message: 'must match a schema in anyOf' },
      ],
    })
  })
})
