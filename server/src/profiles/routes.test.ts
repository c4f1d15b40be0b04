import { describe, expect, it } from 'vitest'
import { bearer, createTestMerchant, expectError, startTestApp } from '../../test/harness.js'

const { env, app, m, call } = await startTestApp()

const post = (url: string, payload: object) => call('POST', url, payload, 'manager')
const order = (externalId: string, email: string, currency: string, total: number, placedAt: string) => ({
  external_id: externalId,
  currency,
  placed_at: placedAt,
  total_amount_minor: total,
  shipping_country: 'de',
  customer: { external_id: `cust-${email}`, email, name: 'Hanna Schmidt' },
  lines: [{ sku: 'JKT-01', name: 'Rain jacket', category: 'outerwear', quantity: 1, unit_price_amount_minor: total }],
  payments: [{ provider: 'stripe', reference: `pi_${externalId}`, captured_amount_minor: total }],
})

describe('customer profile', () => {
  it('brings orders, payments and shipments of a customer into one timeline, newest first', async () => {
    const first = await post('/api/v1/orders', order('A-1', 'hanna@example.de', 'EUR', 12900, '2026-03-01T09:00:00Z'))
    expect(first.statusCode).toBe(201)
    const second = await post('/api/v1/orders', order('A-2', 'hanna@example.de', 'GBP', 4500, '2026-03-05T09:00:00Z'))
    expect(second.json().customer_id).toBe(first.json().customer_id)
    const same = await post('/api/v1/orders', order('A-1', 'hanna@example.de', 'EUR', 12900, '2026-03-01T09:00:00Z'))
    expect(same.statusCode).toBe(200) // an upsert by source and external id, not a second order

    const o = first.json()
    const ship = await post('/api/v1/shipments', {
      external_id: 'S-1',
      order_id: o.id,
      carrier: 'DHL Paket',
      tracking_number: 'JJD0001',
      shipped_at: '2026-03-02T12:00:00Z',
      lines: [{ order_line_id: o.lines[0].id, quantity: 1 }],
    })
    expect(ship.statusCode).toBe(201)
    expect(ship.json().carrier).toEqual({ code: 'deutsche_post', name: 'DHL Paket', known: true })
    const refund = await post(`/api/v1/orders/${o.id}/payments/${o.payments[0].id}/refunds`, { amount_minor: 2900 })
    expect(refund.json()).toMatchObject({ refunded_amount_minor: 2900, refundable_amount_minor: 10000 })
    const over = await post(`/api/v1/orders/${o.id}/payments/${o.payments[0].id}/refunds`, { amount_minor: 10001 })
    expectError(over, 422, 'refund_exceeds_captured', {
      payment_id: o.payments[0].id,
      refundable_amount_minor: 10000,
      currency: 'EUR',
    })

    const profile = await app.inject({
      url: `/api/v1/customers/${o.customer_id}/profile`,
      headers: bearer(m.keys.agent),
    })
    expect(profile.statusCode).toBe(200)
    const p = profile.json()
    expect(p.customer).toMatchObject({
      email: 'hanna@example.de',
      external_ids: [{ source: 'api', external_id: 'cust-hanna@example.de' }],
    })
    expect(p.orders).toHaveLength(2)
    expect(p.shipments.map((s: { tracking_number: string }) => s.tracking_number)).toEqual(['JJD0001'])
    expect(p.totals).toEqual({
      orders: 2,
      spent: [
        { currency: 'EUR', amount_minor: 12900 },
        { currency: 'GBP', amount_minor: 4500 },
      ],
      refunded: [{ currency: 'EUR', amount_minor: 2900 }],
    })
    expect(p.timeline.map((t: { kind: string }) => t.kind).slice(-3)).toEqual([
      'shipment.shipped',
      'payment.captured',
      'order.placed',
    ])
    expect(new Date(p.timeline[0].at) >= new Date(p.timeline[p.timeline.length - 1].at)).toBe(true)
  })

  it("follows a merge: the duplicate's orders show on the survivor's profile", async () => {
    const a = (
      await post('/api/v1/orders', order('B-1', 'one@example.com', 'GBP', 1000, '2026-04-01T09:00:00Z'))
    ).json()
    const b = (
      await post('/api/v1/orders', order('B-2', 'two@example.com', 'GBP', 2000, '2026-04-02T09:00:00Z'))
    ).json()
    const merged = await post(`/api/v1/customers/${a.customer_id}/merge`, { duplicate_id: b.customer_id })
    expect(merged.statusCode).toBe(200)
    const p = (
      await app.inject({ url: `/api/v1/customers/${a.customer_id}/profile`, headers: bearer(m.keys.agent) })
    ).json()
    expect(p.orders.map((x: { external_id: string }) => x.external_id).sort()).toEqual(['B-1', 'B-2'])
    const list = (await app.inject({ url: '/api/v1/customers?limit=200', headers: bearer(m.keys.agent) })).json()
    expect(list.data.map((c: { id: string }) => c.id)).not.toContain(b.customer_id)
  })

  it("answers 404 for another workspace's customer", async () => {
    const other = await createTestMerchant(env.ctx)
    const theirs = (
      await app.inject({
        method: 'POST',
        url: '/api/v1/customers',
        headers: bearer(other.keys.admin),
        payload: { email: 'x@example.com' },
      })
    ).json()
    const res = await app.inject({ url: `/api/v1/customers/${theirs.id}/profile`, headers: bearer(m.keys.admin) })
    expectError(res, 404, 'customer_not_found', { customer_id: theirs.id })
  })
})
