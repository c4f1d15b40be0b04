import { createHmac, timingSafeEqual } from 'node:crypto'

// X-Twilio-Signature as Twilio documents it (twilio.com/docs/usage/webhooks/webhooks-security): HMAC-SHA1 with the
// account's auth token over the full URL Twilio requested, followed by each POST parameter's name and value, names
// in sorted order; base64. A name given several values contributes each distinct value once, in sorted order, as
// Twilio's SDKs compute it (twilio-node src/webhooks/webhooks.ts toFormUrlEncodedParam, twilio-python
// request_validator.py compute_signature; vectors in twilio/fixtures/README.md).

export type TwilioParams = Record<string, string | string[]>

export function twilioSignature(authToken: string, url: string, params: TwilioParams): string {
  let data = url
  for (const name of Object.keys(params).sort()) {
    const value = params[name]!
    for (const v of Array.isArray(value) ? [...new Set(value)].sort() : [value]) data += name + v
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64')
}

export function twilioSignatureValid(authToken: string, url: string, params: TwilioParams, signature: string): boolean {
  const expected = Buffer.from(twilioSignature(authToken, url, params))
  const given = Buffer.from(signature)
  return expected.length === given.length && timingSafeEqual(expected, given)
}

/**
 * The URL forms a signature may cover: Twilio signs some URLs with the port and some without ("signature generation
 * on the back end is inconsistent"), so its SDKs accept either: the URL without any port, and with its port (the
 * scheme's standard one, :443 or :80, written out when the URL names none). Null for a URL that does not parse.
 */
export function twilioUrlForms(url: string): [string, string] | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  const withPort = parsed.port
    ? parsed.toString()
    : `${parsed.protocol}//${parsed.username}${parsed.password ? `:${parsed.password}` : ''}${
        parsed.username || parsed.password ? '@' : ''
      }${parsed.host}${parsed.protocol === 'https:' ? ':443' : ':80'}${parsed.pathname}${parsed.search}${parsed.hash}`
  parsed.port = ''
  return [parsed.toString(), withPort]
}

/** Whether the signature is the auth token's over the URL (with or without its port) and the parameters. */
export function twilioRequestValid(authToken: string, url: string, params: TwilioParams, signature: string): boolean {
  const forms = twilioUrlForms(url)
  if (!forms) return false
  // Both are computed, so the time taken does not tell which form matched.
  const a = twilioSignatureValid(authToken, forms[0], params, signature)
  const b = twilioSignatureValid(authToken, forms[1], params, signature)
  return a || b
}
