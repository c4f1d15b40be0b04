import { createPublicKey, verify } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { bearer, expectError, startTestApp, type TestMerchant } from '../../test/harness.js'
import { checkpointArchive } from './archive.js'
import { checkpointChains, auditSigner } from './checkpoints.js'
import { drain, entryIdAt, tamper } from './testing/chains.js'

const { env, app, m, other: foreign, call } = await startTestApp({ merchant: 'own', other: 'foreign' })

const get = (url: string, key = m.keys.admin) => call('GET', url, undefined, key)

async function createTeam(merchant: TestMerchant, name: string): Promise<string> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/teams',
    headers: bearer(merchant.keys.admin),
    payload: { name },
  })
  expect(res.statusCode).toBe(201)
  return res.json().id
}

describe('GET /api/v1/audit', () => {
  it("lists one record's entries, oldest first, with seq and hash once chained", async () => {
    const team = await createTeam(m, 'Returns desk')
    await createTeam(m, 'Other desk')
    const patch = await app.inject({
      method: 'PATCH',
      url: `/api/v1/teams/${team}`,
      headers: bearer(m.keys.admin),
      payload: { name: 'Returns' },
    })
    expect(patch.statusCode).toBe(200)

    const pending = await get(`/api/v1/audit?entity_type=team&entity_id=${team}`)
    expect(pending.statusCode).toBe(200)
    expect(pending.json().data.map((e: { action: string; seq: null }) => [e.action, e.seq])).toEqual([
      ['team.created', null],
      ['team.updated', null],
    ])

    await drain(env.ctx.db, new Date())
    const res = await get(`/api/v1/audit?entity_type=team&entity_id=${team}`)
    expect((await get(`/api/v1/audit?entity=team:${team}`)).json()).toEqual(res.json())
    for (const [bad, message] of [
      ['entity=team', 'must match pattern "^[a-z_]{1,100}:[^\\s]{1,200}$"'],
      [`entity=team:${team}&entity_id=${team}`, 'names no single record'],
      ['entity_type=team', 'names no single record'],
    ]) {
      const refused = await get(`/api/v1/audit?${bad}`)
      expectError(refused, 400, 'validation_failed', { errors: [{ path: 'querystring/entity', message }] })
    }
    const [created, updated] = res.json().data
    expect(res.json().next_cursor).toBeNull()
    expect(updated).toEqual({
      id: expect.any(String),
      occurred_at: expect.stringMatching(/Z$/),
      actor_type: 'api_key',
      actor_id: expect.any(String),
      action: 'team.updated',
      entity_type: 'team',
      entity_id: team,
      changes: { name: { from: 'Returns desk', to: 'Returns' } },
      request_id: patch.headers['x-request-id'],
      seq: expect.any(Number),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    })
    expect(updated.seq).toBeGreaterThan(created.seq)
  })

  it('pages with a cursor', async () => {
    const team = await createTeam(m, 'Paged desk')
    for (const name of ['P1', 'P2', 'P3']) {
      await app.inject({
        method: 'PATCH',
        url: `/api/v1/teams/${team}`,
        headers: bearer(m.keys.admin),
        payload: { name },
      })
    }
    const first = await get(`/api/v1/audit?entity_type=team&entity_id=${team}&limit=3`)
    expect(first.json().data).toHaveLength(3)
    const rest = await get(
      `/api/v1/audit?entity_type=team&entity_id=${team}&limit=3&cursor=${first.json().next_cursor}`,
    )
    expect(rest.json()).toMatchObject({ data: [{ changes: { name: { from: 'P2', to: 'P3' } } }], next_cursor: null })
  })

  it("never shows another workspace's entries: a foreign record answers 404", async () => {
    const theirs = await createTeam(foreign, 'Their desk')
    const res = await get(`/api/v1/audit?entity_type=team&entity_id=${theirs}`)
    expect(res.statusCode).toBe(404)
    expect(res.json()).toEqual({
      error: {
        code: 'audit_record_not_found',
        message: 'This workspace has no audit entries for that record',
        details: { entity_type: 'team', entity_id: theirs },
      },
    })
  })

  it('needs audit.read', async () => {
    const res = await get(`/api/v1/audit?entity_type=team&entity_id=x`, m.keys.agent)
    expect(res.statusCode).toBe(403)
    expect(res.json().error).toEqual({
      code: 'forbidden',
      message: 'This needs the audit.read permission',
      details: { permission: 'audit.read' },
    })
  })

  it("keeps personal fields out of the trail: a new person's email is stored only as a keyed hash", async () => {
    const email = `Zoe.Private+${m.slug}@example.com`
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(m.keys.admin),
      payload: { email, name: 'Zoe Private', password: 'zoe-password-1', role_id: m.roleIds.agent },
    })
    expect(res.statusCode).toBe(201)
    const { rows } = await env.ctx.pool.query<{ row: string }>('select a::text as row from audit_entries a')
    expect(
      rows.filter((r) => r.row.toLowerCase().includes(email.toLowerCase()) || r.row.includes('Zoe Private')),
    ).toEqual([])
    const list = await get(`/api/v1/audit?entity_type=user&entity_id=${res.json().id}`)
    expect(list.json().data[0].changes.email).toEqual({
      from_hash: null,
      to_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    })
  })
})

describe('GET /api/v1/audit/verify', () => {
  it('reports an intact chain, then the first bad seq once an entry is edited, both with 200', async () => {
    await drain(env.ctx.db, new Date())
    const ok = await get('/api/v1/audit/verify')
    expect(ok.statusCode).toBe(200)
    expect(ok.json()).toEqual({
      ok: true,
      entries_checked: expect.any(Number),
      checkpoints_checked: 0,
      external_checkpoints_checked: 0,
      head: { seq: ok.json().entries_checked, hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    })

    await tamper(env.adminUrl, [
      [
        `update audit_entries set actor_id = 'someone-else' where merchant_id = $1 and id = $2`,
        [foreign.id, await entryIdAt(env.ctx.pool, foreign.id, 2)],
      ],
    ])
    const bad = await get('/api/v1/audit/verify', foreign.keys.admin)
    expect(bad.statusCode).toBe(200)
    expect(bad.json()).toMatchObject({ ok: false, first_bad_seq: 2, problem: 'entry_edited' })
    expect((await get('/api/v1/audit/verify')).json().ok).toBe(true)
  })
})

describe('GET /api/v1/audit/checkpoints', () => {
  it('publishes checkpoints and the public key so anyone can check them offline', async () => {
    await drain(env.ctx.db, new Date())
    await checkpointChains(
      env.ctx.db,
      auditSigner(env.ctx.keys.audit),
      new Date('2026-03-01T12:00:00.000Z'),
      checkpointArchive(env.ctx.config),
    )
    const res = await get('/api/v1/audit/checkpoints?limit=1')
    expect(res.statusCode).toBe(200)
    const { data, next_cursor, public_key } = res.json()
    expect(next_cursor).toBeNull()
    expect(public_key).toEqual({
      algorithm: 'Ed25519',
      key_id: expect.stringMatching(/^[0-9a-f]{16}$/),
      pem: expect.stringContaining('BEGIN PUBLIC KEY'),
    })
    const [cp] = data
    expect(cp).toEqual({
      merchant_id: m.id,
      seq: expect.any(Number),
      head_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      signed_at: '2026-03-01T12:00:00.000Z',
      key_id: public_key.key_id,
      signature: expect.any(String),
    })
    const message = JSON.stringify({
      head_hash: cp.head_hash,
      merchant_id: cp.merchant_id,
      seq: cp.seq,
      signed_at: cp.signed_at,
    })
    expect(
      verify(null, Buffer.from(message), createPublicKey(public_key.pem), Buffer.from(cp.signature, 'base64')),
    ).toBe(true)
    expect((await get('/api/v1/audit/verify')).json()).toMatchObject({
      ok: true,
      checkpoints_checked: 1,
      external_checkpoints_checked: 1,
    })
  })

  it('refuses a cursor it did not make', async () => {
    const res = await get(`/api/v1/audit/checkpoints?cursor=${Buffer.from('seq:x').toString('base64url')}`)
    expectError(res, 400, 'validation_failed', {
      errors: [{ path: 'querystring/cursor', message: 'is not a cursor from this API' }],
    })
  })
})
