import type { Kysely, Transaction } from 'kysely'
import type { ServiceContext } from '../auth/actor.js'
import { recordAuditFor } from '../changes.js'
import { decryptSecret, encryptSecret } from '../crypto.js'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import { isUuid, newId } from '../ids.js'
import { findInboxProvider, listInboxProviders, type InboxProvider } from './providers.js'
import type { ConnectionStatus, InboxSource } from './tables.js'
import * as store from './store.js'
import { toConnection, type Connection } from './types.js'

type Trx = Transaction<Database>
type Db = Kysely<Database> | Trx

export const defaultGraceSeconds = 86_400
export const maxGraceSeconds = 30 * 86_400

const connectionNotFound = (id: string) =>
  new AppError('connection_not_found', 'No such connection', { connection_id: id })

export async function getConnection(db: Db, merchantId: string, id: string, now: Date): Promise<Connection> {
  const row = isUuid(id) ? await store.findConnection(db, merchantId, id) : undefined
  if (!row) throw connectionNotFound(id)
  return toConnection(row, await store.listSecretVersions(db, merchantId, [row.id], now))
}

export async function listConnections(
  db: Db,
  merchantId: string,
  filter: { source?: InboxSource; provider?: string; after?: string; limit: number },
  now: Date,
): Promise<Connection[]> {
  const rows = await store.listConnections(db, merchantId, filter)
  const versions = await store.listSecretVersions(
    db,
    merchantId,
    rows.map((r) => r.id),
    now,
  )
  return rows.map((r) => toConnection(r, versions))
}

function providerFor(source: InboxSource, provider: string): InboxProvider {
  const p = findInboxProvider(source, provider)
  if (!p) {
    const known = listInboxProviders()
      .filter((k) => k.source === source)
      .map((k) => k.provider)
      .sort()
    throw new AppError('provider_unknown', `No provider "${provider}" for ${source}`, {
      source,
      provider,
      known_providers: known,
    })
  }
  return p
}

/** The secret to store: the one given (checked by the provider), or a generated one. */
function chooseSecret(p: InboxProvider, given: string | undefined): { secret: string; generated: boolean } {
  if (given !== undefined) {
    const problem = p.secrets?.problem?.(given) ?? (given.length ? null : 'must not be empty')
    if (problem) throw new AppError('secret_invalid', `The secret ${problem}`, { field: 'secret' })
    return { secret: given, generated: false }
  }
  const generate = p.secrets?.generate
  if (!generate)
    throw new AppError('secret_required', `Connections to ${p.provider} need the secret the provider gave you`, {
      field: 'secret',
    })
  return { secret: generate(), generated: true }
}

/** The settings as the provider keeps them (its `settings` hook refuses unusable ones), or as given. */
const checkedSettings = (p: InboxProvider, raw: Record<string, unknown>) => p.settings?.(raw) ?? raw

export type CreateConnectionInput = {
  source: InboxSource
  provider: string
  name: string
  settings?: Record<string, unknown>
  secret?: string
}
/** `secret` is set only when it was generated here: the one time it is shown. */
export type ConnectionWithSecret = { connection: Connection; secret: string | null }

export async function createConnection(
  trx: Trx,
  ctx: ServiceContext,
  secretsKey: Buffer,
  input: CreateConnectionInput,
  now: Date,
): Promise<ConnectionWithSecret> {
  const provider = providerFor(input.source, input.provider)
  const settings = checkedSettings(provider, input.settings ?? {})
  const { secret, generated } = chooseSecret(provider, input.secret)
  const row = await store.insertConnection(trx, {
    merchant_id: ctx.merchantId,
    id: newId(),
    source: input.source,
    provider: input.provider,
    name: input.name,
    settings: JSON.stringify(settings),
    created_at: now,
    updated_at: now,
  })
  const secretId = newId()
  await store.insertSecret(trx, {
    merchant_id: ctx.merchantId,
    id: secretId,
    connection_id: row.id,
    ciphertext: encryptSecret(secretsKey, secret),
    created_at: now,
    expires_at: null,
  })
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'integration_connection.created',
      entityType: 'integration_connection',
      entityId: row.id,
      after: {
        source: row.source,
        provider: row.provider,
        name: row.name,
        status: row.status,
        settings: row.settings,
        current_secret_id: secretId,
        secret,
      },
      secret: ['secret'],
    },
    now,
  )
  return { connection: await getConnection(trx, ctx.merchantId, row.id, now), secret: generated ? secret : null }
}

export type UpdateConnectionInput = {
  name?: string
  status?: ConnectionStatus
  settings?: Record<string, unknown>
}

export async function updateConnection(
  trx: Trx,
  ctx: ServiceContext,
  id: string,
  input: UpdateConnectionInput,
  now: Date,
): Promise<Connection> {
  const before = isUuid(id) ? await store.lockConnection(trx, ctx.merchantId, id) : undefined
  if (!before) throw connectionNotFound(id)
  // A provider no longer registered keeps its connections editable, its settings as given.
  const provider = findInboxProvider(before.source, before.provider)
  const settings = input.settings && (provider ? checkedSettings(provider, input.settings) : input.settings)
  const after = await store.updateConnection(trx, ctx.merchantId, id, {
    ...(input.name !== undefined ? { name: input.name } : {}),
    ...(input.status !== undefined ? { status: input.status } : {}),
    ...(settings !== undefined ? { settings: JSON.stringify(settings) } : {}),
    updated_at: now,
  })
  const view = (r: store.ConnectionRow) => ({ name: r.name, status: r.status, settings: r.settings })
  connectionChanged(id)
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'integration_connection.updated',
      entityType: 'integration_connection',
      entityId: id,
      before: view(before),
      after: view(after),
    },
    now,
  )
  return getConnection(trx, ctx.merchantId, id, now)
}

export type RotateSecretInput = { secret?: string; graceSeconds?: number }

/**
 * Zero-downtime rotation: the new secret verifies at once, the old one until now + grace, so a
 * sender can switch over (Standard Webhooks senders sign with both meanwhile).
 */
export async function rotateSecret(
  trx: Trx,
  ctx: ServiceContext,
  secretsKey: Buffer,
  id: string,
  input: RotateSecretInput,
  now: Date,
): Promise<ConnectionWithSecret> {
  const row = isUuid(id) ? await store.lockConnection(trx, ctx.merchantId, id) : undefined
  if (!row) throw connectionNotFound(id)
  const { secret, generated } = chooseSecret(providerFor(row.source, row.provider), input.secret)
  const grace = input.graceSeconds ?? defaultGraceSeconds
  if (!Number.isInteger(grace) || grace < 0 || grace > maxGraceSeconds) {
    throw new AppError('validation_failed', 'The grace period is out of range', {
      errors: [{ path: 'body/grace_seconds', message: `must be 0 to ${maxGraceSeconds}` }],
    })
  }
  await store.deleteExpiredSecrets(trx, ctx.merchantId, id, now)
  const expiresAt = new Date(now.getTime() + grace * 1000)
  const previous = await store.expireCurrentSecrets(trx, ctx.merchantId, id, expiresAt)
  const secretId = newId()
  await store.insertSecret(trx, {
    merchant_id: ctx.merchantId,
    id: secretId,
    connection_id: id,
    ciphertext: encryptSecret(secretsKey, secret),
    created_at: now,
    expires_at: null,
  })
  await store.updateConnection(trx, ctx.merchantId, id, { updated_at: now })
  connectionChanged(id)
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'integration_connection.secret_rotated',
      entityType: 'integration_connection',
      entityId: id,
      before: { current_secret_ids: previous },
      after: { current_secret_ids: [secretId], previous_secret_expires_at: expiresAt, secret },
      secret: ['secret'],
    },
    now,
  )
  return { connection: await getConnection(trx, ctx.merchantId, id, now), secret: generated ? secret : null }
}

export type WebhookConnection = { merchantId: string; id: string; source: InboxSource; provider: string }

/**
 * The active connection a webhook URL names. Unknown, foreign-provider and disabled connections
 * get one and the same answer, so the URL space reveals nothing.
 */
export async function findWebhookConnection(
  db: Db,
  input: { source: string; provider: string; connectionId: string },
): Promise<WebhookConnection> {
  const row = isUuid(input.connectionId) ? await store.findConnectionById(db, input.connectionId) : undefined
  if (!row || row.source !== input.source || row.provider !== input.provider || row.status !== 'active') {
    throw new AppError('connection_not_found', 'No such connection')
  }
  return { merchantId: row.merchant_id, id: row.id, source: row.source, provider: row.provider }
}

/** Plaintext of every secret that still verifies (current and in grace), newest first, with when it stops. */
export async function liveSecrets(
  db: Db,
  secretsKey: Buffer,
  merchantId: string,
  connectionId: string,
  now: Date,
): Promise<{ secret: string; expiresAt: Date | null }[]> {
  return (await store.listLiveCiphertexts(db, merchantId, connectionId, now)).map((r) => ({
    secret: decryptSecret(secretsKey, r.ciphertext),
    expiresAt: r.expires_at,
  }))
}

const changeListeners = new Set<(connectionId: string) => void>()
/** In-process notice that a connection or its secrets changed (caches of this process drop it at once). */
export function onConnectionChanged(listener: (connectionId: string) => void): () => void {
  changeListeners.add(listener)
  return () => changeListeners.delete(listener)
}
const connectionChanged = (id: string) => {
  for (const l of changeListeners) l(id)
}

export async function listAllActiveConnections(db: Db): Promise<
  {
    merchantId: string
    id: string
    source: InboxSource
    provider: string
    settings: Record<string, unknown>
    createdAt: Date
  }[]
> {
  return (await store.listAllActive(db)).map((r) => ({
    merchantId: r.merchant_id,
    id: r.id,
    source: r.source,
    provider: r.provider,
    settings: r.settings,
    createdAt: r.created_at,
  }))
}
