import { createHmac, timingSafeEqual } from 'node:crypto'

// reply+<token>@<inbound domain>: the token names the case and proves we made it (side+<token> names a side
// conversation the same way). It must fit an address's
// 64-octet local part and survive mail systems that change letter case, hence lowercase base32 of the case id
// and a 10-byte HMAC: 42 characters. It does not expire: customers answer months later.
const alphabet = 'abcdefghijklmnopqrstuvwxyz234567'
const macBytes = 10

function base32(bytes: Buffer): string {
  let bits = 0
  let value = 0
  let out = ''
  for (const b of bytes) {
    value = (value << 8) | b
    bits += 8
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31]
  return out
}

function unbase32(text: string): Buffer | null {
  let bits = 0
  let value = 0
  const out: number[] = []
  for (const ch of text) {
    const i = alphabet.indexOf(ch)
    if (i < 0) return null
    value = (value << 5) | i
    bits += 5
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255)
      bits -= 8
    }
  }
  // Only the canonical spelling: the last character's spare bits must be zero, or two addresses would name one token.
  if (value & ((1 << bits) - 1)) return null
  return Buffer.from(out)
}

const uuidBytes = (id: string) => Buffer.from(id.replace(/-/g, ''), 'hex')
const uuidText = (b: Buffer) => {
  const h = b.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}
// Each token is bound to its purpose: a case's token never verifies as a side conversation's, nor the other way.
const purposes = { case: 'email-reply', side: 'side-reply' } as const
type Purpose = keyof typeof purposes
const prefixes: Record<Purpose, string> = { case: 'reply', side: 'side' }
const mac = (key: Buffer, purpose: Purpose, merchantId: string, id: string) =>
  createHmac('sha256', key).update(`${purposes[purpose]}\0${merchantId}\0${id}`).digest().subarray(0, macBytes)

const address = (key: Buffer, purpose: Purpose, merchantId: string, id: string, domain: string) =>
  `${prefixes[purpose]}+${base32(Buffer.concat([uuidBytes(id), mac(key, purpose, merchantId, id)]))}@${domain}`

function parse(purpose: Purpose, text: string, domain: string): { id: string; token: string } | null {
  const m = /^([a-z]+)\+([a-z2-7]{42})@(.+)$/i.exec(text.trim())
  if (!m || m[1]!.toLowerCase() !== prefixes[purpose] || m[3]!.toLowerCase() !== domain.toLowerCase()) return null
  const bytes = unbase32(m[2]!.toLowerCase())
  if (!bytes || bytes.length < 16 + macBytes) return null
  return { id: uuidText(bytes.subarray(0, 16)), token: m[2]!.toLowerCase() }
}

function verify(key: Buffer, purpose: Purpose, merchantId: string, id: string, token: string): boolean {
  const bytes = unbase32(token.toLowerCase())
  if (!bytes || bytes.length < 16 + macBytes) return false
  const expected = mac(key, purpose, merchantId, id)
  return timingSafeEqual(bytes.subarray(16, 16 + macBytes), expected) && uuidText(bytes.subarray(0, 16)) === id
}

/** The address a case's outbound mail carries in Reply-To, so the customer's answer finds the case. */
export function replyAddress(key: Buffer, merchantId: string, caseId: string, domain: string): string {
  return address(key, 'case', merchantId, caseId, domain)
}

/** The case a reply address claims to name, or null when the address is not one of ours; check it with verifyReply. */
export function parseReplyAddress(text: string, domain: string): { caseId: string; token: string } | null {
  const parsed = parse('case', text, domain)
  return parsed && { caseId: parsed.id, token: parsed.token }
}

/** Whether the token was made by this installation for this case of this workspace. */
export function verifyReply(key: Buffer, merchantId: string, caseId: string, token: string): boolean {
  return verify(key, 'case', merchantId, caseId, token)
}

/**
 * A side conversation's reply address (side+<token>@<inbound domain>): the third party's answer threads back into
 * that conversation, never into the customer's.
 */
export function sideReplyAddress(key: Buffer, merchantId: string, sideConversationId: string, domain: string): string {
  return address(key, 'side', merchantId, sideConversationId, domain)
}

/** The side conversation an address claims to name, or null; check it with verifySideReply. */
export function parseSideReplyAddress(
  text: string,
  domain: string,
): { sideConversationId: string; token: string } | null {
  const parsed = parse('side', text, domain)
  return parsed && { sideConversationId: parsed.id, token: parsed.token }
}

/** Whether the token was made by this installation for this side conversation of this workspace. */
export function verifySideReply(key: Buffer, merchantId: string, sideConversationId: string, token: string): boolean {
  return verify(key, 'side', merchantId, sideConversationId, token)
}
