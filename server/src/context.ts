import type { FastifyBaseLogger } from 'fastify'
import type pg from 'pg'
import type { Config } from './config.js'
import type { Db } from './db/database.js'
import type { BlobStore } from './files/blob-store.js'
import type { Metrics } from './http/metrics.js'

/** Keys derived from the one master secret, one per facility, so none shares key material. */
export type Keys = { links: Buffer; secrets: Buffer; audit: Buffer; idempotency: Buffer }

/** What routes, jobs and the CLI share: built once per process. */
export type AppContext = {
  config: Config
  pool: pg.Pool
  db: Db
  log: FastifyBaseLogger
  keys: Keys
  blobs: BlobStore
  metrics: Metrics
}
