import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import pino from 'pino'
import type { Config } from './config.js'
import type { AppContext, Keys } from './context.js'
import { deriveKey } from './crypto.js'
import { createDb, createPool } from './db/database.js'
import { startEmbedded, type EmbeddedServer } from './db/embedded.js'
import { migrate } from './db/migrate.js'
import { createBlobStore } from './files/index.js'
import { redactPaths } from './http/app.js'
import { createMetrics } from './http/metrics.js'

export function createLogger(config: Pick<Config, 'logLevel'>, destination?: pino.DestinationStream) {
  return pino({
    level: config.logLevel,
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers: {
      // Portal links carry their token in the path; query strings may carry anything.
      req: (req: { method: string; url: string; id: string }) => ({ method: req.method, url: req.url.split('?')[0]!.replace(/\/portal\/[^/]+/, '/portal/[token]'), id: req.id }),
    },
  }, destination)
}

/** The master secret: from config, or generated once into DATA_DIR (single-machine installs). */
export function masterSecret(config: Config): string {
  if (config.secretKey) return config.secretKey
  const file = path.join(config.dataDir, 'secret.key')
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true })
    writeFileSync(file, (globalThis.crypto.getRandomValues(Buffer.alloc(48)) as Buffer).toString('base64'), { mode: 0o600, flag: 'wx' })
  }
  return readFileSync(file, 'utf8').trim()
}

export function deriveKeys(master: string): Keys {
  return {
    links: deriveKey(master, 'claimdesk/links'),
    secrets: deriveKey(master, 'claimdesk/integration-secrets'),
    audit: deriveKey(master, 'claimdesk/audit-checkpoints'),
    idempotency: deriveKey(master, 'claimdesk/idempotent-responses'),
  }
}

export type Runtime = { ctx: AppContext; embedded?: EmbeddedServer; close: () => Promise<void> }

/**
 * Opens the database (embedded unless DATABASE_URL is set), migrates it and builds the shared context.
 * `takeOwnership`: a long-running server stops the embedded database on exit; a CLI command leaves a
 * running one alone.
 */
export async function openRuntime(config: Config, opts: { takeOwnership: boolean; poolSize?: number; settings?: Record<string, string>; log?: pino.Logger }): Promise<Runtime> {
  const log = opts.log ?? createLogger(config)
  let embedded: EmbeddedServer | undefined
  let url = config.databaseUrl
  if (!url) {
    embedded = await startEmbedded({
      dir: path.join(config.dataDir, 'postgres'), port: config.embeddedPgPort, takeOwnership: opts.takeOwnership,
      log: (line) => log.info({ component: 'postgres' }, line),
    })
    url = embedded.url('postgres')
  }
  const pool = createPool(url, opts.poolSize ?? 10, opts.settings)
  try {
    await migrate(pool, (msg) => log.info({ component: 'migrate' }, msg))
  } catch (err) {
    await pool.end()
    await embedded?.stop()
    throw err
  }
  const db = createDb(pool)
  const ctx: AppContext = {
    config, pool, db, log, keys: deriveKeys(masterSecret(config)),
    blobs: createBlobStore({ dataDir: config.dataDir, s3: config.s3 }), metrics: createMetrics(),
  }
  return {
    ctx, embedded,
    close: async () => {
      await db.destroy()
      await embedded?.stop()
    },
  }
}
