import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { decryptSecret, deriveKey, encryptSecret } from './crypto.js'

const master = 'a master secret of at least thirty-two characters'

describe('deriveKey', () => {
  it('derives a 32-byte key that is stable for one master and purpose', () => {
    const key = deriveKey(master, 'links')
    expect(key).toHaveLength(32)
    expect(deriveKey(Buffer.from(master), 'links').equals(key)).toBe(true)
  })

  it('gives each purpose and each master a different key, none equal to the master', () => {
    const keys = [
      deriveKey(master, 'links'),
      deriveKey(master, 'secrets'),
      deriveKey(master, 'audit'),
      deriveKey(`${master}!`, 'links'),
    ]
    expect(new Set(keys.map((k) => k.toString('hex'))).size).toBe(4)
    expect(keys.some((k) => k.equals(Buffer.from(master).subarray(0, 32)))).toBe(false)
  })

  it('matches HKDF-SHA256 (RFC 5869) computed by hand with an empty salt', () => {
    // Extract with an all-zero salt of hash length (RFC 5869 §2.2), then one expand block.
    const prk = createHmac('sha256', Buffer.alloc(32)).update(master).digest()
    const okm = createHmac('sha256', prk)
      .update(Buffer.concat([Buffer.from('claimdesk:links'), Buffer.from([1])]))
      .digest()
    expect(deriveKey(master, 'links').equals(okm)).toBe(true)
  })

  it('refuses an empty master or purpose', () => {
    expect(() => deriveKey('', 'links')).toThrow(/master/)
    expect(() => deriveKey(master, '')).toThrow(/purpose/)
  })
})

describe('encryptSecret / decryptSecret', () => {
  const key = deriveKey(master, 'secrets')

  it.each(['whsec_0123456789abcdef', '', 'ünïcödé 🔑 secret'])('round-trips %j', (plaintext) => {
    const box = encryptSecret(key, plaintext)
    expect(box).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]*$/)
    expect(decryptSecret(key, box)).toBe(plaintext)
  })

  it('uses a fresh iv, so the same secret never encrypts to the same box', () => {
    const a = encryptSecret(key, 'same')
    const b = encryptSecret(key, 'same')
    expect(a.split('.')[1]).not.toBe(b.split('.')[1])
    expect(a).not.toBe(b)
  })

  it('refuses a box whose ciphertext, tag or iv was altered', () => {
    const box = encryptSecret(key, 'stripe-key-sk_live_123')
    for (const index of [1, 2, 3]) {
      const parts = box.split('.')
      const bytes = Buffer.from(parts[index]!, 'base64url')
      bytes[0] = bytes[0]! ^ 0x80
      parts[index] = bytes.toString('base64url')
      expect(() => decryptSecret(key, parts.join('.'))).toThrow(/authentication/)
    }
  })

  it('refuses any single-character edit of the box text', () => {
    const box = encryptSecret(key, 'twilio-auth-token')
    for (let i = 0; i < box.length; i++) {
      const replacement = box[i] === 'A' ? 'B' : 'A'
      expect(() => decryptSecret(key, box.slice(0, i) + replacement + box.slice(i + 1))).toThrow()
    }
  })

  it('refuses another spelling of the same tag bytes (unused trailing base64url bits changed)', () => {
    const parts = encryptSecret(key, 'carrier-api-key').split('.')
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    // 16 bytes take 22 characters; the last one carries 2 bits and 4 unused ones.
    const tag = parts[2]!
    parts[2] = tag.slice(0, -1) + alphabet[alphabet.indexOf(tag.at(-1)!) ^ 1]
    expect(Buffer.from(parts[2], 'base64url')).toEqual(Buffer.from(tag, 'base64url'))
    expect(() => decryptSecret(key, parts.join('.'))).toThrow(/canonical/)
  })

  it('refuses to open a box with another key', () => {
    const box = encryptSecret(key, 'smtp-password')
    expect(() => decryptSecret(deriveKey(master, 'links'), box)).toThrow(/authentication/)
  })

  it('refuses boxes of an unknown version or shape', () => {
    const [, iv, tag, ciphertext] = encryptSecret(key, 'x').split('.')
    expect(() => decryptSecret(key, `v2.${iv}.${tag}.${ciphertext}`)).toThrow(/v1/)
    expect(() => decryptSecret(key, `v1.${iv}.${tag}`)).toThrow(/v1/)
    expect(() => decryptSecret(key, `v1.${iv}.${tag!.slice(0, 20)}.${ciphertext}`)).toThrow()
  })
})
