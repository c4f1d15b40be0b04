import { describe, expect, it } from 'vitest'
import { bearer, expectError, startTestApp } from '../../test/harness.js'
import { seedDemo } from '../demo/seed.js'
import { convertMoney } from './convert-money.js'

const { env, app, m } = await startTestApp()

describe('workspace settings', () => {
  it('starts with the built-in roles and the three starting teams', async () => {
    const teams = await app.inject({ method: 'GET', url: '/api/v1/teams', headers: bearer(m.keys.viewer) })
    expect(
      teams
        .json()
        .data.map((t: { name: string }) => t.name)
        .sort(),
    ).toEqual(['HighValue', 'Logistics Ops', 'Support'])
    const roles = await app.inject({ method: 'GET', url: '/api/v1/roles', headers: bearer(m.keys.viewer) })
    expect(
      roles
        .json()
        .data.map((r: { builtin_key: string }) => r.builtin_key)
        .sort(),
    ).toEqual(['admin', 'agent', 'finance', 'manager', 'viewer'])
  })

  it('lists currencies with their ISO 4217 exponents', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/merchant', headers: bearer(m.keys.agent) })
    expect(res.json().currencies).toEqual([
      { code: 'GBP', exponent: 2 },
      { code: 'EUR', exponent: 2 },
      { code: 'USD', exponent: 2 },
    ])
    const all = (await app.inject({ method: 'GET', url: '/api/v1/currencies', headers: bearer(m.keys.agent) })).json()
      .data
    expect(all).toEqual(
      expect.arrayContaining([
        { code: 'JPY', exponent: 0 },
        { code: 'KWD', exponent: 3 },
        { code: 'CLF', exponent: 4 },
      ]),
    )
  })

  it('changes settings, keeping the default currency among the currencies, and audits it', async () => {
    const res = await app.inject({
      method: 'PATCH',
      url: '/api/v1/merchant',
      headers: bearer(m.keys.admin),
      payload: { time_zone: 'America/New_York', default_currency: 'USD', currencies: ['EUR', 'JPY'] },
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ time_zone: 'America/New_York', default_currency: 'USD' })
    expect(res.json().currencies.map((c: { code: string }) => c.code)).toEqual(['USD', 'EUR', 'JPY'])
    const audit = await env.ctx.db
      .selectFrom('audit_entries')
      .selectAll()
      .where('merchant_id', '=', m.id)
      .where('action', '=', 'merchant.updated')
      .execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]!.changes).toMatchObject({ time_zone: { from: 'Europe/London', to: 'America/New_York' } })
  })

  it('refuses an unknown time zone or currency with a clear code', async () => {
    const tz = await app.inject({
      method: 'PATCH',
      url: '/api/v1/merchant',
      headers: bearer(m.keys.admin),
      payload: { time_zone: 'Mars/Olympus' },
    })
    expect(tz.statusCode).toBe(422)
    expect(tz.json()).toEqual({
      error: {
        code: 'time_zone_unknown',
        message: 'Not an IANA time zone such as Europe/London',
        details: { time_zone: 'Mars/Olympus' },
      },
    })
    const cur = await app.inject({
      method: 'PATCH',
      url: '/api/v1/merchant',
      headers: bearer(m.keys.admin),
      payload: { currencies: ['XYZ'] },
    })
    expectError(cur, 422, 'currency_unknown', { currencies: ['XYZ'] })
  })
})

describe('exchange rates', () => {
  it('converts with the latest rate on or before the day, directly or inverted', async () => {
    for (const [rate, day] of [
      ['0.85', '2026-01-01'],
      ['0.8541', '2026-02-01'],
    ]) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/exchange-rates',
        headers: bearer(m.keys.finance),
        payload: { base_currency: 'EUR', quote_currency: 'GBP', rate, effective_on: day },
      })
      expect(res.statusCode).toBe(201)
    }
    const eur = { amountMinor: 1999, currency: 'EUR' }
    expect(await convertMoney(env.ctx.db, m.id, eur, 'GBP', '2026-01-15')).toEqual({
      amountMinor: 1699,
      currency: 'GBP',
    })
    expect(await convertMoney(env.ctx.db, m.id, eur, 'GBP', '2026-03-01')).toEqual({
      amountMinor: 1707,
      currency: 'GBP',
    })
    expect(await convertMoney(env.ctx.db, m.id, { amountMinor: 1707, currency: 'GBP' }, 'EUR', '2026-03-01')).toEqual({
      amountMinor: 1999,
      currency: 'EUR',
    })
    await expect(convertMoney(env.ctx.db, m.id, eur, 'GBP', '2025-12-31')).rejects.toMatchObject({
      code: 'exchange_rate_missing',
      status: 422,
    })
  })

  it('replaces the rate of the same pair and day rather than duplicating it', async () => {
    const post = (rate: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/exchange-rates',
        headers: bearer(m.keys.admin),
        payload: { base_currency: 'USD', quote_currency: 'GBP', rate, effective_on: '2026-05-05' },
      })
    await post('0.79')
    const second = await post('0.7893')
    expect(second.json().rate).toBe('0.7893')
    const rates = (
      await app.inject({ method: 'GET', url: '/api/v1/exchange-rates?limit=200', headers: bearer(m.keys.admin) })
    ).json().data
    expect(
      rates.filter(
        (r: { effective_on: string; base_currency: string }) =>
          r.effective_on === '2026-05-05' && r.base_currency === 'USD',
      ),
    ).toHaveLength(1)
  })

  it('refuses a zero rate and a pair with itself', async () => {
    const zero = await app.inject({
      method: 'POST',
      url: '/api/v1/exchange-rates',
      headers: bearer(m.keys.admin),
      payload: { base_currency: 'USD', quote_currency: 'GBP', rate: '0.000', effective_on: '2026-05-05' },
    })
    expect(zero.statusCode).toBe(400)
    const self = await app.inject({
      method: 'POST',
      url: '/api/v1/exchange-rates',
      headers: bearer(m.keys.admin),
      payload: { base_currency: 'USD', quote_currency: 'USD', rate: '1', effective_on: '2026-05-05' },
    })
    expect(self.statusCode).toBe(400)
  })

  it('pages with a cursor', async () => {
    const first = (
      await app.inject({ method: 'GET', url: '/api/v1/exchange-rates?limit=1', headers: bearer(m.keys.admin) })
    ).json()
    expect(first.data).toHaveLength(1)
    expect(first.next_cursor).toEqual(expect.any(String))
    const second = (
      await app.inject({
        method: 'GET',
        url: `/api/v1/exchange-rates?limit=1&cursor=${first.next_cursor}`,
        headers: bearer(m.keys.admin),
      })
    ).json()
    expect(second.data[0].id > first.data[0].id).toBe(true)
  })
})

describe('demo workspace', () => {
  it('creates a sign-in for every built-in role, and a re-run refreshes passwords without duplicating', async () => {
    const first = await seedDemo(env.ctx, { orders: 60 })
    expect(first.created).toBe(true)
    expect(first.commerce).toEqual({ orders: 60, shipments: expect.any(Number) })
    expect(first.cases!.total).toBeGreaterThan(0)
    const orders = await env.ctx.db
      .selectFrom('orders')
      .select(['currency', 'shipping_country'])
      .where('merchant_id', '=', first.merchantId)
      .execute()
    expect(orders).toHaveLength(60)
    expect(new Set(orders.map((o) => o.currency)).size).toBeGreaterThanOrEqual(2)
    const carriers = await env.ctx.db
      .selectFrom('shipments')
      .select('carrier_code')
      .distinct()
      .where('merchant_id', '=', first.merchantId)
      .execute()
    expect(carriers.every((c) => c.carrier_code !== null)).toBe(true) // every demo carrier name maps to a known carrier
    expect(carriers.length).toBeGreaterThanOrEqual(6)
    expect(first.webhook).toEqual({
      url: expect.stringMatching(/\/webhooks\/carriers\/generic\/[0-9a-f-]{36}$/),
      secret: expect.stringMatching(/^whsec_/),
    })
    expect(new Set(first.logins.map((l) => l.role))).toEqual(
      new Set(['admin', 'manager', 'agent', 'finance', 'viewer']),
    )
    for (const login of first.logins) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: login.email, password: login.password },
      })
      expect(res.statusCode, login.email).toBe(200)
    }
    const again = await seedDemo(env.ctx, { orders: 60 })
    expect(again.created).toBe(false)
    expect(again.webhook).toBeUndefined()
    expect(again.merchantId).toBe(first.merchantId)
    const old = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: first.logins[0]!.email, password: first.logins[0]!.password },
    })
    expect(old.statusCode).toBe(401)
    const users = await env.ctx.db
      .selectFrom('users')
      .select('id')
      .where('merchant_id', '=', first.merchantId)
      .execute()
    expect(users).toHaveLength(first.logins.length)
    const cases = await env.ctx.db
      .selectFrom('cases')
      .select('id')
      .where('merchant_id', '=', first.merchantId)
      .execute()
    expect(cases).toHaveLength(first.cases!.total)
  })
})
