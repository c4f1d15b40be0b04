import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Transaction } from 'kysely'
import pg from 'pg'
import pino from 'pino'
import { afterAll, expect, inject } from 'vitest'
import { systemContext } from '../src/auth/actor.js'
import { allPermissions, type BuiltinRole } from '../src/auth/permissions.js'
import { createApiKey } from '../src/roles/api-keys.js'
import { loadConfig, type Config } from '../src/config.js'
import type { AppContext } from '../src/context.js'
import { createDb, createPool } from '../src/db/database.js'
import type { Database } from '../src/db/schema.js'
import { makeTraversableTempDir } from '../src/db/embedded.js'
import { createBlobStore } from '../src/files/index.js'
import { buildApp } from '../src/app.js'
import { createMetrics } from '../src/http/metrics.js'
import { setupModules, type Module } from '../src/modules.js'
import { modules as allModules } from '../src/registry.js'
import { findBuiltinRoleId } from '../src/roles/service.js'
import { deriveKeys } from '../src/runtime.js'
import { createUser } from '../src/users/service.js'
import { createWorkspace } from '../src/workspaces.js'

/**
 * Clones the migrated template into a fresh database for one test file: `url` connects as the
 * application role, `adminUrl` as the superuser that owns the tables (an attacker with full access).
 */
export async function createTestDatabase(): Promise<{ url: string; adminUrl: string }> {
  const adminUrl = inject('pgAdminUrl')
  const name = `t_${randomBytes(6).toString('hex')}`
  const client = new pg.Client(adminUrl)
  await client.connect()
  try {
    // Clones are serialised: a template being copied by another file counts as "accessed by other users".
    await client.query(`select pg_advisory_lock(4242)`)
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`create database ${name} template ${inject('pgTemplate')}`)
        break
      } catch (err) {
        if (attempt > 20 || !/being accessed/.test((err as Error).message)) throw err
        await new Promise((r) => setTimeout(r, 100))
      }
    }
  } finally {
    await client.query(`select pg_advisory_unlock(4242)`).catch(() => undefined)
    await client.end()
  }
  const on = (server: string) => {
    const url = new URL(server)
    url.pathname = `/${name}`
    return url.toString()
  }
  return { url: on(inject('pgAppUrl')), adminUrl: on(adminUrl) }
}

export type TestEnv = { ctx: AppContext; url: string; adminUrl: string; close: () => Promise<void> }

export async function createTestEnv(overrides: Partial<Config> = {}): Promise<TestEnv> {
  // What the server does at start; a test app built with other modules sets them up again.
  setupModules(allModules)
  const { url, adminUrl } = await createTestDatabase()
  const dataDir = makeTraversableTempDir('claimdesk-data-')
  const config: Config = { ...loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), ...overrides }
  const pool = createPool(url, 5)
  const db = createDb(pool)
  const ctx: AppContext = {
    config,
    pool,
    db,
    log: pino({ level: process.env.TEST_LOG ?? 'silent' }),
    keys: deriveKeys('test-master-secret-that-is-long-enough-0123456789'),
    blobs: createBlobStore({ dataDir, s3: undefined }, db),
    metrics: createMetrics(),
  }
  return {
    ctx,
    url,
    adminUrl,
    close: async () => {
      await db.destroy()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export async function createTestApp(env: TestEnv, modules: Module[] = allModules): Promise<FastifyInstance> {
  const app = await buildApp(env.ctx, modules)
  await app.ready()
  return app
}

let seq = 0
export type TestMerchant = {
  id: string
  slug: string
  roleIds: Record<string, string>
  keys: Record<BuiltinRole, string>
  adminUserId: string
  adminEmail: string
  password: string
}

/** A workspace with an API key per built-in role and an admin person who can sign in. */
export async function createTestMerchant(ctx: AppContext, name = `m${++seq}`): Promise<TestMerchant> {
  const now = new Date()
  const slug = `${name}-${randomBytes(3).toString('hex')}`
  const password = 'correct horse battery staple'
  return ctx.db.transaction().execute(async (trx) => {
    const { merchant, roleIds } = await createWorkspace(
      trx,
      { slug, name, timeZone: 'Europe/London', defaultCurrency: 'GBP', currencies: ['EUR', 'USD'] },
      now,
    )
    const keys = {} as Record<BuiltinRole, string>
    for (const role of ['admin', 'manager', 'agent', 'finance', 'viewer'] as BuiltinRole[]) {
      const roleId = await findBuiltinRoleId(trx, merchant.id, role)
      keys[role] = (await createApiKey(trx, systemContext(merchant.id), { name: `${role} key`, roleId }, now)).key
    }
    const adminEmail = `admin@${slug}.example`
    const admin = await createUser(
      trx,
      systemContext(merchant.id),
      { email: adminEmail, name: 'Ada Admin', password, roleId: roleIds.admin! },
      now,
    )
    return { id: merchant.id, slug, roleIds, keys, adminUserId: admin.id, adminEmail, password }
  })
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` })

/** Signs a person in: the headers a browser would send afterwards (session cookie and CSRF token). */
export async function sessionHeaders(
  app: FastifyInstance,
  email: string,
  password: string,
): Promise<Record<string, string>> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } })
  const cookie = res.cookies.find((c) => c.name === 'claimdesk_session')
  if (!cookie) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`)
  return { cookie: `claimdesk_session=${cookie.value}`, 'x-csrf-token': res.json().csrf_token as string }
}

export type TestAppOptions = {
  /** The modules the app is built from: every registered one unless told. */
  modules?: Module[]
  /** Config overrides, as createTestEnv takes them. */
  config?: Partial<Config>
  /** The workspace's name (a default one otherwise). */
  merchant?: string
  /** A second workspace, for isolation checks: `true` for a default name, or its name. */
  other?: true | string
  /** Listen on a free local port, for clients that need a socket (a browser, SSE, fetch). */
  listen?: true
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export type TestApp = {
  env: TestEnv
  app: FastifyInstance
  m: TestMerchant
  /**
   * Injects a request: `url` is under `/api/v1` unless it starts with `/api/`; `as` is one of the
   * workspace's roles, an API key, or the whole headers (say, sessionHeaders'), and admin unless told.
   */
  call: (
    method: Method,
    url: string,
    body?: unknown,
    as?: BuiltinRole | string | Record<string, string>,
  ) => Promise<LightMyRequestResponse>
}

export type StartedApp<O extends TestAppOptions> = TestApp &
  (O['other'] extends true | string ? { other: TestMerchant } : unknown) &
  (O['listen'] extends true ? { base: string } : unknown)

const roles: readonly string[] = ['admin', 'manager', 'agent', 'finance', 'viewer'] satisfies BuiltinRole[]

/**
 * A test file's database, app and workspace, closed after its tests: awaited at the top of the file
 * (`const { env, app, m, call } = await startTestApp()`), so the file's own code reads them as plain values.
 */
export async function startTestApp<const O extends TestAppOptions = Record<never, never>>(
  options?: O,
): Promise<StartedApp<O>> {
  const env = await startTestEnv(options?.config)
  const app = await createTestApp(env, options?.modules)
  afterAll(() => app.close())
  const m = await createTestMerchant(env.ctx, options?.merchant)
  const other = options?.other
    ? await createTestMerchant(env.ctx, options.other === true ? undefined : options.other)
    : undefined
  const base = options?.listen ? await app.listen({ host: '127.0.0.1', port: 0 }) : undefined
  const call: TestApp['call'] = (method, url, body, as = 'admin') =>
    app.inject({
      method,
      url: url.startsWith('/api/') ? url : `/api/v1${url}`,
      headers: typeof as !== 'string' ? as : bearer(roles.includes(as) ? m.keys[as as BuiltinRole] : as),
      ...(body === undefined ? {} : { payload: body as object }),
    })
  return { env, app, m, call, ...(other && { other }), ...(base && { base }) } as StartedApp<O>
}

/** A test file's database and context without an app, closed after its tests. */
export async function startTestEnv(overrides?: Partial<Config>): Promise<TestEnv> {
  const env = await createTestEnv(overrides)
  afterAll(() => env.close())
  return env
}

/** For tests of services called directly: one workspace, a system context in it, and a transaction runner. */
export async function startServiceTest(): Promise<{
  env: TestEnv
  m: TestMerchant
  ctx: ReturnType<typeof systemContext>
  tx: <T>(fn: (trx: Transaction<Database>) => Promise<T>) => Promise<T>
}> {
  const env = await startTestEnv()
  const m = await createTestMerchant(env.ctx)
  return { env, m, ctx: systemContext(m.id), tx: (fn) => env.ctx.db.transaction().execute(fn) }
}

/**
 * The reply is this error and nothing else: the status, and the whole envelope with its code, a message,
 * and exactly these details (none when not given).
 */
export function expectError(
  res: { statusCode: number; body?: string; json: () => unknown },
  status: number,
  code: string,
  details?: Record<string, unknown>,
): void {
  expect(res.statusCode, res.body).toBe(status)
  expect(res.json()).toEqual({
    error: { code, message: expect.any(String), ...(details === undefined ? {} : { details }) },
  })
}

/** The details of `forbidden` when a caller holding only `held` acts on something that holds every permission. */
export const lackingAllBut = (...held: string[]) => ({
  permissions: allPermissions.filter((p) => !held.includes(p)),
})
