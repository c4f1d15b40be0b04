import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

// Each facility (links, secret encryption, audit checkpoints) gets its own key from the one
// master secret, so a leak or misuse in one never exposes another. RFC 5869, info = purpose.
export function deriveKey(master: string | Buffer, purpose: string): Buffer {
  if (master.length === 0) throw new Error('deriveKey needs a non-empty master secret')
  if (purpose.length === 0) throw new Error('deriveKey needs a purpose')
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `claimdesk:${purpose}`, 32))
}

const boxVersion = 'v1'
const ivBytes = 12 // the GCM standard nonce size; random per box, safe for 2^32 boxes per key
const tagBytes = 16

export function encryptSecret(key: Buffer, plaintext: string): string {
  const iv = randomBytes(ivBytes)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return [boxVersion, ...[iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url'))].join('.')
}

// A box that fails to open means a wrong key or corrupted storage: an internal fault, so a plain
// Error (the HTTP layer answers 500 and logs it), never a message a client can branch on.
export function decryptSecret(key: Buffer, box: string): string {
  const parts = box.split('.')
  if (parts.length !== 4 || parts[0] !== boxVersion) throw new Error('Not a v1 secret box')
  const [iv, tag, ciphertext] = parts.slice(1).map(decodeStrict) as [Buffer, Buffer, Buffer]
  if (iv.length !== ivBytes || tag.length !== tagBytes) throw new Error('Secret box has a malformed iv or tag')
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes })
  decipher.setAuthTag(tag)
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8')
  } catch {
    throw new Error('Secret box failed authentication (tampered, or the wrong key)')
  }
}

// Buffer.from(…, 'base64url') skips stray characters and ignores unused trailing bits; insisting on
// the canonical spelling means any edit to the text of a box is refused.
function decodeStrict(part: string): Buffer {
  const bytes = Buffer.from(part, 'base64url')
  if (bytes.toString('base64url') !== part) throw new Error('Secret box is not canonical base64url')
  return bytes
}
