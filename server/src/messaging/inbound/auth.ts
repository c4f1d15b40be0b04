import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { AppError } from '../../errors.js'
import type { WebhookRequest } from '../../integrations/providers.js'

const digest = (s: string) => createHash('sha256').update(s).digest()
const sameSecret = (given: string, secret: string) => timingSafeEqual(digest(given), digest(secret))
export const invalid = (message: string) => new AppError('signature_invalid', message)

/**
 * HTTP basic auth, as Postmark (and SendGrid, for a URL with credentials) send it: the password must be one of
 * the connection's live secrets; the user name is not checked (use any, e.g. "claimdesk"). A wrong password is
 * answered 401 (signature_invalid), not 403: Postmark documents no status for failed auth, but stops retrying at a
 * 403 (postmarkapp.com/support/article/understanding-inbound-webhook-retries-in-postmark), so a secret mistyped
 * in its webhook URL would lose the mail; at a 401 it retries for about 10.5 hours while the secret is fixed.
 */
export function verifyBasicAuth(input: WebhookRequest & { secrets: string[] }): void {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(input.headers.authorization ?? '')
  if (!m) throw invalid('The request carries no basic-auth credentials (put them in the webhook URL)')
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  const password = colon < 0 ? '' : decoded.slice(colon + 1)
  // Every secret is compared, so the time taken does not tell which matched.
  let ok = false
  for (const s of input.secrets) ok = sameSecret(password, s) || ok
  if (!ok) throw invalid('The basic-auth password matches no live secret of this connection')
}

/** Mailgun: hex HMAC-SHA256 of timestamp + token (no separator) with the webhook signing key. */
export function mailgunSignatureValid(
  signingKey: string,
  timestamp: string,
  token: string,
  signature: string,
): boolean {
  const expected = createHmac('sha256', signingKey)
    .update(timestamp + token)
    .digest('hex')
  return (
    /^[0-9a-f]{64}$/i.test(signature) && timingSafeEqual(Buffer.from(expected), Buffer.from(signature.toLowerCase()))
  )
}
