import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { bearer, expectError, startTestApp } from '../../test/harness.js'
import { runDueJobs } from '../../test/jobs.js'
import { getCustomer } from '../customers/service.js'
import { processDeliveryTask } from '../intake/tasks.js'
import { seedConnection } from '../intake/testing.js'
import { listOrders, type Order } from '../orders/service.js'
import { listShipments } from '../shipments/service.js'
import { modules as registered } from '../registry.js'
import { shopify } from './module.js'
import { signShopifyWebhook } from './signature.js'

// Fixture bodies posted as Shopify posts them: signed raw bytes, topic and webhook id headers.
// Variants change ids and fields in the text, so the 64-bit ids stay JSON numbers as Shopify sends them.

const modules = registered.some((m) => m.name === 'shopify') ? registered : [...registered, shopify]
const secret = 'shpss_0123456789abcdef0123456789abcdef'
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')
const variant = (name: string, edits: [string, string][]) =>
  edits.reduce((text, [from, to]) => {
    if (!text.includes(from)) throw new Error(`${name} has no ${from}`)
    return text.replaceAll(from, to)
  }, fixture(name))

let seq = 0

const { env, app, m } = await startTestApp({ modules })
const conn = await seedConnection(env.ctx, m.id, {
  source: 'commerce',
  provider: 'shopify',
  name: 'Shopify store',
  secret,
})

type Posted = { statusCode: number; json: () => { delivery_id: string; duplicate: boolean } & Record<string, unknown> }
function post(
  topic: string,
  body: string,
  opts: { webhookId?: string; signWith?: string; headers?: Record<string, string> } = {},
): Promise<Posted> {
  return app.inject({
    method: 'POST',
    url: `/webhooks/commerce/shopify/${conn.id}`,
    payload: body,
    headers: {
      'content-type': 'application/json',
      'x-shopify-topic': topic,
      'x-shopify-hmac-sha256': signShopifyWebhook(opts.signWith ?? secret, body),
      'x-shopify-webhook-id': opts.webhookId ?? `wh-${++seq}`,
      'x-shopify-shop-domain': 'claimdesk-test.myshopify.com',
      'x-shopify-api-version': '2026-07',
      ...opts.headers,
    },
  }) as Promise<Posted>
}

/** Posts and runs the jobs; returns the delivery's id. */
async function deliver(topic: string, body: string, opts: Parameters<typeof post>[2] = {}): Promise<string> {
  const res = await post(topic, body, opts)
  expect(res.statusCode).toBe(200)
  await runDueJobs(env.ctx, modules)
  return res.json().delivery_id
}

const delivery = (id: string) =>
  env.ctx.db
    .selectFrom('webhook_deliveries')
    .select(['status', 'attempts', 'last_error'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
const deliveryCount = async () =>
  Number(
    (
      await env.ctx.db
        .selectFrom('webhook_deliveries')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('merchant_id', '=', m.id)
        .executeTakeFirstOrThrow()
    ).n,
  )
const order = async (externalId: string): Promise<Order | undefined> =>
  (await listOrders(env.ctx.db, m.id, { source: 'shopify', limit: 100 })).find((o) => o.external_id === externalId)
const events = (type: string) =>
  env.ctx.db
    .selectFrom('outbox')
    .select(['subject_id', 'data'])
    .where('merchant_id', '=', m.id)
    .where('type', '=', type)
    .execute()

const fixtureOrderId = '820982911946154508'
// The published sample is a cancelled, voided test order; a paid copy gets a payment to refund.
const paidOrder = (id: string, updatedAt = '2022-01-02T10:00:00-05:00') =>
  variant('orders-create', [
    [fixtureOrderId, id],
    ['"cancelled_at": "2021-12-31T19:00:00-05:00"', '"cancelled_at": null'],
    ['"cancel_reason": "customer"', '"cancel_reason": null'],
    ['"financial_status": "voided"', '"financial_status": "paid"'],
    ['"total_outstanding": "414.95"', '"total_outstanding": "0.00"'],
    ['"updated_at": "2021-12-31T19:00:00-05:00"', `"updated_at": "${updatedAt}"`],
  ])

describe('Shopify webhooks', () => {
  it('creates the customer, and the order with exact minor-unit totals and its lines, from the published orders/create', async () => {
    const id = await deliver('orders/create', fixture('orders-create'))
    expect(await delivery(id)).toEqual({ status: 'processed', attempts: 1, last_error: null })

    const o = (await order(fixtureOrderId))!
    expect(o).toMatchObject({
      source: 'shopify',
      external_id: fixtureOrderId,
      order_number: '#9999',
      currency: 'USD',
      placed_at: new Date('2022-01-01T00:00:00Z'),
      status: 'cancelled',
      financial_status: 'voided',
      subtotal_amount_minor: 40495,
      discount_amount_minor: 2000,
      shipping_amount_minor: 1000,
      tax_amount_minor: 0,
      total_amount_minor: 40495,
      shipping_country: 'US',
      payments: [], // voided: nothing was captured
    })
    expect(
      o.lines.map((l) => [l.external_id, l.sku, l.name, l.quantity, l.unit_price_amount_minor, l.tax_amount_minor]),
    ).toEqual([
      ['487817672276298554', 'SKU2006-001', 'Aviator sunglasses', 1, 8999, 0],
      ['789012345678901234', 'LENS-PROTECT-2YR', 'Lens Protection Plan (2 Year)', 1, 1999, 0],
      ['890123456789012345', 'CASE-LEATHER-PREM', 'Premium Leather Case', 1, 2499, 0],
      ['976318377106520349', 'SKU2006-020', 'Mid-century lounger', 1, 15999, 0],
      ['315789986012684393', 'SKU2006-035', 'Coffee table', 1, 11999, 0],
    ])
    const customer = await getCustomer(env.ctx.db, m.id, o.customer_id!)
    expect(customer).toMatchObject({
      name: 'John Smith',
      email: 'john@example.com',
      phone: null,
      locale: 'en',
      consent: { email: false, sms: false, whatsapp: false },
      external_ids: [{ source: 'shopify', external_id: '115310627314723954' }],
      redacted_at: null,
    })
    const audit = await env.ctx.db
      .selectFrom('audit_entries')
      .select(['actor_type', 'actor_id', 'request_id'])
      .where('entity_id', '=', o.id)
      .execute()
    const received = await env.ctx.db
      .selectFrom('webhook_deliveries')
      .select('request_id')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    expect(received.request_id).toEqual(expect.any(String))
    // The trail leads back to the HTTP request that delivered the webhook.
    expect(audit).toEqual([{ actor_type: 'system', actor_id: null, request_id: received.request_id }])
  })

  it('stores a webhook sent twice under one x-shopify-webhook-id once and processes it once (dedup on the webhook id)', async () => {
    const body = paidOrder('5000000000000000001')
    const first = await post('orders/create', body, { webhookId: 'dup-1' })
    const again = await post('orders/create', body, { webhookId: 'dup-1' })
    expect(again.json()).toEqual({ received: true, duplicate: true, delivery_id: first.json().delivery_id })
    await runDueJobs(env.ctx, modules)
    expect(await delivery(first.json().delivery_id)).toMatchObject({ status: 'processed', attempts: 1 })
    const o = (await order('5000000000000000001'))!
    expect((await events('order.created')).filter((e) => e.subject_id === o.id)).toHaveLength(1)
    expect(o.payments.map((p) => [p.provider, p.reference, p.captured_amount_minor, p.refunded_amount_minor])).toEqual([
      ['shopify', '5000000000000000001', 40495, 0],
    ])
  })

  it('ignores an orders/updated older than the stored order, and applies a newer one', async () => {
    const id = '5000000000000000002'
    await deliver('orders/create', paidOrder(id, '2022-01-05T00:00:00Z'))
    const before = (await order(id))!
    const older = paidOrder(id, '2022-01-04T00:00:00Z')
      .replace('"total_price": "404.95"', '"total_price": "1.00"')
      .replace('"name": "#9999"', '"name": "#OLD"')
    const stale = await deliver('orders/updated', older)
    expect(await delivery(stale)).toMatchObject({ status: 'ignored' })
    expect(await order(id)).toEqual(before)

    const newer = paidOrder(id, '2022-01-06T00:00:00Z').replace(
      '"closed_at": null',
      '"closed_at": "2022-01-06T00:00:00Z"',
    )
    expect(await delivery(await deliver('orders/updated', newer))).toMatchObject({ status: 'processed' })
    expect(await order(id)).toMatchObject({ status: 'closed', total_amount_minor: 40495 })
  })

  it('records the published fulfillment as a UPS shipment of the order', async () => {
    const id = await deliver('fulfillments/create', fixture('fulfillments-create'))
    expect(await delivery(id)).toMatchObject({ status: 'processed' })
    const o = (await order(fixtureOrderId))!
    const [shipment] = await listShipments(env.ctx.db, m.id, { orderIds: [o.id], limit: 10 })
    expect(shipment).toMatchObject({
      source: 'shopify',
      external_id: '123456',
      carrier: { code: 'ups', name: 'UPS', known: true },
      tracking_number: '1z827wk74630',
      tracking_url: 'https://www.ups.com/WebTracking?loc=en_US&requester=ST&trackNums=1z827wk74630',
      status: 'shipped',
      shipped_at: new Date('2022-01-01T00:00:00Z'),
      destination_country: 'US',
      service: null,
    })
    expect(shipment!.lines).toEqual(o.lines.map((l) => ({ order_line_id: l.id, quantity: 1 })))
  })

  it('retries a fulfillment that arrives before its order, and records it once the order is there', async () => {
    const orderId = '5000000000000000003'
    const fulfillment = variant('fulfillments-create', [
      [fixtureOrderId, orderId],
      ['"id": 123456,', '"id": 654321,'],
      ['"shipment_status": null', '"shipment_status": "delivered"'],
    ])
    const early = await deliver('fulfillments/create', fulfillment)
    expect(await delivery(early)).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: 'order_not_found: No such order',
    })

    await deliver('orders/create', paidOrder(orderId))
    // graphile-worker holds the retry until its backoff ends; run that attempt now.
    await processDeliveryTask({ merchant_id: m.id, delivery_id: early }, env.ctx, { attempts: 2, maxAttempts: 8 })
    expect(await delivery(early)).toMatchObject({ status: 'processed', attempts: 2, last_error: null })
    const o = (await order(orderId))!
    expect(await listShipments(env.ctx.db, m.id, { orderIds: [o.id], limit: 10 })).toMatchObject([
      { external_id: '654321', status: 'delivered', carrier: { code: 'ups' } },
    ])
  })

  it('applies refunds/create once, even when Shopify resends it under a new webhook id or the delivery is replayed', async () => {
    const orderId = '5000000000000000004'
    await deliver('orders/create', paidOrder(orderId))
    const refund = variant('refunds-create', [[fixtureOrderId, orderId]])
    const first = await deliver('refunds/create', refund)
    expect(await delivery(first)).toMatchObject({ status: 'processed' })
    const refunded = async () =>
      (await order(orderId))!.payments.map((p) => [p.captured_amount_minor, p.refunded_amount_minor])
    expect(await refunded()).toEqual([[40495, 8500]]) // 75.00 + 10.00

    const resent = await deliver('refunds/create', refund)
    expect(await delivery(resent)).toMatchObject({ status: 'ignored' })
    const replay = await app.inject({
      method: 'POST',
      url: `/api/v1/webhooks/deliveries/${first}/replay`,
      headers: bearer(m.keys.admin),
    })
    expect(replay.statusCode).toBe(200)
    await runDueJobs(env.ctx, modules)
    expect(await delivery(first)).toMatchObject({ status: 'ignored', attempts: 2 })
    expect(await refunded()).toEqual([[40495, 8500]])
    expect(await events('payment.refunded')).toHaveLength(2)
  })

  it("erases the personal fields of the customer a customers/redact names, and ignores one it doesn't know", async () => {
    const unknown = await deliver('customers/redact', fixture('customers-redact'))
    expect(await delivery(unknown)).toMatchObject({ status: 'ignored' })

    await deliver(
      'orders/create',
      variant('orders-create', [
        [fixtureOrderId, '299938'],
        ['115310627314723954', '191167'],
        ['john@example.com', 'redact.me@example.com'],
      ]),
    )
    const customerId = (await order('299938'))!.customer_id!
    expect(await getCustomer(env.ctx.db, m.id, customerId)).toMatchObject({
      name: 'John Smith',
      email: 'redact.me@example.com',
    })

    const id = await deliver('customers/redact', fixture('customers-redact'))
    expect(await delivery(id)).toMatchObject({ status: 'processed' })
    const redacted = await getCustomer(env.ctx.db, m.id, customerId)
    expect(redacted).toMatchObject({
      name: null,
      email: null,
      phone: null,
      locale: null,
      external_ids: [{ source: 'shopify', external_id: '191167' }],
    })
    expect(redacted.redacted_at).toBeInstanceOf(Date)
    // The first order's buyer shares nothing with this request and keeps their data.
    expect(await getCustomer(env.ctx.db, m.id, (await order(fixtureOrderId))!.customer_id!)).toMatchObject({
      name: 'John Smith',
      email: 'john@example.com',
    })
  })

  it('defers a customers/redact of a customer under legal hold, and erases them when the hold is released', async () => {
    await deliver(
      'orders/create',
      variant('orders-create', [
        [fixtureOrderId, '399938'],
        ['115310627314723954', '291167'],
        ['john@example.com', 'held.me@example.com'],
      ]),
    )
    const customerId = (await order('399938'))!.customer_id!
    const admin = bearer(m.keys.admin)
    const hold = await app.inject({
      method: 'POST',
      url: '/api/v1/holds',
      headers: admin,
      payload: { subject_type: 'customer', subject_id: customerId, reason: 'Chargeback dispute' },
    })
    expect(hold.statusCode, hold.body).toBe(201)

    const id = await deliver('customers/redact', variant('customers-redact', [['191167', '291167']]))
    expect(await delivery(id)).toMatchObject({ status: 'processed' })
    expect(await getCustomer(env.ctx.db, m.id, customerId)).toMatchObject({ email: 'held.me@example.com' })
    const deferred = await env.ctx.db
      .selectFrom('erasure_deferrals')
      .select(['source', 'done_at'])
      .where('customer_id', '=', customerId)
      .execute()
    expect(deferred).toEqual([{ source: 'shopify', done_at: null }])

    const released = await app.inject({
      method: 'POST',
      url: `/api/v1/holds/${hold.json().id}/release`,
      headers: admin,
      payload: { reason: 'Dispute closed' },
    })
    expect(released.statusCode, released.body).toBe(200)
    expect(await getCustomer(env.ctx.db, m.id, customerId)).toMatchObject({ name: null, email: null })
  })

  it('announces customers/data_request and shop/redact as events with ids only, and ignores other topics', async () => {
    expect(await delivery(await deliver('customers/data_request', fixture('customers-data_request')))).toMatchObject({
      status: 'ignored',
    })
    const customerId = (await order('299938'))!.customer_id
    expect(await events('privacy.data_requested')).toEqual([
      {
        subject_id: customerId,
        data: {
          connection_id: conn.id,
          source: 'shopify',
          customer_id: customerId,
          shop_id: '954889',
          external_customer_id: '191167',
          external_order_ids: ['299938', '280263', '220458'],
          data_request_id: '9999',
        },
      },
    ])
    expect(await delivery(await deliver('shop/redact', fixture('shop-redact')))).toMatchObject({ status: 'ignored' })
    expect(await events('privacy.shop_redact_requested')).toEqual([
      { subject_id: conn.id, data: { connection_id: conn.id, source: 'shopify', shop_id: '954889' } },
    ])
    expect(await delivery(await deliver('products/create', '{"foo": "bar"}'))).toMatchObject({ status: 'ignored' })
  })

  it('stores nothing for a bad HMAC, a missing webhook id or a body that is not a JSON object', async () => {
    const before = await deliveryCount()
    const body = fixture('orders-create')
    const forged = await post('orders/create', body, { signWith: 'shpss_not_the_secret_0123456789abcd' })
    expect(forged.statusCode).toBe(401)
    expect(forged.json()).toEqual({
      error: {
        code: 'signature_invalid',
        message: 'x-shopify-hmac-sha256 matches no current secret of this connection',
        details: { reason: 'no_matching_signature' },
      },
    })
    const tampered = await post('orders/create', body, {
      headers: { 'x-shopify-hmac-sha256': signShopifyWebhook(secret, body.replace('404.95', '4.95')) },
    })
    expect(tampered.statusCode).toBe(401)
    const unsigned = await post('orders/create', body, { headers: { 'x-shopify-hmac-sha256': '' } })
    expectError(unsigned, 401, 'signature_invalid', { reason: 'missing_headers' })
    const noId = await post('orders/create', body, { headers: { 'x-shopify-webhook-id': '' } })
    expect(noId.statusCode).toBe(400)
    expect(noId.json()).toEqual({ error: { code: 'dedup_key_invalid', message: 'Send x-shopify-webhook-id' } })
    const notObject = await post('orders/create', '[1, 2]')
    expect(notObject.json()).toEqual({ error: { code: 'invalid_json', message: 'The body is not a JSON object' } })
    // An order note PostgreSQL cannot store would fail on every attempt: refused at intake instead.
    const nul = await post(
      'orders/create',
      fixture('orders-create').replace('"note": null', '"note": "gift\\u0000wrap"'),
    )
    expect([nul.statusCode, nul.json()]).toEqual([
      400,
      {
        error: {
          code: 'payload_invalid',
          message: 'The body holds a NUL character, which cannot be stored',
          details: { path: '/note' },
        },
      },
    ])
    expect(await deliveryCount()).toBe(before)
  })
})
