import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { deriveKey } from '../crypto.js'
import { AppError } from '../errors.js'
import { isUuid } from '../ids.js'
import { maxLinkLifetimeMs, signLink, verifyLink } from './signed-links.js'

const secret = deriveKey('test master secret, long enough for the tests', 'links')
const now = new Date('2025-03-01T12:00:00.000Z')
const expiresAt = new Date('2025-03-08T12:00:00.250Z')
const claims = { merchantId: 'm_1', purpose: 'evidence_upload', subjectType: 'case', subjectId: 'c_42', expiresAt }
const expectation = { purpose: 'evidence_upload', subjectType: 'case', subjectId: 'c_42' }

function caught(fn: () => unknown): AppError {
  try {
    fn()
  } catch (err) {
    if (err instanceof AppError) return err
    throw err
  }
  throw new Error('expected an AppError, nothing was thrown')
}

// Re-encodes the token's payload after `edit`, keeping the original signature.
function withPayload(token: string, edit: (payload: Record<string, unknown>) => void): string {
  const [body, signature] = token.split('.') as [string, string]
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
  edit(payload)
  return `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${signature}`
}

describe('signed links', () => {
  it('round-trips every claim and mints a uuidv7 link id when none is given', () => {
    const token = signLink(secret, claims, now)
    const verified = verifyLink(secret, token, expectation, now)
    expect(verified).toEqual({ ...claims, linkId: verified.linkId })
    expect(isUuid(verified.linkId)).toBe(true)
    expect(verified.linkId[14]).toBe('7')
    expect(verified.expiresAt.getTime()).toBe(expiresAt.getTime())
  })

  it('keeps a given link id, so links can be revoked by the id stored at signing', () => {
    const linkId = '01954f3e-0000-7000-8000-000000000001'
    const token = signLink(secret, { ...claims, linkId }, now)
    expect(verifyLink(secret, token, { purpose: 'evidence_upload' }, now).linkId).toBe(linkId)
  })

  it('is a compact base64url payload and base64url HMAC-SHA256 joined by a dot', () => {
    const token = signLink(secret, claims, now)
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/)
    const payload = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'))
    expect(Object.keys(payload).sort()).toEqual(['e', 'l', 'm', 'p', 's', 't'])
  })

  it('refuses a tampered payload with link_invalid 401', () => {
    const token = signLink(secret, claims, now)
    const forged = withPayload(token, (p) => {
      p.s = 'c_43'
    })
    const err = caught(() => verifyLink(secret, forged, { purpose: 'evidence_upload' }, now))
    expect([err.code, err.status]).toEqual(['link_invalid', 401])
  })

  it('refuses an extended expiry written into the payload', () => {
    const token = signLink(secret, claims, now)
    const forged = withPayload(token, (p) => {
      p.e = Number(p.e) + 365 * 86_400_000
    })
    expect(caught(() => verifyLink(secret, forged, expectation, now)).code).toBe('link_invalid')
  })

  it('refuses a tampered signature with link_invalid 401', () => {
    const token = signLink(secret, claims, now)
    const [body, signature] = token.split('.') as [string, string]
    const bytes = Buffer.from(signature, 'base64url')
    bytes[0] = bytes[0]! ^ 0x01
    const err = caught(() => verifyLink(secret, `${body}.${bytes.toString('base64url')}`, expectation, now))
    expect([err.code, err.status]).toEqual(['link_invalid', 401])
  })

  it('refuses another spelling of the same signature bytes (unused trailing base64url bits changed)', () => {
    const token = signLink(secret, claims, now)
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    // 32 bytes take 43 characters; the last one carries 4 bits and 2 unused ones.
    const respelled = token.slice(0, -1) + alphabet[alphabet.indexOf(token.at(-1)!) ^ 1]
    expect(Buffer.from(respelled.split('.')[1]!, 'base64url')).toEqual(Buffer.from(token.split('.')[1]!, 'base64url'))
    const err = caught(() => verifyLink(secret, respelled, expectation, now))
    expect([err.code, err.status]).toEqual(['link_invalid', 401])
  })

  it('refuses a token signed with another key', () => {
    const token = signLink(deriveKey('test master secret, long enough for the tests', 'audit'), claims, now)
    const err = caught(() => verifyLink(secret, token, expectation, now))
    expect([err.code, err.status]).toEqual(['link_invalid', 401])
  })

  it.each([
    ['empty', ''],
    ['no dot', 'abc'],
    ['three parts', 'a.b.c'],
    ['empty signature', 'abc.'],
    ['empty payload', '.abc'],
    ['not base64url', 'a$b.c%d'],
  ])('refuses a malformed token (%s) with link_invalid 401', (_name, token) => {
    const err = caught(() => verifyLink(secret, token, expectation, now))
    expect([err.code, err.status]).toEqual(['link_invalid', 401])
  })

  it('counts a link as expired at exactly its expiry instant, and valid one millisecond before', () => {
    const token = signLink(secret, claims, now)
    expect(verifyLink(secret, token, expectation, new Date(expiresAt.getTime() - 1)).subjectId).toBe('c_42')
    const err = caught(() => verifyLink(secret, token, expectation, expiresAt))
    expect(err).toMatchObject({
      code: 'link_expired',
      status: 401,
      details: { expired_at: '2025-03-08T12:00:00.250Z' },
    })
  })

  it('refuses a link minted for another purpose with link_invalid 403', () => {
    const token = signLink(secret, claims, now)
    const err = caught(() => verifyLink(secret, token, { purpose: 'return_label' }, now))
    expect([err.code, err.status]).toEqual(['link_invalid', 403])
  })

  it('refuses a link for another subject or subject type with link_invalid 403', () => {
    const token = signLink(secret, claims, now)
    const otherId = caught(() => verifyLink(secret, token, { ...expectation, subjectId: 'c_43' }, now))
    const otherType = caught(() => verifyLink(secret, token, { ...expectation, subjectType: 'order' }, now))
    expect([otherId.code, otherId.status, otherType.code, otherType.status]).toEqual([
      'link_invalid',
      403,
      'link_invalid',
      403,
    ])
  })

  it('caps the lifetime at 90 days when signing', () => {
    const atCap = new Date(now.getTime() + maxLinkLifetimeMs)
    expect(
      verifyLink(secret, signLink(secret, { ...claims, expiresAt: atCap }, now), expectation, now).expiresAt,
    ).toEqual(atCap)
    const tooLong = caught(() => signLink(secret, { ...claims, expiresAt: new Date(atCap.getTime() + 1) }, now))
    expect([tooLong.code, tooLong.status]).toEqual(['link_lifetime_too_long', 400])
    const invalidDate = caught(() => signLink(secret, { ...claims, expiresAt: new Date('not a date') }, now))
    expect(invalidDate.code).toBe('link_lifetime_too_long')
  })

  it('fails verification after any single-character change of a token', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ é'.split('')
    const text = fc.string({ minLength: 1, maxLength: 40 })
    fc.assert(
      fc.property(
        text,
        text,
        text,
        fc.nat(),
        fc.constantFrom(...alphabet),
        (merchantId, purpose, subjectId, position, replacement) => {
          const token = signLink(secret, { merchantId, purpose, subjectType: 'case', subjectId, expiresAt }, now)
          const index = position % token.length
          fc.pre(token[index] !== replacement)
          const changed = token.slice(0, index) + replacement + token.slice(index + 1)
          const err = caught(() => verifyLink(secret, changed, { purpose }, now))
          expect([err.code, err.status]).toEqual(['link_invalid', 401])
        },
      ),
      { numRuns: 2000 },
    )
  })
})
