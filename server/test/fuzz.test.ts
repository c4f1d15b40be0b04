import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { bearer, startTestApp } from './harness.js'
import { FixtureKit, routeFixtures, type RouteRequest } from './route-fixtures.js'

// Bad input to every route gets a 4xx error envelope, never a 500: malformed JSON, wrong types,
// huge strings, unknown fields, garbage ids and query values, NUL characters (which PostgreSQL text
// cannot hold) everywhere, crafted cursors, and random JSON documents.

type Operation = { method: string; path: string; query: string[] }
type DocOperation = { parameters?: { in: string; name: string }[] }

let operations: Operation[]

const { env, app, m } = await startTestApp()
beforeAll(async () => {
  const doc = app.swagger() as unknown as { paths: Record<string, Record<string, DocOperation>> }
  operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
    })),
  )
})

const hasBody = (op: Operation) => !['GET', 'DELETE'].includes(op.method)
const seed = Number(process.env.FUZZ_SEED ?? 20261122)
const runs = Number(process.env.FUZZ_RUNS ?? 15)

async function requestFor(op: Operation): Promise<RouteRequest> {
  const fixture = routeFixtures[`${op.method} ${op.path}`]
  if (fixture) return fixture(new FixtureKit(env.ctx, m))
  // Routes without a fixture (public ones such as login, webhooks) get plausible ids.
  const params: Record<string, string> = {}
  for (const [, name] of op.path.matchAll(/\{(\w+)\}/g)) params[name!] = '01930000-0000-7000-8000-000000000000'
  return { params, body: {} }
}

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url')
const at = '2026-11-22T10:00:00.000Z'
const someId = '01930000-0000-7000-8000-000000000000'
// Cursors no list ever wrote: a case-list key of the wrong length or types, a timeline key with a bad id,
// an audit seq past bigint, and valid base64 of junk JSON.
const craftedCursors = [
  ['created_desc', [at]],
  ['created_desc', [at, someId, 'x']],
  ['created_desc', [5, someId]],
  ['priority_desc', ['high', at, someId]],
  ['relevance', [0.5, 'soon', someId]],
  ['created_desc', [null, null]],
  [at, 'not-a-uuid'],
  [at],
  'seq:99999999999999999999',
  { a: 1 },
  'null',
  '[[[[]]]]',
  '"x"',
  '1e999',
].map(b64)

/** The path to every string in a fixture body: where a NUL goes. */
function stringLeaves(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'string') return [path]
  if (value === null || typeof value !== 'object') return []
  return Object.entries(value).flatMap(([k, v]) => stringLeaves(v, [...path, Array.isArray(value) ? Number(k) : k]))
}
function withNul(body: unknown, path: (string | number)[]): unknown {
  const copy = structuredClone(body) as Record<string | number, unknown>
  let parent = copy
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>
  const last = path[path.length - 1]!
  parent[last] = `${String(parent[last])}\u0000`
  return copy
}

function url(op: Operation, params: Record<string, string> = {}, query?: string) {
  return (
    op.path.replace(/\{(\w+)\}/g, (_m, n: string) => encodeURIComponent(params[n] ?? 'x')) + (query ? `?${query}` : '')
  )
}

type Probe = { label: string; run: () => Promise<{ statusCode: number; body: string }> }

async function probesFor(op: Operation): Promise<Probe[]> {
  const req = await requestFor(op)
  const headers = { ...bearer(m.keys.admin) }
  const probes: Probe[] = []
  const inject = (label: string, opts: { url?: string; payload?: string | object; headers?: Record<string, string> }) =>
    probes.push({
      label,
      run: () =>
        app.inject({
          method: op.method as 'POST',
          url: opts.url ?? url(op, req.params),
          headers: { ...headers, ...opts.headers },
          ...(opts.payload !== undefined ? { payload: opts.payload } : {}),
        }),
    })

  for (const bad of [
    'not-a-uuid',
    '../../etc/passwd',
    "' OR 1=1 --",
    'a'.repeat(3000),
    '%00',
    '\u0000',
    `${someId}\u0000`,
    '0',
  ]) {
    for (const name of Object.keys(req.params ?? {}))
      inject(`param ${name}=${bad.slice(0, 20)}`, {
        url: url(op, { ...req.params, [name]: bad }),
        ...(hasBody(op) ? { payload: req.body ?? {} } : {}),
      })
  }
  for (const q of [
    'limit=abc',
    'limit=-1',
    'limit=100000',
    'cursor=%21%21%21',
    `cursor=${'z'.repeat(300)}`,
    'unknown_param=1',
  ]) {
    if (op.method === 'GET') inject(`query ${q.slice(0, 30)}`, { url: url(op, req.params, q) })
  }
  for (const name of op.query)
    inject(`query ${name}=NUL`, {
      url: url(op, req.params, `${name}=a%00`),
      ...(hasBody(op) ? { payload: req.body ?? {} } : {}),
    })
  if (op.query.includes('cursor')) {
    for (const cursor of craftedCursors)
      inject(`cursor ${Buffer.from(cursor, 'base64url').toString().slice(0, 30)}`, {
        url: url(op, req.params, `cursor=${cursor}`),
      })
  }
  if (!hasBody(op)) return probes
  const json = { 'content-type': 'application/json' }
  inject('malformed JSON', { payload: '{"name": ', headers: json })
  inject('empty JSON body', { payload: '', headers: json })
  inject('JSON array', { payload: '[1,2,3]', headers: json })
  inject('JSON string', { payload: '"hello"', headers: json })
  inject('text/plain body', { payload: 'hello', headers: { 'content-type': 'text/plain' } })
  inject('2 MiB body', { payload: JSON.stringify({ blob: 'x'.repeat(2 * 1024 * 1024) }), headers: json })
  inject('unknown field', { payload: { ...(req.body as object), zz_unknown_field: 1 } })
  const body = (req.body ?? {}) as Record<string, unknown>
  for (const leaf of stringLeaves(body))
    inject(`${leaf.join('.')} with NUL`, { payload: withNul(body, leaf) as object })
  const jsonType = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v)
  for (const field of Object.keys(body)) {
    // Values of another JSON type than the valid one (null is left out: many fields are nullable).
    for (const wrong of [12345, true, {}, [], 'x'.repeat(100_000)]) {
      if (jsonType(wrong) === jsonType(body[field]) && typeof wrong !== 'string') continue
      if (typeof wrong === 'string' && typeof body[field] !== 'string') continue
      inject(`${field} = ${JSON.stringify(wrong).slice(0, 20)}`, { payload: { ...body, [field]: wrong } })
    }
  }
  return probes
}

const isEnvelope = (body: string) => {
  try {
    const parsed = JSON.parse(body) as { error?: { code?: unknown; message?: unknown } }
    return typeof parsed.error?.code === 'string' && typeof parsed.error.message === 'string'
  } catch {
    return false
  }
}

describe('bad input to every route', () => {
  it('answers every malformed request with a 4xx error envelope', async () => {
    const failures: string[] = []
    let total = 0
    for (const op of operations) {
      for (const probe of await probesFor(op)) {
        const res = await probe.run()
        total++
        // A bad id may legitimately be a 404; anything 2xx, 5xx or without the envelope is a failure.
        if (res.statusCode < 400 || res.statusCode >= 500 || !isEnvelope(res.body)) {
          failures.push(`${op.method} ${op.path} [${probe.label}] → ${res.statusCode} ${res.body.slice(0, 120)}`)
        }
      }
    }
    expect(failures).toEqual([])
    expect(total).toBeGreaterThan(300)
  }, 90_000) // every probe of every operation: on a busy 2-core machine this can pass the default 30 s

  it('never answers 500 to random JSON bodies (fast-check)', async () => {
    const mutations = operations.filter(hasBody)
    for (const op of mutations) {
      const req = await requestFor(op)
      await fc.assert(
        fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (value) => {
          const res = await app.inject({
            method: op.method as 'POST',
            url: url(op, req.params),
            payload: JSON.stringify(value),
            headers: { ...bearer(m.keys.admin), 'content-type': 'application/json' },
          })
          expect(res.statusCode, `${op.method} ${op.path} ${JSON.stringify(value).slice(0, 80)}`).toBeLessThan(500)
        }),
        { seed, numRuns: runs },
      )
    }
  })
})
