import { describe, expect, it } from 'vitest'
import { bearer, createTestMerchant, expectError, lackingAllBut, startTestApp } from '../../test/harness.js'

const { env, app, m } = await startTestApp()

async function signIn(email = m.adminEmail, password = m.password) {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } })
  const cookie = res.cookies.find((c) => c.name === 'claimdesk_session')
  return { res, cookie: cookie ? `claimdesk_session=${cookie.value}` : '', csrf: res.json().csrf_token as string }
}

describe('sessions', () => {
  it('signs in with an HttpOnly SameSite cookie and reports the caller', async () => {
    const { res, cookie } = await signIn()
    expect(res.statusCode).toBe(200)
    const set = res.cookies.find((c) => c.name === 'claimdesk_session')!
    expect(set.httpOnly).toBe(true)
    expect(set.sameSite).toBe('Lax')
    expect(res.json()).toMatchObject({
      user_id: m.adminUserId,
      merchant_id: m.id,
      actor_type: 'user',
      name: 'Ada Admin',
    })
    const me = await app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie } })
    expect(me.statusCode).toBe(200)
    expect(me.json().permissions).toContain('users.manage')
  })

  it('answers a wrong password and an unknown email alike', async () => {
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: m.adminEmail, password: 'nope-nope-nope' },
    })
    const unknown = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: 'ghost@nowhere.example', password: 'nope-nope-nope' },
    })
    expect(wrong.statusCode).toBe(401)
    expect(unknown.statusCode).toBe(401)
    expect(wrong.json()).toEqual(unknown.json())
    expect(wrong.json()).toEqual({ error: { code: 'invalid_credentials', message: 'Email or password is wrong' } })
  })

  it('refuses a cookie-authenticated mutation without the CSRF token, accepts it with', async () => {
    const { cookie, csrf } = await signIn()
    const payload = { name: 'Returns desk' }
    const without = await app.inject({ method: 'POST', url: '/api/v1/teams', headers: { cookie }, payload })
    expectError(without, 403, 'csrf_failed')
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/v1/teams',
      headers: { cookie, 'x-csrf-token': `${csrf}x` },
      payload,
    })
    expectError(wrong, 403, 'csrf_failed')
    const ok = await app.inject({
      method: 'POST',
      url: '/api/v1/teams',
      headers: { cookie, 'x-csrf-token': csrf },
      payload,
    })
    expect(ok.statusCode).toBe(201)
  })

  it('logout ends the session', async () => {
    const { cookie, csrf } = await signIn()
    const out = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie, 'x-csrf-token': csrf },
    })
    expect(out.statusCode).toBe(204)
    const me = await app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie } })
    expect(me.statusCode).toBe(401)
  })

  it('locks an email out after five failures in the window, with Retry-After', async () => {
    const email = `victim@${m.slug}.example`
    for (let i = 0; i < 5; i++) {
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email, password: 'guess-guess-guess' },
      })
      expect(r.statusCode).toBe(401)
    }
    const locked = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email, password: 'guess-guess-guess' },
    })
    expectError(locked, 429, 'too_many_attempts', { retry_after_seconds: 900 })
    expect(locked.headers['retry-after']).toBe('900')
  })

  it('slows a guessing address without refusing a correct password for an untouched account from it', async () => {
    const from = (address: string) => (email: string, password: string) =>
      app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: address, payload: { email, password } })
    const login = from('203.0.113.7')
    const elsewhere = from('198.51.100.9')
    for (let i = 0; i < 50; i++) expect((await login(`nobody-${i}@spray.example`, 'Summer2026!')).statusCode).toBe(401)
    const locked = `locked@${m.slug}.example`
    const made = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(m.keys.admin),
      payload: { email: locked, name: 'Lou Locked', password: 'locked-password', role_id: m.roleIds.agent },
    })
    expect(made.statusCode).toBe(201)
    for (let i = 0; i < 5; i++) expect((await elsewhere(locked, 'guess-guess-guess')).statusCode).toBe(401)

    // Past the threshold a wrong guess is refused, and each one asks the address to wait longer.
    const first = await login('another@spray.example', 'Summer2026!')
    const second = await login('yet-another@spray.example', 'Summer2026!')
    expect([first.statusCode, second.statusCode]).toEqual([429, 429])
    expect(first.json()).toEqual({
      error: {
        code: 'too_many_attempts',
        message: 'Too many failed sign-ins from this address; try again later',
        details: { retry_after_seconds: 1 },
      },
    })
    expect(second.json().error.details).toEqual({ retry_after_seconds: 2 })
    expect(second.headers['retry-after']).toBe('2')

    // A person behind the same address who knows their password still gets in.
    const ok = await login(m.adminEmail, m.password)
    expect(ok.statusCode).toBe(200)
    expect(ok.json().user_id).toBe(m.adminUserId)
    // An account under attack stays locked for everyone, the right password included.
    const stillLocked = await elsewhere(locked, 'locked-password')
    expectError(stillLocked, 429, 'too_many_attempts', { retry_after_seconds: 900 })
    // From the hot address an account gets one guess per window: after a miss, even the right password reads as a miss.
    expect((await login(m.adminEmail, 'guess-guess-guess')).statusCode).toBe(429)
    const touched = await login(m.adminEmail, m.password)
    expectError(touched, 429, 'too_many_attempts', { retry_after_seconds: 8 })
    expect((await elsewhere(m.adminEmail, m.password)).statusCode).toBe(200)
  })

  it('changing the password ends the other sessions and needs the current one', async () => {
    const email = `pw@${m.slug}.example`
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(m.keys.admin),
      payload: { email, name: 'Pat Word', password: 'first-password-1', role_id: m.roleIds.agent },
    })
    expect(created.statusCode).toBe(201)
    const a = await signIn(email, 'first-password-1')
    const b = await signIn(email, 'first-password-1')
    const bad = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: { cookie: a.cookie, 'x-csrf-token': a.csrf },
      payload: { current_password: 'wrong-password', new_password: 'second-password-2' },
    })
    expect(bad.statusCode).toBe(401)
    const ok = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: { cookie: a.cookie, 'x-csrf-token': a.csrf },
      payload: { current_password: 'first-password-1', new_password: 'second-password-2' },
    })
    expect(ok.statusCode).toBe(204)
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie: a.cookie } })).statusCode,
    ).toBe(200)
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie: b.cookie } })).statusCode,
    ).toBe(401)
    expect((await signIn(email, 'second-password-2')).res.statusCode).toBe(200)
  })
})

describe('people', () => {
  it('never leaves a workspace without an active admin', async () => {
    const other = await createTestMerchant(env.ctx, 'solo')
    const res = await app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${other.adminUserId}`,
      headers: bearer(other.keys.admin),
      payload: { status: 'disabled' },
    })
    expectError(res, 409, 'last_admin', { user_id: other.adminUserId })
    const demote = await app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${other.adminUserId}`,
      headers: bearer(other.keys.admin),
      payload: { role_id: other.roleIds.viewer },
    })
    expectError(demote, 409, 'last_admin', { user_id: other.adminUserId })
    const second = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(other.keys.admin),
      payload: {
        email: `second@${other.slug}.example`,
        name: 'Second Admin',
        password: 'second-admin-pw',
        role_id: other.roleIds.admin,
      },
    })
    expect(second.statusCode).toBe(201)
    const ok = await app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${other.adminUserId}`,
      headers: bearer(other.keys.admin),
      payload: { status: 'disabled' },
    })
    expect(ok.statusCode).toBe(200)
  })

  it('ends the sessions of a person who is disabled', async () => {
    const email = `leaver@${m.slug}.example`
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(m.keys.admin),
      payload: { email, name: 'Lee Leaver', password: 'leaver-password', role_id: m.roleIds.agent },
    })
    const { cookie } = await signIn(email, 'leaver-password')
    expect((await app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie } })).statusCode).toBe(200)
    await app.inject({
      method: 'PATCH',
      url: `/api/v1/users/${created.json().id}`,
      headers: bearer(m.keys.admin),
      payload: { status: 'disabled' },
    })
    expect((await app.inject({ method: 'GET', url: '/api/v1/auth/session', headers: { cookie } })).statusCode).toBe(401)
    expect((await signIn(email, 'leaver-password')).res.statusCode).toBe(401)
  })
})

describe('API keys', () => {
  it('shows a key once, stores only its hash, and stops accepting it when revoked', async () => {
    const created = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: bearer(m.keys.admin),
      payload: { name: 'Shopify sync', role_id: m.roleIds.agent },
    })
    expect(created.statusCode).toBe(201)
    const { key, api_key } = created.json()
    expect(key).toMatch(/^cd_/)
    expect(api_key.prefix).toBe(key.slice(0, 11))
    const stored = await env.ctx.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', api_key.id)
      .executeTakeFirstOrThrow()
    expect(JSON.stringify(stored)).not.toContain(key)
    const list = await app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: bearer(m.keys.admin) })
    expect(JSON.stringify(list.json())).not.toContain(key)
    expect((await app.inject({ method: 'GET', url: '/api/v1/teams', headers: bearer(key) })).statusCode).toBe(200)
    const used = await env.ctx.db
      .selectFrom('api_keys')
      .select('last_used_at')
      .where('id', '=', api_key.id)
      .executeTakeFirstOrThrow()
    expect(used.last_used_at).toBeInstanceOf(Date)
    const revoked = await app.inject({
      method: 'DELETE',
      url: `/api/v1/api-keys/${api_key.id}`,
      headers: bearer(m.keys.admin),
    })
    expect(revoked.json().revoked_at).not.toBeNull()
    const after = await app.inject({ method: 'GET', url: '/api/v1/teams', headers: bearer(key) })
    expectError(after, 401, 'unauthenticated')
  })

  it('refuses to mint a key stronger than its creator', async () => {
    const manager = await app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(m.keys.admin),
      payload: {
        email: `mgr@${m.slug}.example`,
        name: 'Mo Manager',
        password: 'manager-password',
        role_id: m.roleIds.manager,
      },
    })
    expect(manager.statusCode).toBe(201)
    const custom = await app.inject({
      method: 'POST',
      url: '/api/v1/roles',
      headers: bearer(m.keys.admin),
      payload: { name: 'Key minter', permissions: [{ permission: 'api_keys.manage' }] },
    })
    expect(custom.statusCode).toBe(201)
    const minter = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: bearer(m.keys.admin),
      payload: { name: 'minter', role_id: custom.json().id },
    })
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: bearer(minter.json().key),
      payload: { name: 'escalate', role_id: m.roleIds.admin },
    })
    expectError(res, 403, 'forbidden', lackingAllBut('api_keys.manage'))
  })
})
