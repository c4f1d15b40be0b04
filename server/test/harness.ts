import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import pg from 'pg'
import pino from 'pino'
import { inject } from 'vitest'
import { systemActor } from '../src/auth/actor.js'
import type { BuiltinRole } from '../src/auth/permissions.js'
import { createApiKey } from '../src/auth/service.js'
import { loadConfig, type Config } from '../src/config.js'
import type { AppContext } from '../src/context.js'
import { createDb, createPool } from '../src/db/database.js'
import { makeTraversableTempDir } from '../src/db/embedded.js'
import { createBlobStore } from '../src/files/index.js'
import { buildApp } from '../src/http/app.js'
import { createMetrics } from '../src/http/metrics.js'
import { createMerchant } from '../src/merchants/service.js'
import { setupModules, type Module } from '../src/modules.js'
import { modules as allModules } from '../src/registry.js'
import { findBuiltinRoleId } from '../src/roles/service.js'
import { deriveKeys } from '../src/runtime.js'
import { createUser } from '../src/users/service.js'

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
    blobs: createBlobStore({ dataDir, s3: undefined }),
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
    const { merchant, roleIds } = await createMerchant(
      trx,
      { slug, name, timeZone: 'Europe/London', defaultCurrency: 'GBP', currencies: ['EUR', 'USD'] },
      now,
    )
    const keys = {} as Record<BuiltinRole, string>
    for (const role of ['admin', 'manager', 'agent', 'finance', 'viewer'] as BuiltinRole[]) {
      const roleId = await findBuiltinRoleId(trx, merchant.id, role)
      keys[role] = (await createApiKey(trx, systemActor(merchant.id), { name: `${role} key`, roleId }, now)).key
    }
    const adminEmail = `admin@${slug}.example`
    const admin = await createUser(
      trx,
      merchant.id,
      null,
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
