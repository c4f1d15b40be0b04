import { beforeAll, describe, expect, it } from 'vitest'
import { builtinRolePermissions, type BuiltinRole } from '../src/auth/permissions.js'
import { bearer, startTestApp } from './harness.js'
import { FixtureKit, routeFixtures, type RouteRequest } from './route-fixtures.js'

// Every registered route × every role × own/foreign object: no unauthorised 2xx, ever.
// Routes come from the OpenAPI document, so a new route is covered the moment it is registered.

type Operation = { method: string; path: string; permission: string }

let operations: Operation[]

const { env, app, m: own, other: foreign } = await startTestApp({ merchant: 'own', other: 'foreign' })
beforeAll(async () => {
  const doc = app.swagger() as unknown as { paths: Record<string, Record<string, { 'x-permission': string }>> }
  operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, permission: op['x-permission'] })),
  )
})

const roles: BuiltinRole[] = ['admin', 'manager', 'agent', 'finance', 'viewer']

function urlOf(op: Operation, req: RouteRequest) {
  const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const v = req.params?.[name]
    if (!v) throw new Error(`fixture for ${op.method} ${op.path} gives no {${name}}`)
    return encodeURIComponent(v)
  })
  const qs = req.query ? `?${new URLSearchParams(req.query)}` : ''
  return path + qs
}

async function send(
  op: Operation,
  req: RouteRequest,
  headers: Record<string, string>,
): Promise<{ statusCode: number; body: string }> {
  if (req.stream) {
    const res = await app.inject({ method: 'GET', url: urlOf(op, req), headers, payloadAsStream: true })
    const stream = res.stream()
    if (res.statusCode === 200) {
      stream.destroy()
      return { statusCode: 200, body: '' }
    }
    const chunks: Buffer[] = []
    for await (const c of stream) chunks.push(c as Buffer)
    return { statusCode: res.statusCode, body: Buffer.concat(chunks).toString() }
  }
  const hasBody = op.method !== 'GET' && op.method !== 'DELETE'
  if (req.raw)
    return app.inject({
      method: op.method as 'POST',
      url: urlOf(op, req),
      headers: { ...headers, 'content-type': req.raw.contentType },
      payload: req.raw.payload,
    })
  return app.inject({
    method: op.method as 'GET',
    url: urlOf(op, req),
    headers,
    ...(hasBody ? { payload: (req.body ?? {}) as object } : {}),
  })
}

const mentions = (req: RouteRequest, ids: Set<string>) => [...ids].some((id) => JSON.stringify(req).includes(id))

describe('RBAC matrix', () => {
  it('has a fixture for every /api/v1 operation', () => {
    const api = operations.filter((o) => o.path.startsWith('/api/v1'))
    expect(api.length).toBeGreaterThan(20)
    const missing = api
      .filter((o) => o.permission !== 'public' && !routeFixtures[`${o.method} ${o.path}`])
      .map((o) => `${o.method} ${o.path}`)
    expect(missing, 'add these to server/test/route-fixtures.ts').toEqual([])
  })

  it('lets no role, and no workspace, get a 2xx it is not entitled to', async () => {
    const violations: string[] = []
    let positiveControls = 0
    let foreignChecks = 0
    for (const op of operations) {
      const key = `${op.method} ${op.path}`
      const fixture = routeFixtures[key]
      if (!op.path.startsWith('/api/v1') || op.permission === 'public' || !fixture) continue

      const anonymous = await send(op, await fixture(new FixtureKit(env.ctx, own)), {})
      if (anonymous.statusCode !== 401) violations.push(`${key} without credentials answered ${anonymous.statusCode}`)

      for (const role of roles) {
        const entitled =
          op.permission === 'authenticated' ||
          (builtinRolePermissions[role] as readonly string[]).includes(op.permission)
        const ownReq = await fixture(new FixtureKit(env.ctx, own))
        const res = await send(op, ownReq, bearer(own.keys[role]))
        if (!entitled && res.statusCode !== 403)
          violations.push(`${key} as ${role} (lacks ${op.permission}) answered ${res.statusCode}`)
        if (entitled && role === 'admin') {
          const expected = ownReq.ownStatus
          const ok = expected ? res.statusCode === expected : res.statusCode >= 200 && res.statusCode < 300
          if (!ok)
            violations.push(
              `${key} as admin on its own data answered ${res.statusCode} ${res.body.slice(0, 200)} (fixture broken?)`,
            )
          else positiveControls++
        }

        const kit = new FixtureKit(env.ctx, foreign)
        const foreignReq = await fixture(kit)
        if (!mentions(foreignReq, kit.created)) continue
        foreignChecks++
        const cross = await send(op, foreignReq, bearer(own.keys[role]))
        if (cross.statusCode < 300)
          violations.push(`${key} as ${role} reached another workspace's record: ${cross.statusCode}`)
        if (entitled && cross.statusCode !== 404)
          violations.push(`${key} as ${role} on a foreign id answered ${cross.statusCode}, not 404`)
      }
    }
    expect(violations).toEqual([])
    // The matrix proves something only if entitled requests do succeed and foreign ids were tried.
    expect(positiveControls).toBeGreaterThan(20)
    expect(foreignChecks).toBeGreaterThan(30)
  }, 120_000) // every operation as every role, on its own and a foreign record: 17 s on a quiet 2-core machine, 50 s on a busy one

  it('enforces a custom role exactly as declared', async () => {
    const role = await app.inject({
      method: 'POST',
      url: '/api/v1/roles',
      headers: bearer(own.keys.admin),
      payload: { name: 'Team reader', permissions: [{ permission: 'teams.read' }] },
    })
    const key = await app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: bearer(own.keys.admin),
      payload: { name: 'reader', role_id: role.json().id },
    })
    const headers = bearer(key.json().key)
    expect((await app.inject({ method: 'GET', url: '/api/v1/teams', headers })).statusCode).toBe(200)
    const denied = await app.inject({ method: 'GET', url: '/api/v1/users', headers })
    expect(denied.statusCode).toBe(403)
    expect(denied.json()).toEqual({
      error: {
        code: 'forbidden',
        message: 'This needs the users.read permission',
        details: { permission: 'users.read' },
      },
    })
  })
})
