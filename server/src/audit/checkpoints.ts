import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto'
import type { Db } from '../db/database.js'
import type { JobHandler } from '../modules.js'
import { checkpointArchive, type CheckpointArchive } from './archive.js'
import { canonicalJson } from './canonical.js'
import * as store from './store.js'

export type AuditSigner = { privateKey: KeyObject; publicKey: KeyObject; keyId: string; publicKeyPem: string }

// PKCS#8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410): the same seed always gives the same key pair.
const pkcs8Ed25519Prefix = Buffer.from('302e020100300506032b657004220420', 'hex')
const signers = new Map<string, AuditSigner>()

export function keyIdOf(publicKey: KeyObject): string {
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32)
  return createHash('sha256').update(raw).digest('hex').slice(0, 16)
}

/** The Ed25519 key pair derived from `ctx.keys.audit`. */
export function auditSigner(seed: Buffer): AuditSigner {
  if (seed.length !== 32) throw new Error('audit signing seed must be 32 bytes')
  const cacheKey = seed.toString('hex')
  let signer = signers.get(cacheKey)
  if (!signer) {
    const privateKey = createPrivateKey({
      key: Buffer.concat([pkcs8Ed25519Prefix, seed]),
      format: 'der',
      type: 'pkcs8',
    })
    const publicKey = createPublicKey(privateKey)
    signer = {
      privateKey,
      publicKey,
      keyId: keyIdOf(publicKey),
      publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    }
    signers.set(cacheKey, signer)
  }
  return signer
}

export type CheckpointClaim = { merchant_id: string; seq: number; head_hash: Buffer; signed_at: Date }

/** What is signed: canonical JSON of { merchant_id, seq, head_hash (hex), signed_at (ISO 8601) }. */
export function checkpointMessage(c: CheckpointClaim): Buffer {
  return Buffer.from(
    canonicalJson({
      merchant_id: c.merchant_id,
      seq: c.seq,
      head_hash: c.head_hash.toString('hex'),
      signed_at: c.signed_at,
    }),
    'utf8',
  )
}

export function verifyCheckpoint(publicKey: KeyObject, c: CheckpointClaim & { signature: Buffer }): boolean {
  return verify(null, checkpointMessage(c), publicKey, c.signature)
}

/**
 * Signs the head of every chain that moved since its last checkpoint, into the archive and then the
 * database (a failed archive write is retried on the next run); returns how many were signed.
 */
export async function checkpointChains(
  db: Db,
  signer: AuditSigner,
  now: Date,
  archive: CheckpointArchive,
): Promise<number> {
  const heads = await store.listUncheckpointedHeads(db)
  for (const head of heads) {
    const claim = { merchant_id: head.merchant_id, seq: head.seq, head_hash: head.hash, signed_at: now }
    const row = { ...claim, key_id: signer.keyId, signature: sign(null, checkpointMessage(claim), signer.privateKey) }
    await archive.append(row)
    await store.insertCheckpoint(db, row)
  }
  return heads.length
}

export const checkpointTask: JobHandler = async (_payload, ctx) => {
  await checkpointChains(ctx.db, auditSigner(ctx.keys.audit), new Date(), checkpointArchive(ctx.config))
}
