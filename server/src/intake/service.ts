import type { Kysely, Transaction } from 'kysely'
import type { ServiceContext } from '../auth/actor.js'
import { recordAuditFor } from '../changes.js'
import type { AppContext } from '../context.js'
import { inSavepoint } from '../db/database.js'
import type { PlatformPurge } from '../db/purge.js'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import { isUuid, newId } from '../ids.js'
import { findWebhookConnection, getConnection, liveSecrets, type WebhookConnection } from '../integrations/service.js'
import { withEventsHeld } from '../jobs/outbox.js'
import { withLiveHeld } from '../live/publish.js'
import { addJob } from '../jobs/queue.js'
import {
  defaultMaxAttempts,
  findInboxProvider,
  type InboxProvider,
  type WebhookRequest,
} from '../integrations/providers.js'
import * as store from './store.js'
import type { DeliveryStatus } from './tables.js'
import {
  toDeliveryDetail,
  toDeliverySummary,
  toInboxDelivery,
  type DeliveryDetail,
  type DeliverySummary,
} from './types.js'

type Trx = Transaction<Database>
type Db = Kysely<Database> | Trx

export const processTask = 'inbox:process'
const maxErrorLength = 2000
// Credentials of the caller, not of the webhook: kept out of storage (providers still see them in verify).
const unstoredHeaders = new Set(['authorization', 'proxy-authorization', 'cookie'])

/** Lower-cased names; repeated headers joined as HTTP allows (", "). */
export function normalizeHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  return headers
}

export type AuthenticatedWebhook = { connection: WebhookConnection; provider: InboxProvider; dedupKey: string }

type Credentials = { connection: WebhookConnection; secrets: { secret: string; expiresAt: Date | null }[] }

/**
 * Connections and their decrypted secrets, kept a few seconds so a burst of webhooks costs no
 * lookups. A signature that fails against a kept entry is checked again against fresh ones, so a
 * rotated secret verifies at once; a disabled connection stops verifying within the TTL.
 */
export class CredentialCache {
  private entries = new Map<string, Credentials & { until: number }>()
  constructor(
    private ttlMs = 5000,
    private maxEntries = 10_000,
  ) {}
  forget(id: string) {
    this.entries.delete(id)
  }
  get(id: string, now: number): Credentials | undefined {
    const e = this.entries.get(id)
    return e && e.until > now ? e : undefined
  }
  set(id: string, c: Credentials, now: number) {
    if (this.entries.size >= this.maxEntries) this.entries.clear()
    this.entries.set(id, { ...c, until: now + this.ttlMs })
  }
}

async function credentials(
  db: Db,
  secretsKey: Buffer,
  input: { source: string; provider: string; connectionId: string },
  now: Date,
): Promise<Credentials> {
  const connection = await findWebhookConnection(db, input)
  return { connection, secrets: await liveSecrets(db, secretsKey, connection.merchantId, connection.id, now) }
}

/** Finds the connection and verifies the request against its live secrets; nothing is written. */
export async function authenticateWebhook(
  db: Db,
  secretsKey: Buffer,
  input: WebhookRequest & { source: string; provider: string; connectionId: string },
  now: Date,
  /** Hears of each refusal by a known connection (bad signature, unreadable body), for its health. */
  onRefused?: (connection: WebhookConnection, code: string) => void,
  cache?: CredentialCache,
): Promise<AuthenticatedWebhook> {
  const provider = findInboxProvider(input.source, input.provider)
  if (!provider) throw new AppError('provider_not_found', `No webhook provider ${input.source}/${input.provider}`)
  // A secret whose grace period ended while it was cached no longer verifies.
  const verify = (c: Credentials) =>
    provider.verify({
      headers: input.headers,
      rawBody: input.rawBody,
      url: input.url,
      secrets: c.secrets.filter((s) => !s.expiresAt || s.expiresAt > now).map((s) => s.secret),
      now,
    })
  const cached = cache?.get(input.connectionId, now.getTime())
  // The URL must name this source and provider, cached or not.
  let creds =
    cached && cached.connection.source === input.source && cached.connection.provider === input.provider
      ? cached
      : undefined
  try {
    if (creds) {
      try {
        verify(creds)
      } catch (err) {
        if (!(err instanceof AppError && err.code === 'signature_invalid')) throw err
        creds = undefined
      }
    }
    if (!creds) {
      creds = await credentials(db, secretsKey, input, now)
      cache?.set(input.connectionId, creds, now.getTime())
      verify(creds)
    }
  } catch (err) {
    if (err instanceof AppError && creds) onRefused?.(creds.connection, err.code)
    throw err
  }
  const dedupKey = provider.dedupKey({ headers: input.headers, rawBody: input.rawBody, url: input.url })
  // PostgreSQL text holds no NUL character.
  if (!dedupKey || dedupKey.length > 512 || dedupKey.includes('\0'))
    throw new AppError('dedup_key_invalid', 'The webhook carries no usable idempotency key')
  return { connection: creds.connection, provider, dedupKey }
}

async function enqueueProcessing(
  trx: Trx,
  merchantId: string,
  deliveryId: string,
  provider: InboxProvider | undefined,
  attemptsUsed = 0,
): Promise<void> {
  // One key per delivery: re-enqueueing replaces a waiting job (and resets its attempts) instead of adding one.
  await addJob(
    trx,
    processTask,
    { merchant_id: merchantId, delivery_id: deliveryId },
    {
      jobKey: `${processTask}:${deliveryId}`,
      maxAttempts: (provider?.maxAttempts ?? defaultMaxAttempts) - attemptsUsed,
      // After a failure, the first retry waits a little, as graphile-worker's own backoff would.
      runAt: attemptsUsed ? new Date(Date.now() + 2000) : undefined,
    },
  )
}

export type StoredRequest = WebhookRequest & { contentType: string | null; requestId: string }

/** The row a verified request is stored as (one at a time here, or in a group commit by batcher.ts). */
export function deliveryRow(
  auth: AuthenticatedWebhook,
  request: StoredRequest,
  id: string,
  now: Date,
): store.NewDelivery {
  const { connection } = auth
  const headers: Record<string, string> = {}
  for (const name in request.headers) if (!unstoredHeaders.has(name)) headers[name] = request.headers[name]!
  return {
    merchant_id: connection.merchantId,
    id,
    connection_id: connection.id,
    source: connection.source,
    provider: connection.provider,
    dedup_key: auth.dedupKey,
    received_at: now,
    headers,
    body: request.rawBody,
    content_type: request.contentType?.slice(0, 255) ?? null,
    request_id: request.requestId,
  }
}

/** Stores the delivery once per dedup key, in the caller's transaction; the inbox drain processes it once committed. */
export async function storeDelivery(
  trx: Trx,
  auth: AuthenticatedWebhook,
  request: StoredRequest,
  now: Date,
): Promise<{ deliveryId: string; duplicate: boolean }> {
  const { connection } = auth
  const row = deliveryRow(auth, request, newId(), now)
  const id = await store.insertDelivery(trx, {
    ...row,
    headers: JSON.stringify(row.headers),
    last_error: null,
    processed_at: null,
  })
  if (id) return { deliveryId: id, duplicate: false }
  // The conflicting row is committed (the insert waited for it), so this read sees it.
  const first = await store.findDeliveryIdByDedupKey(trx, connection.merchantId, connection.id, auth.dedupKey)
  if (!first) throw new Error('inbox: dedup conflict without a stored delivery')
  return { deliveryId: first, duplicate: true }
}

export type ProcessOutcome =
  | { status: 'skipped' }
  | { status: 'processed' | 'ignored'; source: string; provider: string; receivedAt: Date }

/**
 * Runs the provider's `process` for a delivery at most once per queueing: the row lock and the
 * status check make a second job, a retry racing a replay, or a concurrent worker a no-op.
 */
export async function processDelivery(
  trx: Trx,
  ctx: AppContext,
  merchantId: string,
  deliveryId: string,
  now: Date,
): Promise<ProcessOutcome> {
  const row = await store.lockDelivery(trx, merchantId, deliveryId)
  if (!row || (row.status !== 'received' && row.status !== 'failed')) return { status: 'skipped' }
  return {
    status: await runProvider(trx, ctx, row, now),
    source: row.source,
    provider: row.provider,
    receivedAt: row.received_at,
  }
}

/** The locked row's provider `process`, and the delivery marked done with it. */
async function runProvider(
  trx: Trx,
  ctx: AppContext,
  row: store.DeliveryRow,
  now: Date,
): Promise<'processed' | 'ignored'> {
  const status = await runProcess(trx, ctx, row, now)
  await store.settleDeliveries(trx, [{ merchant_id: row.merchant_id, id: row.id, status }], now)
  return status
}

async function runProcess(
  trx: Trx,
  ctx: AppContext,
  row: store.DeliveryRow,
  now: Date,
): Promise<'processed' | 'ignored'> {
  const provider = findInboxProvider(row.source, row.provider)
  // A provider removed since the delivery arrived: fail loudly, so it lands in the dead-letter list.
  if (!provider) throw new Error(`No inbox provider ${row.source}/${row.provider} is registered`)
  return provider.process ? provider.process(trx, toInboxDelivery(row), ctx, now) : 'ignored'
}

export type WaitingOutcome = {
  source: string
  provider: string
  receivedAt: Date
  deliveryId: string
  status: 'processed' | 'ignored' | 'failed' | 'dead'
  error?: unknown
}

/**
 * The inbox drain's step: up to `limit` deliveries waiting since they arrived (or were replayed), oldest
 * first, processed in the caller's transaction.
 * - `together`: all or nothing, marked done in one statement, its domain events written in one (and its live
 *   messages sent in one); any
 *   failure rolls the whole batch back (the caller then runs it `one_by_one`). The usual case.
 * - `one_by_one`: each in a savepoint. One that fails rolls back alone, is counted, and gets an
 *   `inbox:process` job for its attempts left (backoff, then the dead-letter list).
 */
export async function processWaiting(
  trx: Trx,
  ctx: AppContext,
  limit: number,
  now: Date,
  mode: 'together' | 'one_by_one',
): Promise<WaitingOutcome[]> {
  const outcomes: WaitingOutcome[] = []
  const rows = await store.claimWaitingDeliveries(trx, limit)
  const outcome = (row: store.DeliveryRow, status: WaitingOutcome['status']): WaitingOutcome => ({
    source: row.source,
    provider: row.provider,
    receivedAt: row.received_at,
    deliveryId: row.id,
    status,
  })
  if (mode === 'together') {
    const settled: { merchant_id: string; id: string; status: 'processed' | 'ignored' }[] = []
    const work = async () => {
      for (const row of rows) {
        const status = await runProcess(trx, ctx, row, now)
        settled.push({ merchant_id: row.merchant_id, id: row.id, status })
        outcomes.push(outcome(row, status))
      }
    }
    await withEventsHeld(trx, () => withLiveHeld(trx, work))
    await store.settleDeliveries(trx, settled, now)
    return outcomes
  }
  for (const row of rows) {
    try {
      outcomes.push(outcome(row, await inSavepoint(trx, () => runProvider(trx, ctx, row, now))))
    } catch (error) {
      const provider = findInboxProvider(row.source, row.provider)
      const dead = (provider?.maxAttempts ?? defaultMaxAttempts) <= 1
      await recordProcessingFailure(trx, row.merchant_id, row.id, error, dead)
      if (!dead) await enqueueProcessing(trx, row.merchant_id, row.id, provider, 1)
      outcomes.push({ ...outcome(row, dead ? 'dead' : 'failed'), error })
    }
  }
  return outcomes
}

/** In its own transaction, after the processing one rolled back: counts the attempt and keeps the error. */
export async function recordProcessingFailure(
  trx: Trx,
  merchantId: string,
  deliveryId: string,
  error: unknown,
  dead: boolean,
) {
  return store.markDeliveryFailed(
    trx,
    merchantId,
    deliveryId,
    dead ? 'dead' : 'failed',
    failureText(error).slice(0, maxErrorLength),
  )
}

// The deliveries API shows our own words only: a driver's or PostgreSQL's message can name tables and values,
// so it stays in the log the callers write.
function failureText(error: unknown): string {
  return error instanceof AppError
    ? `${error.code}: ${error.message}`
    : 'internal_error: Processing failed on our side; the details are in the server log'
}

const deliveryNotFound = (id: string) =>
  new AppError('delivery_not_found', 'No such webhook delivery', { delivery_id: id })

export async function listDeliveries(
  db: Db,
  merchantId: string,
  filter: { status?: DeliveryStatus; connectionId?: string; after?: string; limit: number },
): Promise<DeliverySummary[]> {
  return (await store.listDeliveries(db, merchantId, filter)).map(toDeliverySummary)
}

export async function getDelivery(db: Db, merchantId: string, id: string): Promise<DeliveryDetail> {
  const row = isUuid(id) ? await store.findDelivery(db, merchantId, id) : undefined
  if (!row) throw deliveryNotFound(id)
  return toDeliveryDetail(row)
}

/** The bytes a delivery carried, as stored (for the SMTP listener's deliveries: the raw email). */
export async function findDeliveryBody(db: Db, merchantId: string, id: string): Promise<Buffer | undefined> {
  return isUuid(id) ? store.findDeliveryBody(db, merchantId, id) : undefined
}

/**
 * Erases what deliveries carried (a customer's erasure reaching the email they sent): the body and headers are
 * emptied; the row stays, so the dedup key still refuses the same delivery and its status and dates still tell
 * what happened. A replay of an erased delivery finds nothing to process (providers ignore an empty body).
 */
export async function eraseDeliveryBodies(trx: Trx, merchantId: string, ids: string[]): Promise<number> {
  return store.eraseDeliveryBodies(trx, merchantId, ids.filter(isUuid))
}

/** Re-queues one settled delivery (failed, dead, processed or ignored); its provider runs again. */
export async function replayDelivery(trx: Trx, ctx: ServiceContext, id: string, now: Date): Promise<DeliveryDetail> {
  const row = isUuid(id) ? await store.lockDelivery(trx, ctx.merchantId, id) : undefined
  if (!row) throw deliveryNotFound(id)
  if (row.body_purged_at)
    throw new AppError('delivery_body_purged', "Retention took this delivery's raw body: there is nothing to replay", {
      delivery_id: id,
      body_purged_at: row.body_purged_at,
    })
  if (row.status === 'received') {
    throw new AppError('delivery_already_queued', 'This delivery is waiting to be processed already', {
      delivery_id: id,
    })
  }
  // Waiting again: the inbox drain takes it (and a pending retry job finds it settled).
  await store.updateDelivery(trx, ctx.merchantId, id, { status: 'received', processed_at: null })
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'webhook_delivery.replayed',
      entityType: 'webhook_delivery',
      entityId: id,
      before: { status: row.status },
      after: { status: 'received' },
    },
    now,
  )
  return getDelivery(trx, ctx.merchantId, id)
}

/** Re-queues every dead (or failed) delivery, optionally of one connection; returns how many. */
export async function replayDeliveries(
  trx: Trx,
  ctx: ServiceContext,
  filter: { status: 'dead' | 'failed'; connectionId?: string },
  now: Date,
): Promise<number> {
  if (filter.connectionId) await getConnection(trx, ctx.merchantId, filter.connectionId, now) // 404 for unknown and foreign ids
  const rows = await store.reopenDeliveries(trx, ctx.merchantId, filter)
  for (const row of rows) {
    await recordAuditFor(
      trx,
      ctx,
      {
        action: 'webhook_delivery.replayed',
        entityType: 'webhook_delivery',
        entityId: row.id,
        before: { status: filter.status },
        after: { status: 'received' },
      },
      now,
    )
  }
  return rows.length
}

/** Raw bodies of processed and ignored deliveries past WEBHOOK_BODY_RETENTION_DAYS: the row stays, its body goes. */
export const deliveryBodiesPurge: PlatformPurge = {
  name: 'webhook_bodies',
  keepDays: (config) => config.retention.webhookBodyDays,
  purge: (db, before, limit, now) => store.purgeDeliveryBodies(db, before, limit, now),
  count: (db, before) => store.countDeliveryBodies(db, before),
}

/** Counters of refused webhook requests (bad signatures, unknown connections) past WEBHOOK_REJECTION_RETENTION_DAYS. */
export const rejectionsPurge: PlatformPurge = {
  name: 'webhook_rejections',
  keepDays: (config) => config.retention.webhookRejectionDays,
  purge: (db, before, limit) => store.purgeRejections(db, before, limit),
  count: (db, before) => store.countRejections(db, before),
}
