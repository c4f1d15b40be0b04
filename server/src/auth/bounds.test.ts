import { beforeAll, describe, expect, it } from 'vitest'
import { expectError, lackingAllBut, startTestApp } from '../../test/harness.js'
import { setExchangeRate } from '../merchants/service.js'
import { upsertOrder } from '../orders/service.js'
import { systemContext } from './actor.js'

// Nobody hands out, or acts on, more power than they hold: permissions and their amount bounds.

const { env, m, call: request } = await startTestApp()
beforeAll(async () => {
  await env.ctx.db
    .transaction()
    .execute((trx) =>
      setExchangeRate(
        trx,
        systemContext(m.id),
        { base: 'EUR', quote: 'GBP', rate: '0.85', effectiveOn: '2026-01-01' },
        new Date(),
      ),
    )
})

type Grant = { permission: string; limit?: { amount_minor: number; currency: string } | null }
const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, key: string, payload?: object) =>
  request(method, url, payload, key)

async function role(permissions: Grant[]): Promise<string> {
  const res = await call('POST', '/roles', m.keys.admin, { name: `Role ${Math.random()}`, permissions })
  expect(res.statusCode, res.body).toBe(201)
  return res.json().id
}
async function keyFor(roleId: string): Promise<{ id: string; key: string }> {
  const res = await call('POST', '/api-keys', m.keys.admin, { name: 'test', role_id: roleId })
  expect(res.statusCode, res.body).toBe(201)
  return { id: res.json().api_key.id, key: res.json().key }
}
const bounded = (amount_minor: number, currency = 'GBP'): Grant => ({
  permission: 'refunds.approve',
  limit: { amount_minor, currency },
})
// The refusal's details when an unbounded refunds.approve is asked of a caller bounded at 200.00 GBP.
const unbounded20000 = { permission: 'refunds.approve', limit_amount_minor: 20000, limit_currency: 'GBP' }

describe('roles', () => {
  it('refuses to change or delete the role the caller acts under', async () => {
    const own = await role([{ permission: 'roles.manage' }, { permission: 'roles.read' }, bounded(20000)])
    const { key } = await keyFor(own)
    const res = await call('PATCH', `/roles/${own}`, key, {
      permissions: [{ permission: 'roles.manage' }, { permission: 'refunds.approve' }],
    })
    expect(res.statusCode).toBe(403)
    expect(res.json()).toEqual({
      error: {
        code: 'cannot_change_own_role',
        message: 'Nobody may change or delete the role they act under',
        details: { role_id: own },
      },
    })
    expectError(await call('PATCH', `/roles/${own}`, key, { name: 'Renamed' }), 403, 'cannot_change_own_role', {
      role_id: own,
    })
    expectError(await call('DELETE', `/roles/${own}`, key), 403, 'cannot_change_own_role', { role_id: own })
  })

  it('refuses to grant a permission unbounded, or with a wider bound, than the caller holds', async () => {
    const { key } = await keyFor(await role([{ permission: 'roles.manage' }, bounded(20000)]))
    const unbounded = await call('POST', '/roles', key, {
      name: 'Big refunds',
      permissions: [{ permission: 'refunds.approve' }],
    })
    expect(unbounded.statusCode).toBe(403)
    expect(unbounded.json()).toEqual({
      error: {
        code: 'limit_exceeded',
        message: 'Your role may refunds.approve only up to 20000 GBP (minor units); this needs it without a bound',
        details: { permission: 'refunds.approve', limit_amount_minor: 20000, limit_currency: 'GBP' },
      },
    })
    const wider = await call('POST', '/roles', key, { name: 'Wider', permissions: [bounded(20001)] })
    expectError(wider, 403, 'limit_exceeded', {
      permission: 'refunds.approve',
      limit_amount_minor: 20000,
      limit_currency: 'GBP',
      amount_minor: 20001,
      currency: 'GBP',
    })
    // Across currencies through the dated rate: 235.31 EUR is 200.01 GBP, 235.30 EUR is 200.00 GBP.
    expect(
      (await call('POST', '/roles', key, { name: 'Euro wider', permissions: [bounded(23531, 'EUR')] })).json().error
        .code,
    ).toBe('limit_exceeded')
    expect(
      (await call('POST', '/roles', key, { name: 'Euro within', permissions: [bounded(23530, 'EUR')] })).statusCode,
    ).toBe(201)
    expect((await call('POST', '/roles', key, { name: 'Within', permissions: [bounded(20000)] })).statusCode).toBe(201)
  })

  it("refuses to lift the bound of another role beyond the caller's own", async () => {
    const { key } = await keyFor(await role([{ permission: 'roles.manage' }, bounded(20000)]))
    const other = await role([bounded(10000)])
    const res = await call('PATCH', `/roles/${other}`, key, { permissions: [{ permission: 'refunds.approve' }] })
    expectError(res, 403, 'limit_exceeded', unbounded20000)
    expect((await call('PATCH', `/roles/${other}`, key, { permissions: [bounded(15000)] })).statusCode).toBe(200)
  })

  it('refuses to change or delete a role holding more than the caller', async () => {
    const { key } = await keyFor(await role([{ permission: 'roles.manage' }, { permission: 'cases.read' }]))
    const stronger = await role([{ permission: 'cases.read' }, { permission: 'users.manage' }])
    const res = await call('PATCH', `/roles/${stronger}`, key, { permissions: [{ permission: 'cases.read' }] })
    expect(res.statusCode).toBe(403)
    expect(res.json()).toEqual({
      error: {
        code: 'forbidden',
        message: 'This needs permissions you do not hold',
        details: { permissions: ['users.manage'] },
      },
    })
    expect((await call('DELETE', `/roles/${stronger}`, key)).statusCode).toBe(403)
  })
})

describe('API keys', () => {
  it('refuses to mint a key whose role holds a wider bound than the caller', async () => {
    const { key } = await keyFor(await role([{ permission: 'api_keys.manage' }, bounded(20000)]))
    const res = await call('POST', '/api-keys', key, {
      name: 'escalate',
      role_id: await role([{ permission: 'refunds.approve' }]),
    })
    expectError(res, 403, 'limit_exceeded', unbounded20000)
    expect((await call('POST', '/api-keys', key, { name: 'ok', role_id: await role([bounded(100)]) })).statusCode).toBe(
      201,
    )
  })

  it('refuses to revoke a key holding more than the caller', async () => {
    const { key } = await keyFor(await role([{ permission: 'api_keys.manage' }, { permission: 'cases.read' }]))
    const admin = await keyFor(m.roleIds.admin!)
    const res = await call('DELETE', `/api-keys/${admin.id}`, key)
    expectError(res, 403, 'forbidden', lackingAllBut('api_keys.manage', 'cases.read'))
    expect((await call('GET', '/teams', admin.key)).statusCode).toBe(200)
    const weaker = await keyFor(await role([{ permission: 'cases.read' }]))
    expect((await call('DELETE', `/api-keys/${weaker.id}`, key)).statusCode).toBe(200)
  })

  it('refuses an expiry in the past', async () => {
    const res = await call('POST', '/api-keys', m.keys.admin, {
      name: 'stale',
      role_id: m.roleIds.viewer,
      expires_at: '2020-01-01T00:00:00Z',
    })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toEqual({
      error: {
        code: 'validation_failed',
        message: 'The request is not valid',
        details: { errors: [{ path: 'body/expires_at', message: 'must be in the future' }] },
      },
    })
  })
})

describe('people', () => {
  const person = async (roleId: string) => {
    const res = await call('POST', '/users', m.keys.admin, {
      email: `p${Math.random()}@${m.slug}.example`,
      name: 'Pat Person',
      password: 'person-password',
      role_id: roleId,
    })
    expect(res.statusCode, res.body).toBe(201)
    return res.json().id as string
  }

  it('refuses to disable or change someone holding more than the caller', async () => {
    const { key } = await keyFor(await role([{ permission: 'users.manage' }, { permission: 'users.read' }]))
    const admin = await person(m.roleIds.admin!)
    const res = await call('PATCH', `/users/${admin}`, key, { status: 'disabled' })
    expectError(res, 403, 'forbidden', lackingAllBut('users.manage', 'users.read'))
    expect((await call('PATCH', `/users/${admin}`, key, { name: 'Renamed Admin' })).statusCode).toBe(403)
    expect((await call('GET', `/users/${admin}`, m.keys.admin)).json()).toMatchObject({
      status: 'active',
      name: 'Pat Person',
    })
    const peer = await person(await role([{ permission: 'users.read' }]))
    expect((await call('PATCH', `/users/${peer}`, key, { status: 'disabled' })).statusCode).toBe(200)
  })

  it('refuses to give someone a role with a wider bound than the caller', async () => {
    const { key } = await keyFor(await role([{ permission: 'users.manage' }, bounded(20000)]))
    const big = await role([{ permission: 'refunds.approve' }])
    const res = await call('POST', '/users', key, {
      email: `big@${m.slug}.example`,
      name: 'Big Refunder',
      password: 'person-password',
      role_id: big,
    })
    expectError(res, 403, 'limit_exceeded', unbounded20000)
    const small = await person(await role([bounded(100)]))
    expectError(await call('PATCH', `/users/${small}`, key, { role_id: big }), 403, 'limit_exceeded', unbounded20000)
  })
})

describe('recording a refund', () => {
  async function eurPayment(): Promise<string> {
    const { order } = await env.ctx.db.transaction().execute((trx) =>
      upsertOrder(
        trx,
        systemContext(m.id),
        {
          source: 'test',
          externalId: `o-${Math.random()}`,
          currency: 'EUR',
          placedAt: new Date(),
          totalMinor: 50000,
          lines: [{ name: 'Coat', quantity: 1, unitPriceMinor: 50000 }],
          payments: [{ provider: 'test', reference: `p-${Math.random()}`, capturedMinor: 50000 }],
        },
        new Date(),
      ),
    )
    return `/orders/${order.id}/payments/${order.payments[0]!.id}/refunds`
  }

  it('needs refunds.approve, not just orders.write', async () => {
    const { key } = await keyFor(await role([{ permission: 'orders.write' }, { permission: 'orders.read' }]))
    const res = await call('POST', await eurPayment(), key, { amount_minor: 100 })
    expect(res.statusCode).toBe(403)
    expect(res.json()).toEqual({
      error: {
        code: 'forbidden',
        message: 'This needs the refunds.approve permission',
        details: { permission: 'refunds.approve' },
      },
    })
  })

  it("keeps within the approver's amount bound, converted with the dated exchange rate", async () => {
    const { key } = await keyFor(await role([bounded(20000)]))
    const url = await eurPayment()
    // 235.31 EUR × 0.85 is 200.01 GBP: above the bound; 235.30 EUR is 200.00 GBP.
    const over = await call('POST', url, key, { amount_minor: 23531 })
    expect(over.statusCode).toBe(403)
    expect(over.json()).toEqual({
      error: {
        code: 'limit_exceeded',
        message: 'Your role may refunds.approve up to 20000 GBP (minor units)',
        details: {
          permission: 'refunds.approve',
          limit_amount_minor: 20000,
          limit_currency: 'GBP',
          amount_minor: 23531,
          currency: 'EUR',
        },
      },
    })
    const within = await call('POST', url, key, { amount_minor: 23530 })
    expect(within.statusCode).toBe(200)
    expect(within.json().refunded_amount_minor).toBe(23530)
  })
})
