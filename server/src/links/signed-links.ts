import { createHmac, timingSafeEqual } from 'node:crypto'
import { AppError } from '../errors.js'
import { newId } from '../ids.js'

export type LinkClaims = {
  merchantId: string
  purpose: string
  subjectType: string
  subjectId: string
  expiresAt: Date
  linkId: string
}

export type LinkExpectation = { purpose: string; subjectType?: string; subjectId?: string }

// Customer links travel in emails and SMS; a long-lived one is a standing credential.
export const maxLinkLifetimeMs = 90 * 24 * 60 * 60 * 1000

// Short keys keep SMS links short. `e` is epoch milliseconds so expiresAt round-trips exactly.
type Payload = { m: string; p: string; t: string; s: string; e: number; l: string }

export function signLink(secret: Buffer, claims: Omit<LinkClaims, 'linkId'> & { linkId?: string }, now: Date): string {
  const lifetimeMs = claims.expiresAt.getTime() - now.getTime()
  // Written as "not within" so an invalid Date (NaN) is refused too.
  if (!(lifetimeMs <= maxLinkLifetimeMs)) {
    throw new AppError('link_lifetime_too_long', 'A customer link may live at most 90 days', {
      max_lifetime_days: 90,
    })
  }
  const payload: Payload = {
    m: claims.merchantId,
    p: claims.purpose,
    t: claims.subjectType,
    s: claims.subjectId,
    e: claims.expiresAt.getTime(),
    l: claims.linkId ?? newId(),
  }
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url')
  return `${body}.${sign(secret, body)}`
}

export function verifyLink(secret: Buffer, token: string, expect: LinkExpectation, now: Date): LinkClaims {
  const parts = token.split('.')
  const [body, signature] = parts
  if (parts.length !== 2 || !body || !signature) throw invalid()
  // The signature covers the text of the body, and its own text is compared (not its decoded
  // bytes), so no two spellings of a token verify: any edit to the token fails.
  const expected = Buffer.from(sign(secret, body))
  const given = Buffer.from(signature)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid()

  const claims = readPayload(body)
  if (claims.purpose !== expect.purpose) throw misused()
  if (expect.subjectType !== undefined && claims.subjectType !== expect.subjectType) throw misused()
  if (expect.subjectId !== undefined && claims.subjectId !== expect.subjectId) throw misused()
  if (now.getTime() >= claims.expiresAt.getTime()) {
    throw new AppError('link_expired', 'This link has expired', { expired_at: claims.expiresAt.toISOString() })
  }
  return claims
}

function sign(secret: Buffer, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url')
}

// Only reached with a valid signature, so a bad shape here means a signing bug, still refused.
function readPayload(body: string): LinkClaims {
  let payload: unknown
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
  } catch {
    throw invalid()
  }
  if (typeof payload !== 'object' || payload === null) throw invalid()
  const { m, p, t, s, e, l } = payload as Partial<Record<keyof Payload, unknown>>
  if (
    typeof m !== 'string' ||
    typeof p !== 'string' ||
    typeof t !== 'string' ||
    typeof s !== 'string' ||
    typeof l !== 'string'
  )
    throw invalid()
  if (typeof e !== 'number' || !Number.isSafeInteger(e)) throw invalid()
  return { merchantId: m, purpose: p, subjectType: t, subjectId: s, expiresAt: new Date(e), linkId: l }
}

const invalid = () => new AppError('link_invalid', 'This link is not valid', undefined, 401)
// Authentic, but minted for another page or subject.
const misused = () => new AppError('link_invalid', 'This link is not valid here', undefined, 403)
