import { describe, expect, it } from 'vitest'
import { AppError } from '../errors.js'
import { secretProblem, signShopifyWebhook, verifyShopifyWebhook } from './signature.js'

// Shopify's own known answer (fixtures/README.md, "Known-answer test vector"): shopify-app-js
// validate.test.ts with the SDK's test config secret.
const vector = {
  body: '{"foo": "bar"}',
  secret: 'test_secret_key',
  hmac: 'B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=',
}

const request = (hmac: string | undefined, body = vector.body) => ({
  headers: (hmac === undefined ? {} : { 'x-shopify-hmac-sha256': hmac }) as Record<string, string>,
  rawBody: Buffer.from(body),
})
const reasonOf = (fn: () => void) => {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    expect(err).toMatchObject({ code: 'signature_invalid', status: 401 })
    return (err as AppError).details?.reason
  }
  throw new Error('expected verify to throw')
}

describe('verifyShopifyWebhook', () => {
  it("signs Shopify's official vector as Shopify does", () => {
    expect(signShopifyWebhook(vector.secret, vector.body)).toBe(vector.hmac)
  })

  it('accepts the official vector, against any of the live secrets (rotation)', () => {
    expect(() => verifyShopifyWebhook({ ...request(vector.hmac), secrets: [vector.secret] })).not.toThrow()
    expect(() =>
      verifyShopifyWebhook({ ...request(vector.hmac), secrets: ['shpss_new_secret_0123456789abcdef', vector.secret] }),
    ).not.toThrow()
  })

  it('refuses a missing header, an empty body, another secret, a changed body and a changed signature', () => {
    expect(reasonOf(() => verifyShopifyWebhook({ ...request(undefined), secrets: [vector.secret] }))).toBe(
      'missing_headers',
    )
    expect(
      reasonOf(() =>
        verifyShopifyWebhook({ ...request(signShopifyWebhook(vector.secret, ''), ''), secrets: [vector.secret] }),
      ),
    ).toBe('empty_body')
    expect(reasonOf(() => verifyShopifyWebhook({ ...request(vector.hmac), secrets: ['another_secret_key'] }))).toBe(
      'no_matching_signature',
    )
    expect(
      reasonOf(() => verifyShopifyWebhook({ ...request(vector.hmac, '{"foo":"bar"}'), secrets: [vector.secret] })),
    ).toBe('no_matching_signature')
    expect(
      reasonOf(() => verifyShopifyWebhook({ ...request(vector.hmac.replace('B', 'C')), secrets: [vector.secret] })),
    ).toBe('no_matching_signature')
    expect(reasonOf(() => verifyShopifyWebhook({ ...request('short'), secrets: [vector.secret] }))).toBe(
      'no_matching_signature',
    )
    expect(reasonOf(() => verifyShopifyWebhook({ ...request(vector.hmac), secrets: [] }))).toBe('no_matching_signature')
  })
})

describe('secretProblem', () => {
  it('keeps a pasted client secret unless whitespace or its length shows a paste went wrong', () => {
    expect(secretProblem('shpss_0123456789abcdef0123456789abcdef')).toBeNull()
    expect(secretProblem('shpss_0123456789abcdef0123456789abcdef\n')).toBe('must not contain spaces or line breaks')
    expect(secretProblem('shpss_')).toBe('is too short to be a Shopify app client secret')
  })
})
