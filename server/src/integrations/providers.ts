import type { Transaction } from 'kysely'
import type { AppContext } from '../context.js'
import type { Database } from '../db/schema.js'
import type { InboxSource } from './tables.js'

/**
 * What a provider sees of a request: lower-cased header names (all of them), the body as received, and the absolute
 * URL as the sender requested it (PUBLIC_URL's origin and the request's path and query; without PUBLIC_URL, the
 * request's own scheme and host, the forwarded ones behind TRUST_PROXY). `url` is absent where no HTTP request
 * carried the delivery (the SMTP listener's, the demo's); a provider that signs the URL refuses those.
 */
export type WebhookRequest = { headers: Readonly<Record<string, string>>; rawBody: Buffer; url?: string }

/** The body of a 2xx acknowledgement, when a provider expects something else than our JSON. */
export type WebhookAcknowledgement = { contentType: string; body: string }

/** A stored delivery, as handed to a provider's `process`. */
export type InboxDelivery = {
  id: string
  merchantId: string
  connectionId: string
  source: InboxSource
  provider: string
  dedupKey: string
  receivedAt: Date
  headers: Record<string, string>
  /** The request that delivered it, for the audit entries processing writes. */
  requestId: string | null
  body: Buffer
  contentType: string | null
  attempts: number
}

/**
 * One provider's inbound webhooks. `verify` authenticates a request against the connection's live
 * secrets and throws an AppError (401 `signature_invalid`; 400 for a body it can never accept);
 * nothing is stored when it throws. `process` runs in the worker inside the delivery's transaction
 * and must be idempotent per delivery: a replay runs it again.
 */
export type InboxProvider = {
  source: InboxSource
  provider: string
  verify(input: WebhookRequest & { secrets: string[]; now: Date }): void
  /** The provider's idempotency key for this request (1 to 512 characters). */
  dedupKey(input: WebhookRequest): string
  process?(
    trx: Transaction<Database>,
    delivery: InboxDelivery,
    ctx: AppContext,
    now: Date,
  ): Promise<'processed' | 'ignored'>
  /**
   * The reply to a stored (or duplicate) request, when the provider expects its own format (Twilio: TwiML, where an
   * empty `<Response/>` means "no auto-reply"); without it, `{ received, duplicate, delivery_id }` as JSON.
   */
  acknowledge?(input: WebhookRequest): WebhookAcknowledgement
  /** Processing attempts before a delivery is dead-lettered (default 8). */
  maxAttempts?: number
  /**
   * The settings to store for a connection of this provider, checked: throws 400 `validation_failed` with each path
   * from `body/settings` (nothing is written), or returns them as they should be kept. Without it, settings are kept
   * as given.
   */
  settings?(raw: Record<string, unknown>): Record<string, unknown>
  /** Secret handling for connections of this provider; without it any non-empty secret is kept as given. */
  secrets?: {
    /** Makes a secret when the merchant supplies none; without it, a secret is required. */
    generate?(): string
    /** Why a supplied secret is unusable, or null when it is fine. */
    problem?(secret: string): string | null
  }
}

const key = (source: string, provider: string) => `${source}/${provider}`
let byKey = new Map<string, InboxProvider>()

/**
 * Makes these the providers webhooks are verified and processed with: every module's `providers`,
 * handed over at start (buildApp, the workers, the CLI) by the integrations module's `setup`.
 */
export function useProviders(providers: InboxProvider[]): void {
  const next = new Map<string, InboxProvider>()
  for (const p of providers) {
    if (next.has(key(p.source, p.provider)))
      throw new Error(`Inbox provider ${key(p.source, p.provider)} is declared twice`)
    next.set(key(p.source, p.provider), p)
  }
  byKey = next
}

export function findInboxProvider(source: string, provider: string): InboxProvider | undefined {
  return byKey.get(key(source, provider))
}

export const listInboxProviders = (): InboxProvider[] => [...byKey.values()]

export const defaultMaxAttempts = 8
