import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer, createTestApp, expectError, startTestApp } from '../../test/harness.js'
import { systemContext } from '../auth/actor.js'
import { runDueJobs } from '../../test/jobs.js'
import { signedHeaders, seedConnection } from '../intake/testing.js'
import { upsertOrder } from '../orders/service.js'
import { modules } from '../registry.js'
import { getShipment, upsertShipment } from '../shipments/service.js'
import { hmacSha256 } from './providers/shared.js'
import { trackingStatuses } from './model.js'
import { announceOverdue } from './service.js'

const fixture = (path: string) => readFileSync(new URL(`./fixtures/${path}`, import.meta.url), 'utf8')
const vector = (
  JSON.parse(fixture('signatures.json')) as {
    easypost: { vectors: { secret: string; body: string; expected_header_value: string }[] }
  }
).easypost.vectors[0]!

let ep: { id: string; secret: string }
let as: { id: string; secret: string }
let gen: { id: string; secret: string }

const { env, app: started, m, other } = await startTestApp({ other: true })
let app = started // one test restarts it
afterAll(() => app.close())
beforeAll(async () => {
  ep = await seedConnection(env.ctx, m.id, { source: 'carriers', provider: 'easypost', secret: vector.secret })
  as = await seedConnection(env.ctx, m.id, { source: 'carriers', provider: 'aftership', secret: 'aftership-secret' })
  gen = await seedConnection(env.ctx, m.id, { source: 'carriers' })
})

let seq = 0
async function shipment(
  trackingNumber: string,
  carrier: string,
  opts: { merchantId?: string; shippedAt?: Date; estimated?: string } = {},
) {
  const merchantId = opts.merchantId ?? m.id
  return env.ctx.db.transaction().execute(async (trx) => {
    const { order } = await upsertOrder(
      trx,
      systemContext(merchantId),
      {
        source: 'test',
        externalId: `o-${++seq}`,
        currency: 'GBP',
        placedAt: new Date('2026-11-01T10:00:00Z'),
        totalMinor: 12_500,
        customer: { externalId: `c-${seq}`, email: `c${seq}@example.com`, name: 'Casey' },
        lines: [{ name: 'Boots', quantity: 1, unitPriceMinor: 12_500 }],
      },
      new Date(),
    )
    return (
      await upsertShipment(
        trx,
        systemContext(merchantId),
        {
          source: 'test',
          externalId: `s-${seq}`,
          orderId: order.id,
          carrier,
          trackingNumber,
          shippedAt: opts.shippedAt ?? new Date('2026-11-02T10:00:00Z'),
          estimatedDeliveryOn: opts.estimated ?? null,
        },
        new Date(),
      )
    ).shipment
  })
}

const post = (provider: string, connId: string, body: string, headers: Record<string, string>) =>
  app.inject({
    method: 'POST',
    url: `/webhooks/carriers/${provider}/${connId}`,
    payload: body,
    headers: { 'content-type': 'application/json', ...headers },
  })
const easypostHeaders = (body: string, secret = vector.secret) => ({
  'x-hmac-signature': `hmac-sha256-hex=${hmacSha256(Buffer.from(secret.normalize('NFKD')), body).digest('hex')}`,
})
const aftershipHeaders = (body: string, secret = as.secret) => ({
  'aftership-hmac-sha256': hmacSha256(secret, body).digest('base64'),
})
const genericBody = (
  trackingNumber: string,
  events: { status: string; occurred_at: string; id?: string; message?: string }[],
  carrier = 'royal_mail',
) => JSON.stringify({ type: 'tracking.updated', data: { carrier, tracking_number: trackingNumber, events } })
const outbox = (type: string, subject?: string) => {
  let q = env.ctx.db
    .selectFrom('outbox')
    .select(['subject_id', 'data'])
    .where('merchant_id', '=', m.id)
    .where('type', '=', type)
  if (subject) q = q.where('subject_id', '=', subject)
  return q.execute()
}

describe('carrier webhooks', () => {
  it('records the EasyPost SDK webhook, signed as EasyPost signs it, on the shipment it tracks', async () => {
    const body = JSON.parse(vector.body) as { result: { tracking_code: string } }
    const s = await shipment(body.result.tracking_code, 'FedEx')
    const res = await post('easypost', ep.id, vector.body, { 'x-hmac-signature': vector.expected_header_value })
    expect(res.statusCode).toBe(200)
    await runDueJobs(env.ctx, modules)
    const after = await getShipment(env.ctx.db, m.id, s.id)
    expect(after.status).toBe('in_transit')
    const tracking = await app.inject({ url: `/api/v1/shipments/${s.id}/tracking`, headers: bearer(m.keys.viewer) })
    expect(tracking.statusCode).toBe(200)
    const [tracker] = tracking.json().data
    expect(tracker).toMatchObject({ carrier_code: 'fedex', status: 'in_transit', provider: 'easypost' })
    expect(tracker.events).toHaveLength(7)
    const changed = await outbox('shipment.status_changed', s.id)
    expect(changed[0]!.data).toMatchObject({
      status: 'in_transit',
      order_value: { amount_minor: 12_500, currency: 'GBP' },
      carrier: 'fedex',
    })
    expect(changed[0]!.data.customer_id).toBeTruthy()
  })

  it('answers a resent webhook 2xx as a duplicate and records nothing twice', async () => {
    const again = await post('easypost', ep.id, vector.body, { 'x-hmac-signature': vector.expected_header_value })
    expect(again.statusCode).toBe(200)
    expect(again.json().duplicate).toBe(true)
    await runDueJobs(env.ctx, modules)
    const events = await env.ctx.db.selectFrom('tracking_events').select('id').where('merchant_id', '=', m.id).execute()
    expect(events).toHaveLength(7)
  })

  it("refuses a bad signature with 401, stores nothing, and counts it for the connection's health", async () => {
    const before = await env.ctx.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('merchant_id', '=', m.id)
      .execute()
    const res = await post('easypost', ep.id, vector.body, easypostHeaders(vector.body, 'wrong'))
    expectError(res, 401, 'signature_invalid', { reason: 'mismatch' })
    expect(
      await env.ctx.db.selectFrom('webhook_deliveries').select('id').where('merchant_id', '=', m.id).execute(),
    ).toHaveLength(before.length)
    await app.close() // flushes the rejection counter
    app = await createTestApp(env, modules)
    const conn = await app.inject({ url: `/api/v1/carrier-connections/${ep.id}`, headers: bearer(m.keys.admin) })
    expect(conn.json().health.signature_failures_24h).toBe(1)
  })

  it('answers a malformed body 400 with a reason, and stores and ignores non-tracking events', async () => {
    const bad = '{"object":"Event","description":"tracker.updated","result":{"object":"Tracker"}}'
    const res = await post('easypost', ep.id, bad, easypostHeaders(bad))
    expectError(res, 400, 'payload_invalid', {
      provider: 'easypost',
      reason: 'the Tracker has no tracking_code',
    })
    const notJson = await post('aftership', as.id, '{oops', aftershipHeaders('{oops'))
    expect(notJson.statusCode).toBe(400)
    const batch = fixture('easypost/event-batch-created.json')
    const ok = await post('easypost', ep.id, batch, easypostHeaders(batch))
    expect(ok.statusCode).toBe(200)
    await runDueJobs(env.ctx, modules)
    const row = await env.ctx.db
      .selectFrom('webhook_deliveries')
      .select('status')
      .where('id', '=', ok.json().delivery_id)
      .executeTakeFirstOrThrow()
    expect(row.status).toBe('ignored')
    // An event id PostgreSQL cannot store (a NUL character) is the sender's error, not ours.
    const nul = JSON.stringify({ ...JSON.parse(batch), id: 'evt_\u0000nul' })
    const refused = await post('easypost', ep.id, nul, easypostHeaders(nul))
    expectError(refused, 400, 'payload_invalid', { path: '/id' })
  })

  it('refuses a signed webhook with a NUL character in a string at intake, 400 payload_invalid every time it is sent, storing nothing', async () => {
    const before = await env.ctx.db
      .selectFrom('webhook_deliveries')
      .select('id')
      .where('merchant_id', '=', m.id)
      .execute()
    const body = genericBody('NUL-1', [
      { status: 'in_transit', occurred_at: '2026-11-20T10:00:00Z', message: 'Left at\u0000door' },
    ])
    const refused = {
      error: {
        code: 'payload_invalid',
        message: 'The body holds a NUL character, which cannot be stored',
        details: { path: '/data/events/0/message' },
      },
    }
    for (const id of ['msg_nul', 'msg_nul']) {
      const res = await post('generic', gen.id, body, signedHeaders(gen.secret, body, { id }))
      expect([res.statusCode, res.json()]).toEqual([400, refused])
    }
    const easy = JSON.stringify({
      ...JSON.parse(fixture('easypost/event-batch-created.json')),
      description: 'batch\u0000.created',
    })
    const res = await post('easypost', ep.id, easy, easypostHeaders(easy))
    expect([res.statusCode, res.json()]).toEqual([
      400,
      { error: { ...refused.error, details: { path: '/description' } } },
    ])
    expect(
      await env.ctx.db.selectFrom('webhook_deliveries').select('id').where('merchant_id', '=', m.id).execute(),
    ).toHaveLength(before.length)
  })

  it('keeps AfterShip events for a tracking number not known yet, and links them when the shipment arrives', async () => {
    const msg = JSON.parse(fixture('aftership/tracking-delivered.msg.json')) as Record<string, unknown>
    const body = JSON.stringify({
      event: 'tracking_update',
      event_id: 'e1d7a1c4-0000-4000-8000-000000000001',
      is_tracking_first_tag: true,
      msg: { ...msg, tracking_number: 'AS-LATE-1' },
      ts: 1_700_000_000,
    })
    expect((await post('aftership', as.id, body, aftershipHeaders(body))).statusCode).toBe(200)
    await runDueJobs(env.ctx, modules)
    const s = await shipment('AS-LATE-1', 'FedEx')
    await runDueJobs(env.ctx, modules)
    const after = await getShipment(env.ctx.db, m.id, s.id)
    expect(after.status).toBe('delivered')
    expect(after.delivered_at?.toISOString()).toBe('2018-07-25T01:10:00.000Z')
  })

  it('agrees with the normalize endpoint, which stores nothing', async () => {
    const payload = JSON.parse(fixture('easypost/event-tracker-updated-delivered.json')) as unknown
    const count = async () =>
      (await env.ctx.db.selectFrom('trackers').select('id').where('merchant_id', '=', m.id).execute()).length
    const before = await count()
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/carriers/easypost/normalize',
      payload: payload as object,
      headers: bearer(m.keys.admin),
    })
    expect(res.statusCode).toBe(200)
    const [n] = res.json().shipments
    expect(await count()).toBe(before)
    const body = JSON.stringify(payload)
    await post('easypost', ep.id, body, easypostHeaders(body))
    await runDueJobs(env.ctx, modules)
    const tracker = await env.ctx.db
      .selectFrom('trackers')
      .selectAll()
      .where('merchant_id', '=', m.id)
      .where('tracking_number', '=', n.tracking_number)
      .executeTakeFirstOrThrow()
    expect({ status: tracker.status, carrier: tracker.carrier_code, signed_by: tracker.signed_by }).toEqual({
      status: n.status,
      carrier: n.carrier,
      signed_by: n.signed_by,
    })
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/v1/carriers/nope/normalize',
      payload: {},
      headers: bearer(m.keys.admin),
    })
    expect(unknown.statusCode).toBe(422)
  })

  it('never lets an older event regress a newer status', async () => {
    const s = await shipment('RM-ORDER-1', 'Royal Mail')
    const send = async (events: { status: string; occurred_at: string }[]) => {
      const body = genericBody('RM-ORDER-1', events)
      expect((await post('generic', gen.id, body, signedHeaders(gen.secret, body))).statusCode).toBe(200)
      await runDueJobs(env.ctx, modules)
    }
    await send([{ status: 'delivered', occurred_at: '2026-11-21T15:00:00Z' }])
    await send([{ status: 'exception', occurred_at: '2026-11-20T09:00:00Z', message: 'Address unclear' } as never])
    const after = await getShipment(env.ctx.db, m.id, s.id)
    expect(after.status).toBe('delivered')
    const recorded = await outbox('tracking_event.recorded')
    expect(recorded.some((e) => e.data.status === 'exception' && e.data.current === false)).toBe(true)
  })

  it('reaches the same state whatever order the same events arrive in', async () => {
    const events = [
      { id: 'e1', status: 'info_received', occurred_at: '2026-11-01T08:00:00Z' },
      { id: 'e2', status: 'in_transit', occurred_at: '2026-11-01T12:00:00+01:00' },
      { id: 'e3', status: 'customs_hold', occurred_at: '2026-11-02T09:00:00Z' },
      { id: 'e4', status: 'in_transit', occurred_at: '2026-11-03T09:00:00Z' },
      { id: 'e5', status: 'out_for_delivery', occurred_at: '2026-11-04T07:00:00Z' },
      { id: 'e6', status: 'attempt_failed', occurred_at: '2026-11-04T07:00:00Z' },
      { id: 'e7', status: 'delivered', occurred_at: '2026-11-05T10:00:00Z' },
      // The same time and status as e7: the event key breaks the tie, whichever arrives first.
      { id: 'e8', status: 'delivered', sub_status: 'left_with_neighbour', occurred_at: '2026-11-05T10:00:00Z' },
    ]
    let run = 0
    const finals = new Set<string>()
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
        fc.integer({ min: 1, max: 3 }),
        async (order, chunk) => {
          const number = `PROP-${++run}`
          const s = await shipment(number, 'DPD')
          for (let i = 0; i < order.length; i += chunk) {
            const body = genericBody(number, order.slice(i, i + chunk), 'dpd')
            await post('generic', gen.id, body, signedHeaders(gen.secret, body))
          }
          await runDueJobs(env.ctx, modules)
          const after = await getShipment(env.ctx.db, m.id, s.id)
          const row = await env.ctx.db
            .selectFrom('shipments')
            .select(['tracking_status', 'tracking_status_at'])
            .where('id', '=', s.id)
            .executeTakeFirstOrThrow()
          const tracker = await env.ctx.db
            .selectFrom('trackers')
            .select(['sub_status'])
            .where('tracking_number', '=', number)
            .executeTakeFirstOrThrow()
          finals.add(
            JSON.stringify({
              status: after.status,
              tracking: row.tracking_status,
              at: row.tracking_status_at?.toISOString(),
              sub: tracker.sub_status,
            }),
          )
        },
      ),
      { numRuns: 12 },
    )
    expect([...finals]).toEqual([
      JSON.stringify({
        status: 'delivered',
        tracking: 'delivered',
        at: '2026-11-05T10:00:00.000Z',
        sub: 'left_with_neighbour',
      }),
    ])
    expect(trackingStatuses).toContain('customs_hold')
  })

  it('announces stale and late shipments once, and lists them', async () => {
    const quiet = await shipment('QUIET-1', 'Evri', { shippedAt: new Date(Date.now() - 10 * 86_400_000) })
    const late = await shipment('LATE-1', 'Evri', { estimated: '2026-01-01' })
    await announceOverdue(env.ctx.db, [m.id], new Date())
    await announceOverdue(env.ctx.db, [m.id], new Date())
    expect(await outbox('shipment.stale', quiet.id)).toHaveLength(1)
    expect(await outbox('shipment.late', late.id)).toHaveLength(1)
    const stale = await app.inject({
      url: '/api/v1/carriers/stale-shipments?limit=200',
      headers: bearer(m.keys.viewer),
    })
    expect(stale.json().data.map((r: { id: string }) => r.id)).toContain(quiet.id)
    const lateList = await app.inject({
      url: '/api/v1/carriers/late-shipments?limit=200',
      headers: bearer(m.keys.viewer),
    })
    expect(lateList.json().data.map((r: { id: string }) => r.id)).toContain(late.id)
  })

  it('keeps workspaces apart: a tracking number known to another workspace links nothing here', async () => {
    const theirs = await shipment('SHARED-1', 'Royal Mail', { merchantId: other.id })
    const body = genericBody('SHARED-1', [{ status: 'lost', occurred_at: '2026-11-10T10:00:00Z' }])
    await post('generic', gen.id, body, signedHeaders(gen.secret, body))
    await runDueJobs(env.ctx, modules)
    expect((await getShipment(env.ctx.db, other.id, theirs.id)).status).not.toBe('exception')
    const res = await app.inject({ url: `/api/v1/carrier-connections/${ep.id}`, headers: bearer(other.keys.admin) })
    expect(res.statusCode).toBe(404)
  })

  it('creates carrier connections with their webhook URL, and refuses unknown providers', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/carrier-connections',
      payload: { provider: 'generic', name: 'Feed' },
      headers: bearer(m.keys.admin),
    })
    expect(res.statusCode).toBe(201)
    expect(res.json().connection.webhook_url).toContain(`/webhooks/carriers/generic/${res.json().connection.id}`)
    expect(res.json().webhook_secret).toMatch(/^whsec_/)
    const noSecret = await app.inject({
      method: 'POST',
      url: '/api/v1/carrier-connections',
      payload: { provider: 'easypost', name: 'EP' },
      headers: bearer(m.keys.admin),
    })
    expect(noSecret.statusCode).toBe(422)
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/v1/carrier-connections',
      payload: { provider: 'pigeon', name: 'P', webhook_secret: 'x' },
      headers: bearer(m.keys.admin),
    })
    expect(unknown.statusCode).toBe(422)
  })
})

describe('connection health before the first event', () => {
  it('says a connection that never received an event is awaiting its first event, not healthy, until one arrives', async () => {
    const fresh = await seedConnection(env.ctx, m.id, { source: 'carriers' })
    const before = await app.inject({ url: `/api/v1/carrier-connections/${fresh.id}`, headers: bearer(m.keys.admin) })
    expect(before.json().health).toMatchObject({ state: 'awaiting_first_event', reasons: [], last_received_at: null })
    const body = genericBody('RM555000001GB', [{ status: 'in_transit', occurred_at: '2026-11-03T08:00:00Z' }])
    expect((await post('generic', fresh.id, body, signedHeaders(fresh.secret, body))).statusCode).toBe(200)
    const after = await app.inject({ url: `/api/v1/carrier-connections/${fresh.id}`, headers: bearer(m.keys.admin) })
    expect(after.json().health.state).toBe('healthy')
  })
})
