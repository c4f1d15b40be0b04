import { createHmac, timingSafeEqual } from 'node:crypto'
import { AppError } from '../errors.js'
import type { WebhookRequest } from '../integrations/providers.js'

// Shopify HTTPS webhooks (fixtures/README.md, "Verification rules"): X-Shopify-Hmac-Sha256 is
// base64(HMAC-SHA256(key = the app's client secret, message = the raw body bytes)).

const hmacHeader = 'x-shopify-hmac-sha256'

export function signShopifyWebhook(secret: string, body: Buffer | string): string {
  return createHmac('sha256', secret).update(body).digest('base64')
}

const refuse = (reason: string, message: string) => new AppError('signature_invalid', message, { reason })

/** Throws 401 signature_invalid unless the HMAC header matches one of the connection's live secrets. */
export function verifyShopifyWebhook(input: WebhookRequest & { secrets: string[] }): void {
  const given = input.headers[hmacHeader]
  if (!given) throw refuse('missing_headers', `Send ${hmacHeader}`)
  // Shopify's SDK refuses an empty body before comparing; there is nothing to authenticate.
  if (!input.rawBody.length) throw refuse('empty_body', 'The body is empty')
  const givenBytes = Buffer.from(given)
  for (const secret of input.secrets) {
    const expected = Buffer.from(signShopifyWebhook(secret, input.rawBody))
    // timingSafeEqual needs equal lengths; a length mismatch only reveals that it is not a SHA-256 HMAC.
    if (expected.length === givenBytes.length && timingSafeEqual(expected, givenBytes)) return
  }
  throw refuse('no_matching_signature', `${hmacHeader} matches no current secret of this connection`)
}

/** A pasted client secret is kept as given, so stray whitespace would fail every delivery. */
export function secretProblem(secret: string): string | null {
  if (/\s/.test(secret)) return 'must not contain spaces or line breaks'
  if (secret.length < 16) return 'is too short to be a Shopify app client secret'
  return null
}
