import { randomBytes, randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  parseReplyAddress,
  parseSideReplyAddress,
  replyAddress,
  sideReplyAddress,
  verifyReply,
  verifySideReply,
} from './reply-address.js'

const key = randomBytes(32)
const merchant = randomUUID()
const caseId = randomUUID()
const domain = 'reply.shop.example'

describe('reply addresses', () => {
  it('name their case, fit a local part, and survive a change of letter case', () => {
    const address = replyAddress(key, merchant, caseId, domain)
    expect(address.split('@')[0]!.length).toBeLessThanOrEqual(64)
    for (const a of [address, address.toUpperCase(), ` ${address} `]) {
      const parsed = parseReplyAddress(a, domain)
      expect(parsed?.caseId).toBe(caseId)
      expect(verifyReply(key, merchant, caseId, parsed!.token)).toBe(true)
    }
  })

  it('are refused for another workspace, another key, another domain or a changed token', () => {
    const address = replyAddress(key, merchant, caseId, domain)
    const { token } = parseReplyAddress(address, domain)!
    expect(verifyReply(key, randomUUID(), caseId, token)).toBe(false)
    expect(verifyReply(randomBytes(32), merchant, caseId, token)).toBe(false)
    expect(parseReplyAddress(address, 'reply.other.example')).toBeNull()
    const flipped = token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a')
    expect(verifyReply(key, merchant, caseId, flipped)).toBe(false)
    // 42 characters carry 210 bits for 208: a last character differing only in the spare bits is refused too.
    const last = 'abcdefghijklmnopqrstuvwxyz234567'.indexOf(token.at(-1)!)
    const spare = token.slice(0, -1) + 'abcdefghijklmnopqrstuvwxyz234567'[last ^ 1]
    expect(verifyReply(key, merchant, caseId, spare)).toBe(false)
    expect(parseReplyAddress(`reply+${spare}@${domain}`, domain)).toBeNull()
    expect(parseReplyAddress(`reply+${'a'.repeat(41)}@${domain}`, domain)).toBeNull()
    expect(parseReplyAddress(`support@${domain}`, domain)).toBeNull()
    expect(parseReplyAddress(`reply+${'1'.repeat(42)}@${domain}`, domain)).toBeNull()
  })

  it("name a side conversation with a token bound to that purpose: a case's never passes for one, nor the reverse", () => {
    const sideId = randomUUID()
    const side = sideReplyAddress(key, merchant, sideId, domain)
    expect(side).toMatch(/^side\+[a-z2-7]{42}@reply\.shop\.example$/)
    const parsed = parseSideReplyAddress(side.toUpperCase(), domain)
    expect(parsed?.sideConversationId).toBe(sideId)
    expect(verifySideReply(key, merchant, sideId, parsed!.token)).toBe(true)
    expect(verifySideReply(key, randomUUID(), sideId, parsed!.token)).toBe(false)
    // The same id under the other purpose: same shape, different MAC.
    expect(parseReplyAddress(side, domain)).toBeNull()
    expect(verifyReply(key, merchant, sideId, parsed!.token)).toBe(false)
    const caseToken = parseReplyAddress(replyAddress(key, merchant, sideId, domain), domain)!.token
    expect(verifySideReply(key, merchant, sideId, caseToken)).toBe(false)
    expect(parseSideReplyAddress(replyAddress(key, merchant, sideId, domain), domain)).toBeNull()
  })
})
