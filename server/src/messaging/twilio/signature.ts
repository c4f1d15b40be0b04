import { createHmac, timingSafeEqual } from 'node:crypto'

// X-Twilio-Signature as Twilio documents it: HMAC-SHA1 with the account's auth token over the full URL Twilio
// requested, followed by each POST parameter's name and value, names in sorted order; base64.

export type TwilioParams = Record<string, string | string[]>

export function twilioSignature(authToken: string, url: string, params: TwilioParams): string {
  let data = url
  for (const name of Object.keys(params).sort()) {
    const value = params[name]!
    for (const v of Array.isArray(value) ? [...value].sort() : [value]) data += name + v
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64')
}

export function twilioSignatureValid(authToken: string, url: string, params: TwilioParams, signature: string): boolean {
  const expected = Buffer.from(twilioSignature(authToken, url, params))
  const given = Buffer.from(signature)
  return expected.length === given.length && timingSafeEqual(expected, given)
}
