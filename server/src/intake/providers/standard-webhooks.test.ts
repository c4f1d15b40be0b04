import { describe, expect, it } from 'vitest'
import { AppError } from '../../errors.js'
import { generateSecret, secretProblem, signStandardWebhook, verifyStandardWebhook } from './standard-webhooks.js'

// Known answer from the reference library's "sign function works" test (source in ./README.md).
const vector = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
}
const at = new Date(vector.timestamp * 1000)
const headers = (overrides: Record<string, string> = {}) => ({
  'webhook-id': vector.id,
  'webhook-timestamp': String(vector.timestamp),
  'webhook-signature': vector.signature,
  ...overrides,
})

function reason(fn: () => void): unknown {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('signature_invalid')
    expect((err as AppError).status).toBe(401)
    return (err as AppError).details?.reason
  }
  return 'verified'
}

const verify = (h: Record<string, string>, opts: { body?: string; secrets?: string[]; now?: Date } = {}) =>
  reason(() =>
    verifyStandardWebhook({
      headers: h,
      rawBody: Buffer.from(opts.body ?? vector.body),
      secrets: opts.secrets ?? [vector.secret],
      now: opts.now ?? at,
    }),
  )

describe('Standard Webhooks signatures', () => {
  it('signs the reference vector exactly', () => {
    expect(signStandardWebhook(vector.secret, vector.id, vector.timestamp, vector.body)).toBe(vector.signature)
    expect(signStandardWebhook(vector.secret, vector.id, vector.timestamp, Buffer.from(vector.body))).toBe(
      vector.signature,
    )
  })

  it('verifies the reference vector, and any v1 entry of a space-separated list', () => {
    expect(verify(headers())).toBe('verified')
    const list = [
      'v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==',
      'v2,abc',
      'v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=',
      vector.signature,
    ]
    expect(verify(headers({ 'webhook-signature': list.join(' ') }))).toBe('verified')
  })

  it('accepts any of several secrets (rotation) and refuses when none matches', () => {
    const other = generateSecret()
    expect(verify(headers(), { secrets: [other, vector.secret] })).toBe('verified')
    expect(verify(headers(), { secrets: [other] })).toBe('no_matching_signature')
    expect(verify(headers(), { secrets: [] })).toBe('no_matching_signature')
  })

  it('refuses a changed body, id or timestamp', () => {
    expect(verify(headers(), { body: '{"test": 2432232315}' })).toBe('no_matching_signature')
    expect(verify(headers({ 'webhook-id': 'msg_other' }))).toBe('no_matching_signature')
    expect(verify(headers({ 'webhook-timestamp': String(vector.timestamp + 1) }))).toBe('no_matching_signature')
  })

  it('allows five minutes of clock difference either way, and no more', () => {
    expect(verify(headers(), { now: new Date(at.getTime() + 300_000) })).toBe('verified')
    expect(verify(headers(), { now: new Date(at.getTime() - 300_000) })).toBe('verified')
    expect(verify(headers(), { now: new Date(at.getTime() + 301_000) })).toBe('timestamp_out_of_tolerance')
    expect(verify(headers(), { now: new Date(at.getTime() - 301_000) })).toBe('timestamp_out_of_tolerance')
  })

  it('refuses missing headers, truncated signatures and malformed metadata', () => {
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      const h: Record<string, string> = headers()
      delete h[name]
      expect(verify(h)).toBe('missing_headers')
    }
    expect(verify(headers({ 'webhook-signature': vector.signature.slice(0, 8) }))).toBe('no_matching_signature')
    expect(verify(headers({ 'webhook-signature': 'v1,' }))).toBe('no_matching_signature')
    expect(verify(headers({ 'webhook-timestamp': 'hello' }))).toBe('invalid_timestamp')
    expect(verify(headers({ 'webhook-timestamp': '1614265330.5' }))).toBe('invalid_timestamp')
    expect(verify(headers({ 'webhook-id': 'msg.1614265330' }))).toBe('invalid_id')
  })

  it('generates whsec_ secrets of 32 random bytes and checks supplied ones', () => {
    const secret = generateSecret()
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    expect(secretProblem(secret)).toBeNull()
    expect(secretProblem(vector.secret)).toBeNull()
    expect(secretProblem('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toMatch(/whsec_/)
    expect(secretProblem('whsec_c2hvcnQ=')).toMatch(/24 to 64/)
    expect(secretProblem('whsec_not base64!')).toMatch(/base64/)
  })
})
