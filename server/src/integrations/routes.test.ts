import { describe, expect, it } from 'vitest'
import { bearer, expectError, startTestApp } from '../../test/harness.js'
import { seedConnection } from '../intake/testing.js'

const shown: string[] = [] // every secret any response ever carried

const config = { publicUrl: 'https://claims.example.com' }
const { env, app, m, other: foreign, call: inject } = await startTestApp({ config, other: 'foreign' })

const url = '/api/v1/integrations/connections'

async function create(payload: object) {
  const res = await inject('POST', url, payload)
  if (res.json().secret) shown.push(res.json().secret)
  return res
}

describe('integration connections', () => {
  it('creates a generic connection with a generated secret shown once, and a webhook URL', async () => {
    const res = await create({
      source: 'carriers',
      provider: 'generic',
      name: 'Acme Freight',
      settings: { account: 'ACME-1' },
    })
    expect(res.statusCode).toBe(201)
    const { connection, secret } = res.json()
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    expect(connection).toEqual({
      id: connection.id,
      source: 'carriers',
      provider: 'generic',
      name: 'Acme Freight',
      status: 'active',
      settings: { account: 'ACME-1' },
      webhook_url: `https://claims.example.com/webhooks/carriers/generic/${connection.id}`,
      secret_versions: [{ id: expect.any(String), created_at: expect.any(String), expires_at: null }],
      created_at: connection.created_at,
      updated_at: connection.updated_at,
    })
    const read = await inject('GET', `${url}/${connection.id}`)
    expect(read.json()).toEqual(connection)
    expect(read.body).not.toContain(secret)
    const stored = await env.ctx.db
      .selectFrom('integration_secrets')
      .select('ciphertext')
      .where('connection_id', '=', connection.id)
      .execute()
    expect(stored).toHaveLength(1)
    expect(stored[0]!.ciphertext).not.toContain(secret.slice(6))
  })

  it('keeps a supplied secret without echoing it, and refuses unusable ones', async () => {
    const secret = `whsec_${Buffer.alloc(24, 7).toString('base64')}`
    shown.push(secret)
    const res = await create({ source: '3pl', provider: 'generic', name: 'Warehouse', secret })
    expect(res.statusCode).toBe(201)
    expect(res.json()).not.toHaveProperty('secret')
    expect(res.body).not.toContain(secret)
    expect(res.json().connection.webhook_url).toMatch(/\/webhooks\/3pl\/generic\//)

    const bad = await create({ source: 'carriers', provider: 'generic', name: 'Bad', secret: 'hunter2' })
    expect(bad.statusCode).toBe(422)
    expect(bad.json()).toEqual({
      error: { code: 'secret_invalid', message: 'The secret must start with whsec_', details: { field: 'secret' } },
    })
    const unknown = await create({ source: 'carriers', provider: 'pigeon', name: 'Pigeon post' })
    expectError(unknown, 422, 'provider_unknown', {
      source: 'carriers',
      provider: 'pigeon',
      known_providers: ['aftership', 'easypost', 'generic'],
    })
    const badSource = await create({ source: 'fax', provider: 'generic', name: 'Fax' })
    expectError(badSource, 400, 'validation_failed', {
      errors: [{ path: 'body/source', message: 'must be equal to one of the allowed values' }],
    })
    const malformed = await app.inject({
      method: 'POST',
      url,
      headers: { ...bearer(m.keys.admin), 'content-type': 'application/json' },
      payload: '{"source":',
    })
    expectError(malformed, 400, 'invalid_json')
  })

  it('renames, disables and re-configures a connection, audited', async () => {
    const { connection } = (await create({ source: 'messaging', provider: 'generic', name: 'SMS hooks' })).json()
    const res = await inject('PATCH', `${url}/${connection.id}`, {
      name: 'SMS inbound',
      status: 'disabled',
      settings: { region: 'eu' },
    })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ name: 'SMS inbound', status: 'disabled', settings: { region: 'eu' } })
    const audit = await env.ctx.db
      .selectFrom('audit_entries')
      .select(['action', 'changes'])
      .where('entity_id', '=', connection.id)
      .orderBy('id')
      .execute()
    expect(audit.map((a) => a.action)).toEqual(['integration_connection.created', 'integration_connection.updated'])
    expect(audit[1]!.changes).toEqual({
      name: { from: 'SMS hooks', to: 'SMS inbound' },
      status: { from: 'active', to: 'disabled' },
      settings: { from: {}, to: { region: 'eu' } },
    })
    expect(audit[0]!.changes.secret).toEqual({}) // that a secret was set, never its value
    const empty = await inject('PATCH', `${url}/${connection.id}`, {})
    expect(empty.statusCode).toBe(400)
  })

  it('rotates a secret with a grace period: both verify until the old one expires', async () => {
    const { connection } = (await create({ source: 'carriers', provider: 'generic', name: 'Rotating' })).json()
    const res = await inject('POST', `${url}/${connection.id}/secrets`, { grace_seconds: 7200 })
    expect(res.statusCode).toBe(201)
    const { connection: after, secret } = res.json()
    shown.push(secret)
    expect(secret).toMatch(/^whsec_/)
    const [current, old] = after.secret_versions
    expect(current.expires_at).toBeNull()
    expect(new Date(old.expires_at).getTime() - new Date(current.created_at).getTime()).toBe(7200_000)
    const audit = await env.ctx.db
      .selectFrom('audit_entries')
      .select('changes')
      .where('entity_id', '=', connection.id)
      .where('action', '=', 'integration_connection.secret_rotated')
      .executeTakeFirstOrThrow()
    expect(audit.changes).toMatchObject({
      secret: {},
      current_secret_ids: { from: [old.id], to: [current.id] },
      previous_secret_expires_at: { from: null, to: old.expires_at },
    })

    const supplied = `whsec_${Buffer.alloc(32, 9).toString('base64')}`
    shown.push(supplied)
    const own = await inject('POST', `${url}/${connection.id}/secrets`, { secret: supplied })
    expect(own.json()).not.toHaveProperty('secret')
    expect(own.json().connection.secret_versions).toHaveLength(3)

    const tooLong = await inject('POST', `${url}/${connection.id}/secrets`, { grace_seconds: 31 * 86400 })
    expectError(tooLong, 400, 'validation_failed', {
      errors: [{ path: 'body/grace_seconds', message: 'must be <= 2592000' }],
    })
  })

  it("needs integrations.read to look and integrations.manage to change; other workspaces' connections are 404", async () => {
    const mine = await seedConnection(env.ctx, m.id, { name: 'Mine' })
    expect((await inject('GET', url, undefined, m.keys.manager)).statusCode).toBe(200)
    expect((await inject('GET', url, undefined, m.keys.viewer)).statusCode).toBe(403)
    expect((await inject('GET', `${url}/${mine.id}`, undefined, m.keys.agent)).statusCode).toBe(403)
    const denied = await inject('POST', `${url}/${mine.id}/secrets`, {}, m.keys.manager)
    expect(denied.statusCode).toBe(403)
    expect(denied.json().error.details).toEqual({ permission: 'integrations.manage' })

    const theirs = await seedConnection(env.ctx, foreign.id, { name: 'Theirs' })
    const notFound = {
      error: { code: 'connection_not_found', message: 'No such connection', details: { connection_id: theirs.id } },
    }
    expect((await inject('GET', `${url}/${theirs.id}`)).json()).toEqual(notFound)
    expect((await inject('PATCH', `${url}/${theirs.id}`, { status: 'disabled' })).json()).toEqual(notFound)
    expect((await inject('POST', `${url}/${theirs.id}/secrets`, {})).json()).toEqual(notFound)
    const list = await inject('GET', url)
    expect(list.json().data.map((c: { id: string }) => c.id)).not.toContain(theirs.id)
  })

  it('lists a page at a time, filtered by source', async () => {
    const page = await inject('GET', `${url}?limit=2`)
    expect(page.json().data).toHaveLength(2)
    const next = await inject('GET', `${url}?limit=2&cursor=${page.json().next_cursor}`)
    expect(next.json().data[0].id > page.json().data[1].id).toBe(true)
    const messaging = await inject('GET', `${url}?source=messaging`)
    expect(messaging.json().data.map((c: { source: string }) => c.source)).toEqual(['messaging'])
  })

  it('never lets a secret out through reads or the audit trail', async () => {
    expect(shown.length).toBeGreaterThanOrEqual(4)
    const reads = [await inject('GET', `${url}?limit=200`)]
    for (const c of reads[0]!.json().data) reads.push(await inject('GET', `${url}/${c.id}`))
    const audit = JSON.stringify(await env.ctx.db.selectFrom('audit_entries').selectAll().execute())
    for (const secret of shown) {
      const key = secret.slice(6)
      for (const r of reads) expect(r.body).not.toContain(key)
      expect(audit).not.toContain(key)
    }
  })
})
