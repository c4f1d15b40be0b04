import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { bearer, expectError, lackingAllBut, sessionHeaders, startTestApp } from '../../test/harness.js'

const { env, app, m, other } = await startTestApp({ other: true })

const post = (key: string, payload: object, merchant = m) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/teams',
    headers: { ...bearer(merchant.keys.admin), 'idempotency-key': key },
    payload,
  })

describe('Idempotency-Key', () => {
  it('replays the first response for the same key and body, creating one record', async () => {
    const first = await post('create-team-1', { name: 'Claims desk' })
    const second = await post('create-team-1', { name: 'Claims desk' })
    expect(first.statusCode).toBe(201)
    expect(second.statusCode).toBe(201)
    expect(second.json()).toEqual(first.json())
    expect(second.headers['idempotent-replayed']).toBe('true')
    const teams = await env.ctx.db
      .selectFrom('teams')
      .select('id')
      .where('merchant_id', '=', m.id)
      .where('name', '=', 'Claims desk')
      .execute()
    expect(teams).toHaveLength(1)
  })

  it('keeps a replayable response encrypted at rest (it may hold a secret shown once)', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { ...bearer(m.keys.admin), 'idempotency-key': 'new-key-1' },
      payload: { name: 'CI', role_id: m.roleIds.viewer },
    })
    const { key } = res.json()
    const stored = await env.ctx.db
      .selectFrom('idempotency_keys')
      .select('response_body')
      .where('key', '=', 'new-key-1')
      .executeTakeFirstOrThrow()
    expect(stored.response_body).not.toContain(key)
    const replay = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { ...bearer(m.keys.admin), 'idempotency-key': 'new-key-1' },
      payload: { name: 'CI', role_id: m.roleIds.viewer },
    })
    expect(replay.json().key).toBe(key)
  })

  it('refuses the same key with a different body (422)', async () => {
    await post('create-team-2', { name: 'Returns' })
    const res = await post('create-team-2', { name: 'Refunds' })
    expectError(res, 422, 'idempotency_key_reused')
  })

  it('replays an error response too, so a retry cannot turn a refusal into a success', async () => {
    const first = await post('dup-name', { name: 'Support' }) // a default team: 409
    expect(first.statusCode).toBe(409)
    await env.ctx.db
      .updateTable('teams')
      .set({ name: 'Support (old)' })
      .where('merchant_id', '=', m.id)
      .where('name', '=', 'Support')
      .execute()
    const again = await post('dup-name', { name: 'Support' })
    expect(again.statusCode).toBe(409)
    expect(again.headers['idempotent-replayed']).toBe('true')
  })

  it('scopes keys per workspace', async () => {
    const a = await post('shared-key', { name: 'Escalations' })
    const b = await post('shared-key', { name: 'Escalations' }, other)
    expect(a.statusCode).toBe(201)
    expect(b.statusCode).toBe(201)
    expect(b.json().id).not.toBe(a.json().id)
  })

  it("never replays one actor's response to another: the second runs its own request, authorisation included", async () => {
    const admin = await sessionHeaders(app, m.adminEmail, m.password)
    const body = { name: 'Ops', role_id: m.roleIds.admin }
    const first = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { ...admin, 'idempotency-key': 'idem-1' },
      payload: body,
    })
    expect(first.statusCode).toBe(201)
    const role = await app.inject({
      method: 'POST',
      url: '/api/v1/roles',
      headers: bearer(m.keys.admin),
      payload: { name: 'Key clerk', permissions: [{ permission: 'api_keys.manage' }, { permission: 'cases.read' }] },
    })
    const clerk = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: bearer(m.keys.admin),
      payload: { name: 'clerk', role_id: role.json().id },
    })
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { ...bearer(clerk.json().key), 'idempotency-key': 'idem-1' },
      payload: body,
    })
    expect(res.statusCode).toBe(403)
    expect(res.headers['idempotent-replayed']).toBeUndefined()
    expect(res.body).not.toContain(first.json().key)
    expectError(res, 403, 'forbidden', lackingAllBut('api_keys.manage', 'cases.read'))
  })

  it('gives another actor sending the same key string its own, independent request', async () => {
    const a = await post('per-actor', { name: 'Carrier desk' })
    const b = await app.inject({
      method: 'POST',
      url: '/api/v1/teams',
      headers: { ...bearer(m.keys.manager), 'idempotency-key': 'per-actor' },
      payload: { name: 'Carrier desk 2' },
    })
    expect(a.statusCode).toBe(201)
    expect(b.statusCode).toBe(201)
    expect(b.headers['idempotent-replayed']).toBeUndefined()
    expect(b.json().id).not.toBe(a.json().id)
    const again = await app.inject({
      method: 'POST',
      url: '/api/v1/teams',
      headers: { ...bearer(m.keys.manager), 'idempotency-key': 'per-actor' },
      payload: { name: 'Carrier desk 2' },
    })
    expect(again.headers['idempotent-replayed']).toBe('true')
    expect(again.json()).toEqual(b.json())
  })

  it('answers 409 while the first request with the key is still in progress (unique row held)', async () => {
    const adminKey = await env.ctx.db
      .selectFrom('api_keys')
      .select('id')
      .where('merchant_id', '=', m.id)
      .where('name', '=', 'admin key')
      .executeTakeFirstOrThrow()
    await env.ctx.db
      .insertInto('idempotency_keys')
      .values({
        merchant_id: m.id,
        key: 'in-flight',
        actor_type: 'api_key',
        actor_id: adminKey.id,
        state: 'in_progress',
        request_hash: createHash('sha256')
          .update(`POST /api/v1/teams\n${JSON.stringify({ name: 'Anything' })}`)
          .digest('hex'),
        status_code: null,
        response_body: null,
        created_at: new Date(),
      })
      .execute()
    const res = await post('in-flight', { name: 'Anything' })
    expectError(res, 409, 'idempotency_in_progress')
  })

  it('rejects a malformed key', async () => {
    const res = await post('bad key with spaces', { name: 'X' })
    expectError(res, 400, 'validation_failed', { errors: [{ path: 'headers/idempotency-key', message: 'is invalid' }] })
  })
})
