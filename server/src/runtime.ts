import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type pg from 'pg'
import pino from 'pino'
import type { Config } from './config.js'
import type { AppContext, Keys } from './context.js'
import { deriveKey } from './crypto.js'
import { createDb, createPool } from './db/database.js'
import { startEmbedded, type EmbeddedServer } from './db/embedded.js'
import { migrate } from './db/migrate.js'
import { findRoleStanding } from './db/roles.js'
import { createBlobStore } from './files/index.js'
import { redactPaths } from './app.js'
import { createMetrics } from './http/metrics.js'

export function createLogger(config: Pick<Config, 'logLevel'>, destination?: pino.DestinationStream) {
  return pino(
    {
      level: config.logLevel,
      redact: { paths: redactPaths, censor: '[redacted]' },
      serializers: {
        // Portal, evidence upload and survey links carry their token in the path; query strings may carry anything.
        req: (req: { method: string; url: string; id: string }) => ({
          method: req.method,
          url: req.url.split('?')[0]!.replace(/\/(portal\/evidence|portal|surveys?)\/[^/]+/, '/$1/[token]'),
          id: req.id,
        }),
      },
    },
    destination,
  )
}

/** The master secret: from config, or generated once into DATA_DIR (single-machine installs). */
export function masterSecret(config: Config): string {
  if (config.secretKey) return config.secretKey
  const file = path.join(config.dataDir, 'secret.key')
  if (!existsSync(file)) {
    mkdirSync(config.dataDir, { recursive: true })
    writeFileSync(file, (globalThis.crypto.getRandomValues(Buffer.alloc(48)) as Buffer).toString('base64'), {
      mode: 0o600,
      flag: 'wx',
    })
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

/**
 * Migrates as the owner, granting the server's role its rows. One URL for both (an older deployment)
 * still works, with a warning when that role could rewrite the audit trail.
 */
async function migrateAs(ownerUrl: string, pool: pg.Pool, log: pino.Logger) {
  const migrated = (msg: string) => log.info({ component: 'migrate' }, msg)
  if (ownerUrl === pool.options.connectionString) await migrate(pool, migrated)
  else {
    const owner = createPool(ownerUrl, 2)
    try {
      await migrate(owner, migrated, (await findRoleStanding(pool)).role)
    } finally {
      await owner.end()
    }
  }
  const standing = await findRoleStanding(pool)
  if (standing.superuser || standing.ownsAudit) {
    const as = standing.superuser ? 'a superuser' : 'the owner of the audit tables'
    log.warn(
      { role: standing.role },
      `The server connects to PostgreSQL as ${as}, which can switch off the audit trail's ` +
        'append-only triggers: give DATABASE_URL a role that only reads and writes rows, and MIGRATION_DATABASE_URL the owner (README, "Database roles")',
    )
  }
}

export type Runtime = { ctx: AppContext; embedded?: EmbeddedServer; close: () => Promise<void> }

/**
 * Opens the database (embedded unless DATABASE_URL is set), migrates it and builds the shared context.
 * `takeOwnership`: a long-running server stops the embedded database on exit; a CLI command leaves a
 * running one alone.
 */
export async function openRuntime(
  config: Config,
  opts: { takeOwnership: boolean; poolSize?: number; settings?: Record<string, string>; log?: pino.Logger },
): Promise<Runtime> {
  const log = opts.log ?? createLogger(config)
  let embedded: EmbeddedServer | undefined
  let url = config.databaseUrl
  let ownerUrl = config.migrationDatabaseUrl ?? url
  if (!url) {
    embedded = await startEmbedded({
      dir: path.join(config.dataDir, 'postgres'),
      port: config.embeddedPgPort,
      takeOwnership: opts.takeOwnership,
      log: (line) => log.info({ component: 'postgres' }, line),
    })
    url = embedded.appUrl('postgres')
    ownerUrl = embedded.url('postgres')
  }
  const pool = createPool(url, opts.poolSize ?? 10, opts.settings)
  try {
    await migrateAs(ownerUrl!, pool, log)
  } catch (err) {
    await pool.end()
    await embedded?.stop()
    throw err
  }
  const db = createDb(pool)
  const ctx: AppContext = {
    config,
    pool,
    db,
    log,
    keys: deriveKeys(masterSecret(config)),
    blobs: createBlobStore({ dataDir: config.dataDir, s3: config.s3 }, db),
    metrics: createMetrics(),
  }
  return {
    ctx,
    embedded,
    close: async () => {
      await db.destroy()
      await embedded?.stop()
    },
  }
}
