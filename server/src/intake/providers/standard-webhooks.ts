import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { AppError } from '../../errors.js'
import type { WebhookRequest } from '../../integrations/providers.js'

// Standard Webhooks 1.0.0, symmetric scheme (source recorded in ./README.md): HMAC-SHA256 over
// "{webhook-id}.{webhook-timestamp}.{body}", sent as space-separated "v1,<base64>" signatures.

const prefix = 'whsec_'
export const toleranceSeconds = 5 * 60
const minKeyBytes = 24 // the spec: "at least 24 bytes (192 bits, 512 maximum)"
const maxKeyBytes = 64

export function generateSecret(): string {
  return `${prefix}${randomBytes(32).toString('base64')}`
}

export function secretProblem(secret: string): string | null {
  if (!secret.startsWith(prefix)) return `must start with ${prefix}`
  const encoded = secret.slice(prefix.length)
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return `must be ${prefix} followed by base64`
  const bytes = Buffer.from(encoded, 'base64').length
  if (bytes < minKeyBytes || bytes > maxKeyBytes)
    return `must encode ${minKeyBytes} to ${maxKeyBytes} random bytes (got ${bytes})`
  return null
}

const keyOf = (secret: string) =>
  Buffer.from(secret.startsWith(prefix) ? secret.slice(prefix.length) : secret, 'base64')

/** The `webhook-signature` value for one secret: "v1,<base64 HMAC>". */
export function signStandardWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: Buffer | string,
): string {
  const mac = createHmac('sha256', keyOf(secret)).update(`${id}.${timestampSeconds}.`).update(body).digest('base64')
  return `v1,${mac}`
}

const refuse = (reason: string, message: string) => new AppError('signature_invalid', message, { reason })

/** Throws 401 signature_invalid unless one v1 signature matches one of the secrets, within the tolerance. */
export function verifyStandardWebhook(input: WebhookRequest & { secrets: string[]; now: Date }): void {
  const id = input.headers['webhook-id']
  const timestamp = input.headers['webhook-timestamp']
  const signatures = input.headers['webhook-signature']
  if (!id || !timestamp || !signatures)
    throw refuse('missing_headers', 'Send webhook-id, webhook-timestamp and webhook-signature')
  // The spec forbids "." in the signed metadata, which would let one signed string be re-split differently.
  if (!/^[^\s.]{1,256}$/.test(id))
    throw refuse('invalid_id', 'webhook-id must be 1 to 256 characters without dots or spaces')
  if (!/^\d{1,12}$/.test(timestamp))
    throw refuse('invalid_timestamp', 'webhook-timestamp must be whole seconds since the epoch')
  const seconds = Number(timestamp)
  if (Math.abs(Math.floor(input.now.getTime() / 1000) - seconds) > toleranceSeconds) {
    throw refuse('timestamp_out_of_tolerance', `webhook-timestamp is more than ${toleranceSeconds} seconds from now`)
  }
  const expected = input.secrets.map((s) => Buffer.from(signStandardWebhook(s, id, seconds, input.rawBody).slice(3)))
  for (const versioned of signatures.split(' ')) {
    const [version, signature] = versioned.split(',', 2)
    if (version !== 'v1' || !signature) continue // v1a (asymmetric) and future versions are not ours to check
    const given = Buffer.from(signature)
    // timingSafeEqual needs equal lengths; a length mismatch only reveals that it is not a v1 HMAC.
    if (expected.some((e) => e.length === given.length && timingSafeEqual(e, given))) return
  }
  throw refuse('no_matching_signature', 'No webhook-signature matches a current secret of this connection')
}
