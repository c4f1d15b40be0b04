import os from 'node:os'
import path from 'node:path'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { createBlobStore } from './files/index.js'
import { loadConfig } from './config.js'
import type { AppContext } from './context.js'
import type { Database } from './db/schema.js'
import { modules } from './registry.js'
import { createLogger, deriveKeys } from './runtime.js'
import { buildApp } from './app.js'
import { createMetrics } from './http/metrics.js'

/**
 * The API's OpenAPI document without a database: routes register without querying, so a pool that
 * never connects is enough. The web console's client types are generated from this.
 */
export async function openapiDocument(): Promise<Record<string, unknown>> {
  const config = loadConfig({
    DATA_DIR: path.join(os.tmpdir(), 'claimdesk-openapi'),
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'http://127.0.0.1:3000',
  })
  const pool = new pg.Pool()
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  const ctx: AppContext = {
    config,
    pool,
    db,
    log: createLogger(config),
    keys: deriveKeys('openapi-document-only'),
    blobs: createBlobStore({ dataDir: config.dataDir, s3: config.s3 }, db),
    metrics: createMetrics(),
  }
  const app = await buildApp(ctx, modules)
  try {
    await app.ready()
    return app.swagger() as unknown as Record<string, unknown>
  } finally {
    await app.close()
    await pool.end()
  }
}
