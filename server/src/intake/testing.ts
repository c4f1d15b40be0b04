import { systemContext } from '../auth/actor.js'
import type { AppContext } from '../context.js'
import { newId } from '../ids.js'
import { createConnection, type CreateConnectionInput } from '../integrations/service.js'
import { generateSecret, signStandardWebhook } from './providers/standard-webhooks.js'
import * as store from './store.js'
import type { DeliveryStatus } from './tables.js'

// Helpers for tests (this module's and cross-module fixtures): real rows through the real code paths.

/** A connection (a generic 3PL feed by default) with a known secret. */
export async function seedConnection(
  ctx: AppContext,
  merchantId: string,
  input: Partial<CreateConnectionInput> = {},
): Promise<{ id: string; secret: string }> {
  const secret = input.secret ?? generateSecret()
  const { connection } = await ctx.db.transaction().execute((trx) =>
    createConnection(
      trx,
      systemContext(merchantId),
      ctx.keys.secrets,
      {
        source: '3pl',
        provider: 'generic',
        name: 'Test 3PL feed',
        ...input,
        secret,
      },
      new Date(),
    ),
  )
  return { id: connection.id, secret }
}

/** A stored delivery in the given status, without a queued job. */
export async function seedDelivery(
  ctx: AppContext,
  merchantId: string,
  connectionId: string,
  opts: { status?: DeliveryStatus; body?: Buffer | string } = {},
): Promise<string> {
  return ctx.db.transaction().execute(async (trx) => {
    const id = newId()
    await store.insertDelivery(trx, {
      merchant_id: merchantId,
      id,
      connection_id: connectionId,
      source: '3pl',
      provider: 'generic',
      dedup_key: `msg_${id}`,
      received_at: new Date(),
      headers: JSON.stringify({ 'content-type': 'application/json' }),
      body: Buffer.from(opts.body ?? '{"type":"test.seeded"}'),
      content_type: 'application/json',
      last_error: null,
      processed_at: null,
    })
    if (opts.status && opts.status !== 'received')
      await store.updateDelivery(trx, merchantId, id, { status: opts.status, attempts: 1 })
    return id
  })
}

/** Standard Webhooks headers for `body`, signed with every given secret. */
export function signedHeaders(
  secrets: string | string[],
  body: Buffer | string,
  opts: { id?: string; at?: Date } = {},
): Record<string, string> {
  const id = opts.id ?? `msg_${newId()}`
  const timestamp = Math.floor((opts.at ?? new Date()).getTime() / 1000)
  const signature = [secrets]
    .flat()
    .map((s) => signStandardWebhook(s, id, timestamp, body))
    .join(' ')
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signature,
  }
}
