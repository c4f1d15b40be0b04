import { describe, expect, it } from 'vitest'
import { bearer, expectError, startTestApp } from '../../test/harness.js'
import { pendingJobs, runDueJobs } from '../../test/jobs.js'
import { newId } from '../ids.js'
import { modules } from '../registry.js'
import { generateSecret } from './providers/standard-webhooks.js'
import { DeliveryBatcher } from './batcher.js'
import { authenticateWebhook, normalizeHeaders } from './service.js'
import { processDeliveryTask } from './tasks.js'
import { seedConnection, signedHeaders } from './testing.js'

const { env, app, m } = await startTestApp()
const conn = await seedConnection(env.ctx, m.id)

const urlOf = (id = conn.id, source = '3pl', provider = 'generic') => `/webhooks/${source}/${provider}/${id}`
const post = (body: string | Buffer, headers: Record<string, string>, url = urlOf()) =>
  app.inject({ method: 'POST', url, payload: body, headers })

async function deliveryCount(): Promise<number> {
  const row = await env.ctx.db
    .selectFrom('webhook_deliveries')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('merchant_id', '=', m.id)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

// A stored webhook waits for the inbox drain by its status, with no job of its own (until a failure).
const processJobsFor = async (deliveryId: string) =>
  (await pendingJobs(env.ctx)).filter((j) => j.payload.delivery_id === deliveryId)

const event = (type: string) =>
  JSON.stringify({ type, timestamp: '2026-11-22T10:00:00Z', data: { tracking_number: '1Z999AA10123456784' } })

describe('receiving webhooks', () => {
  it('stores a webhook posted twice once, processes it once and emits one webhook.received (dedup on webhook-id)', async () => {
    const body = event('shipment.delivered')
    const first = await post(body, signedHeaders(conn.secret, body, { id: 'msg_twice' }))
    expect(first.statusCode).toBe(200)
    const id = first.json().delivery_id as string
    expect(first.json()).toEqual({ received: true, duplicate: false, delivery_id: id })
    // The sender's retry is re-signed with a new timestamp; same webhook-id, so the same delivery.
    const again = await post(
      body,
      signedHeaders(conn.secret, body, { id: 'msg_twice', at: new Date(Date.now() + 1000) }),
    )
    expect(again.json()).toEqual({ received: true, duplicate: true, delivery_id: id })

    const rows = await env.ctx.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'status'])
      .where('dedup_key', '=', 'msg_twice')
      .execute()
    expect(rows).toEqual([{ id, status: 'received' }])
    expect(await processJobsFor(id)).toHaveLength(0)

    await runDueJobs(env.ctx, modules)
    // A stray run of a job for it (a retry racing the drain) changes nothing.
    await processDeliveryTask({ merchant_id: m.id, delivery_id: id }, env.ctx, { attempts: 1, maxAttempts: 8 })
    const third = await post(body, signedHeaders(conn.secret, body, { id: 'msg_twice' }))
    expect(third.json()).toEqual({ received: true, duplicate: true, delivery_id: id })
    expect(await processJobsFor(id)).toHaveLength(0)

    const stored = await env.ctx.db
      .selectFrom('webhook_deliveries')
      .select(['status', 'attempts', 'processed_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    expect(stored).toMatchObject({ status: 'processed', attempts: 1 })
    const events = await env.ctx.db
      .selectFrom('outbox')
      .selectAll()
      .where('merchant_id', '=', m.id)
      .where('type', '=', 'webhook.received')
      .where('subject_id', '=', id)
      .execute()
    expect(events).toHaveLength(1)
    expect(events[0]!.data).toEqual({
      delivery_id: id,
      connection_id: conn.id,
      source: '3pl',
      provider: 'generic',
      webhook_id: 'msg_twice',
      event_type: 'shipment.delivered',
    })
  })

  it('has committed the raw delivery by the time it answers 2xx', async () => {
    const body = Buffer.from(`{"type":"shipment.exception","note":"caf\u00e9 \u2603",  "spaced" : true}`)
    const signature = signedHeaders(conn.secret, body)
    const headers = {
      ...signature,
      authorization: 'Basic c2VjcmV0OnNlY3JldA==',
      cookie: 'session=abc',
      'X-Carrier-Trace': 'abc-123',
    }
    const res = await post(body, headers)
    expect(res.statusCode).toBe(200)
    // Read on another connection of the pool: only committed rows are visible there.
    const { rows } = await env.ctx.pool.query(
      'select body, headers, content_type, status from webhook_deliveries where id = $1',
      [res.json().delivery_id],
    )
    expect(rows).toHaveLength(1)
    expect(Buffer.compare(rows[0].body, body)).toBe(0)
    expect(rows[0].content_type).toBe('application/json')
    expect(rows[0].headers['x-carrier-trace']).toBe('abc-123')
    expect(rows[0].headers['webhook-id']).toBe(signature['webhook-id'])
    expect(rows[0].headers).not.toHaveProperty('authorization')
    expect(rows[0].headers).not.toHaveProperty('cookie')
  })

  it('stores nothing for a bad signature, a stale timestamp, an unknown or a disabled connection', async () => {
    const before = await deliveryCount()
    const body = event('shipment.delivered')
    const sigInvalid = (reason: string, message: string) => ({
      error: { code: 'signature_invalid', message, details: { reason } },
    })

    const forged = await post(body, signedHeaders(generateSecret(), body))
    expect(forged.statusCode).toBe(401)
    expect(forged.json()).toEqual(
      sigInvalid('no_matching_signature', 'No webhook-signature matches a current secret of this connection'),
    )

    const tampered = await post(body.replace('delivered', 'returned'), signedHeaders(conn.secret, body))
    expect(tampered.json().error.details.reason).toBe('no_matching_signature')

    const stale = await post(body, signedHeaders(conn.secret, body, { at: new Date(Date.now() - 6 * 60_000) }))
    expect(stale.statusCode).toBe(401)
    expect(stale.json()).toEqual(
      sigInvalid('timestamp_out_of_tolerance', 'webhook-timestamp is more than 300 seconds from now'),
    )

    const unsigned = await post(body, { 'content-type': 'application/json' })
    expect(unsigned.json()).toEqual(
      sigInvalid('missing_headers', 'Send webhook-id, webhook-timestamp and webhook-signature'),
    )

    // Unknown id, another source, another provider's path, a non-uuid and a disabled connection answer alike.
    const notFound = { error: { code: 'connection_not_found', message: 'No such connection' } }
    const other = await seedConnection(env.ctx, m.id, { source: 'messaging', name: 'Messaging hooks' })
    for (const url of [urlOf(newId()), urlOf(conn.id, 'messaging'), urlOf(other.id, '3pl'), urlOf('not-a-uuid')]) {
      const res = await post(body, signedHeaders(conn.secret, body), url)
      expect(res.statusCode, url).toBe(404)
      expect(res.json(), url).toEqual(notFound)
    }
    const unknownProvider = await post(body, signedHeaders(conn.secret, body), urlOf(conn.id, '3pl', 'nosuchcarrier'))
    expect(unknownProvider.statusCode).toBe(404)
    expect(unknownProvider.json()).toEqual({
      error: { code: 'provider_not_found', message: 'No webhook provider 3pl/nosuchcarrier' },
    })

    const disable = await app.inject({
      method: 'PATCH',
      url: `/api/v1/integrations/connections/${conn.id}`,
      headers: bearer(m.keys.admin),
      payload: { status: 'disabled' },
    })
    expect(disable.statusCode).toBe(200)
    const disabled = await post(body, signedHeaders(conn.secret, body))
    expect(disabled.statusCode).toBe(404)
    expect(disabled.json()).toEqual(notFound)
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/integrations/connections/${conn.id}`,
      headers: bearer(m.keys.admin),
      payload: { status: 'active' },
    })

    expect(await deliveryCount()).toBe(before)
  })

  it('answers malformed bodies with 4xx envelopes, never 500, and stores none of them', async () => {
    const before = await deliveryCount()
    const signed = (body: string | Buffer, contentType = 'application/json') => ({
      ...signedHeaders(conn.secret, body),
      'content-type': contentType,
    })
    const invalidJson = { error: { code: 'invalid_json', message: 'The body is not valid JSON' } }

    const notJson = await post('{"type": "shipment.delivered"', signed('{"type": "shipment.delivered"'))
    expect(notJson.statusCode).toBe(400)
    expect(notJson.json()).toEqual(invalidJson)
    const text = await post('hello', signed('hello', 'text/plain'))
    expect(text.json()).toEqual(invalidJson)
    const empty = await app.inject({ method: 'POST', url: urlOf(), headers: signed('') })
    expect(empty.statusCode).toBe(400)
    expect(empty.json()).toEqual(invalidJson)
    // Without a content type the bytes still arrive (and here fail the signature); an empty one is malformed.
    const noType = await app.inject({ method: 'POST', url: urlOf(), payload: 'garbage' })
    expectError(noType, 401, 'signature_invalid', { reason: 'missing_headers' })
    const blankType = await app.inject({
      method: 'POST',
      url: urlOf(),
      payload: 'garbage',
      headers: { 'content-type': '' },
    })
    expectError(blankType, 415, 'unsupported_media_type')

    const huge = Buffer.alloc(6 * 1024 * 1024, 0x61)
    const tooLarge = await post(huge, signed(huge))
    expect(tooLarge.statusCode).toBe(413)
    expect(tooLarge.json()).toEqual({ error: { code: 'payload_too_large', message: 'The request body is too large' } })

    expect(await deliveryCount()).toBe(before)
    // Just under the limit is accepted: the 5 MiB limit is this route's, not the API's 1 MiB.
    const big = JSON.stringify({ type: 'manifest.uploaded', data: 'x'.repeat(4 * 1024 * 1024) })
    const ok = await post(big, signed(big))
    expect(ok.statusCode).toBe(200)
  })

  it('refuses, after the signature, a body nested deeper than 64 levels or holding a NUL character, and stores neither', async () => {
    const before = await deliveryCount()
    const deep = `{"type":"x","data":${'['.repeat(500_000)}${']'.repeat(500_000)}}`
    const tooDeep = await post(deep, { ...signedHeaders(conn.secret, deep), 'content-type': 'application/json' })
    expect([tooDeep.statusCode, tooDeep.json()]).toEqual([
      400,
      {
        error: { code: 'payload_invalid', message: 'The body nests deeper than 64 levels', details: { max_depth: 64 } },
      },
    ])
    const fine = `{"type":"x","data":${'['.repeat(63)}${']'.repeat(63)}}`
    expect(
      (await post(fine, { ...signedHeaders(conn.secret, fine), 'content-type': 'application/json' })).statusCode,
    ).toBe(200)
    const nul = JSON.stringify({ type: 'shipment\u0000delivered' })
    const withNul = await post(nul, { ...signedHeaders(conn.secret, nul), 'content-type': 'application/json' })
    expect([withNul.statusCode, withNul.json()]).toEqual([
      400,
      {
        error: {
          code: 'payload_invalid',
          message: 'The body holds a NUL character, which cannot be stored',
          details: { path: '/type' },
        },
      },
    ])
    const unsigned = await post(deep, { 'content-type': 'application/json' })
    expectError(unsigned, 401, 'signature_invalid', { reason: 'missing_headers' })
    expect(await deliveryCount()).toBe(before + 1)
  })

  it('keeps verifying the old secret during the grace period, and not after', async () => {
    const own = await seedConnection(env.ctx, m.id, { name: 'Rotating carrier' })
    const rotate = await app.inject({
      method: 'POST',
      url: `/api/v1/integrations/connections/${own.id}/secrets`,
      headers: bearer(m.keys.admin),
      payload: { grace_seconds: 3600 },
    })
    expect(rotate.statusCode).toBe(201)
    const next = rotate.json().secret as string
    expect(next).toMatch(/^whsec_/)

    const body = event('shipment.in_transit')
    expect((await post(body, signedHeaders(own.secret, body), urlOf(own.id))).statusCode).toBe(200)
    expect((await post(body, signedHeaders(next, body), urlOf(own.id))).statusCode).toBe(200)

    // An hour and a second later (injected), only the new secret verifies.
    const later = new Date(Date.now() + 3601_000)
    const authenticate = (secret: string) =>
      authenticateWebhook(
        env.ctx.db,
        env.ctx.keys.secrets,
        {
          source: '3pl',
          provider: 'generic',
          connectionId: own.id,
          rawBody: Buffer.from(body),
          headers: Object.fromEntries(Object.entries(signedHeaders(secret, body, { at: later }))),
        },
        later,
      )
    await expect(authenticate(own.secret)).rejects.toMatchObject({ code: 'signature_invalid', status: 401 })
    await expect(authenticate(next)).resolves.toMatchObject({ connection: { id: own.id, merchantId: m.id } })

    // A rotation without grace retires the old secret at once.
    const hard = await app.inject({
      method: 'POST',
      url: `/api/v1/integrations/connections/${own.id}/secrets`,
      headers: bearer(m.keys.admin),
      payload: { grace_seconds: 0 },
    })
    const newest = hard.json().secret as string
    expect((await post(body, signedHeaders(next, body), urlOf(own.id))).statusCode).toBe(401)
    expect((await post(body, signedHeaders(newest, body), urlOf(own.id))).statusCode).toBe(200)
  })

  it('counts webhooks by source, provider and outcome', async () => {
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body
    expect(text).toMatch(/claimdesk_webhooks_received_total\{source="3pl",provider="generic",outcome="stored"\} \d+/)
    expect(text).toMatch(/claimdesk_webhooks_received_total\{source="3pl",provider="generic",outcome="duplicate"\} \d+/)
    expect(text).toMatch(
      /claimdesk_webhooks_received_total\{source="3pl",provider="generic",outcome="signature_invalid"\} \d+/,
    )
    expect(text).toMatch(
      /claimdesk_webhooks_received_total\{source="unknown",provider="unknown",outcome="not_found"\} 1/,
    )
    expect(text).toMatch(
      /claimdesk_webhook_deliveries_processed_total\{source="3pl",provider="generic",outcome="processed"\} 1/,
    )
  })
})

const trackingBody = JSON.stringify({ type: 'shipment.delivered', data: { tracking_number: '1Z999AA10123456784' } })

describe('group commit of webhook deliveries', () => {
  it('stores a burst in shared commits, answers each request with its own row, and a repeated id within one batch as its duplicate', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `msg_burst_${i % 20}`) // the last 10 repeat the first 10
    const answers = await Promise.all(
      ids.map((id) =>
        app.inject({
          method: 'POST',
          url: `/webhooks/3pl/generic/${conn.id}`,
          payload: trackingBody,
          headers: signedHeaders(conn.secret, trackingBody, { id }),
        }),
      ),
    )
    expect(answers.map((a) => a.statusCode)).toEqual(ids.map(() => 200))
    // Requests race through verification, so either of two with one id may be the stored one: per id,
    // exactly one answer is new, and every answer names the same delivery.
    const byKey = new Map<string, { deliveryIds: Set<string>; fresh: number }>()
    for (const [i, a] of answers.entries()) {
      const { duplicate, delivery_id: deliveryId } = a.json() as { duplicate: boolean; delivery_id: string }
      const seen = byKey.get(ids[i]!) ?? { deliveryIds: new Set<string>(), fresh: 0 }
      seen.deliveryIds.add(deliveryId)
      if (!duplicate) seen.fresh++
      byKey.set(ids[i]!, seen)
    }
    expect(byKey.size).toBe(20)
    for (const seen of byKey.values())
      expect({ ids: seen.deliveryIds.size, fresh: seen.fresh }).toEqual({ ids: 1, fresh: 1 })
    const { rows } = await env.ctx.pool.query<{ id: string; dedup_key: string; xmin: string }>(
      `select id, dedup_key, xmin::text from webhook_deliveries where merchant_id = $1 and dedup_key like 'msg_burst_%'`,
      [m.id],
    )
    expect(new Map(rows.map((r) => [r.dedup_key, r.id]))).toEqual(
      new Map([...byKey].map(([key, seen]) => [key, [...seen.deliveryIds][0]])),
    )
    // Rows written by one commit share its transaction id: fewer transactions than rows means grouping happened.
    expect(new Set(rows.map((r) => r.xmin)).size).toBeLessThan(rows.length)
  })

  it('retries a batch the database refuses request by request, so only the bad delivery fails', async () => {
    const now = new Date()
    const request = (id: string) => {
      const headers = normalizeHeaders(signedHeaders(conn.secret, trackingBody, { id }))
      return { headers, rawBody: Buffer.from(trackingBody), contentType: 'application/json', requestId: `req-${id}` }
    }
    const auth = (id: string) =>
      authenticateWebhook(
        env.ctx.db,
        env.ctx.keys.secrets,
        { source: '3pl', provider: 'generic', connectionId: conn.id, ...request(id) },
        now,
      )
    const [a, b, c] = await Promise.all([auth('msg_fb_a'), auth('msg_fb_b'), auth('msg_fb_c')])
    // A connection that does not exist: its row breaks the foreign key, and with it the whole statement.
    const orphan = { ...b, connection: { ...b.connection, id: newId() } }
    const batcher = new DeliveryBatcher(env.ctx.db, env.ctx.pool)
    const results = await Promise.allSettled([
      batcher.store(a, request('msg_fb_a'), now),
      batcher.store(orphan, request('msg_fb_b'), now),
      batcher.store(c, request('msg_fb_c'), now),
      batcher.store(a, request('msg_fb_a'), now),
    ])
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
    const [first, , third, again] = results.map((r) => (r.status === 'fulfilled' ? r.value : undefined))
    expect(first!.duplicate).toBe(false)
    expect(third!.duplicate).toBe(false)
    expect(again).toEqual({ deliveryId: first!.deliveryId, duplicate: true })
    const { rows } = await env.ctx.pool.query<{ dedup_key: string }>(
      `select dedup_key from webhook_deliveries where merchant_id = $1 and dedup_key like 'msg_fb_%' order by dedup_key`,
      [m.id],
    )
    expect(rows.map((r) => r.dedup_key)).toEqual(['msg_fb_a', 'msg_fb_c'])
  })
})
