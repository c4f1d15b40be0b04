import { createHmac, timingSafeEqual } from 'node:crypto'

// reply+<token>@<inbound domain>: the token names the case and proves we made it. It must fit an address's
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
const mac = (key: Buffer, merchantId: string, caseId: string) =>
  createHmac('sha256', key).update(`email-reply\0${merchantId}\0${caseId}`).digest().subarray(0, macBytes)

/** The address a case's outbound mail carries in Reply-To, so the customer's answer finds the case. */
export function replyAddress(key: Buffer, merchantId: string, caseId: string, domain: string): string {
  return `reply+${base32(Buffer.concat([uuidBytes(caseId), mac(key, merchantId, caseId)]))}@${domain}`
}

/** The case a reply address claims to name, or null when the address is not one of ours; check it with verifyReply. */
export function parseReplyAddress(address: string, domain: string): { caseId: string; token: string } | null {
  const m = /^reply\+([a-z2-7]{42})@(.+)$/i.exec(address.trim())
  if (!m || m[2]!.toLowerCase() !== domain.toLowerCase()) return null
  const bytes = unbase32(m[1]!.toLowerCase())
  if (!bytes || bytes.length < 16 + macBytes) return null
  return { caseId: uuidText(bytes.subarray(0, 16)), token: m[1]!.toLowerCase() }
}

/** Whether the token was made by this installation for this case of this workspace. */
export function verifyReply(key: Buffer, merchantId: string, caseId: string, token: string): boolean {
  const bytes = unbase32(token.toLowerCase())
  if (!bytes || bytes.length < 16 + macBytes) return false
  const expected = mac(key, merchantId, caseId)
  return timingSafeEqual(bytes.subarray(16, 16 + macBytes), expected) && uuidText(bytes.subarray(0, 16)) === caseId
}
