import { createHash, createPublicKey, verify } from 'node:crypto'
import { appendFileSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { startTestEnv } from '../../test/harness.js'
import { checkpointArchive } from './archive.js'
import { auditSigner, checkpointChains } from './checkpoints.js'
import { listSignedCheckpoints } from './history.js'
import { audit } from './module.js'
import type { SignedCheckpoint } from './types.js'
import { createChain, cutTail, drain, rewriteTail, tamper, writeEntries } from './testing/chains.js'
import { verifyChain, verifyWorkspace } from './verify.js'

const t0 = new Date('2026-03-01T12:00:00.000Z')
const minute = (n: number) => new Date(t0.getTime() + n * 60_000)

const env = await startTestEnv()

const signer = () => auditSigner(env.ctx.keys.audit)
const archive = () => checkpointArchive(env.ctx.config)

const freshChain = (extra = 10) => createChain(env.ctx.db, extra, t0)

async function grow(merchantId: string, count: number, entityId?: string) {
  await writeEntries(env.ctx.db, merchantId, count, t0, entityId)
  await drain(env.ctx.db, t0)
}

async function checkpointsOf(merchantId: string): Promise<SignedCheckpoint[]> {
  return listSignedCheckpoints(env.ctx.db, merchantId, { afterSeq: 0, limit: 100 })
}

/** What a third party does with the published checkpoint and PEM: plain node:crypto, no Claimdesk code. */
function checkOffline(pem: string, cp: SignedCheckpoint): boolean {
  const message = `{"head_hash":"${cp.head_hash}","merchant_id":"${cp.merchant_id}","seq":${cp.seq},"signed_at":"${new Date(cp.signed_at).toISOString()}"}`
  return verify(null, Buffer.from(message), createPublicKey(pem), Buffer.from(cp.signature, 'base64'))
}

describe('signing key', () => {
  it('is an Ed25519 pair derived from the audit key, named by the hash of its raw public key', () => {
    const s = signer()
    expect(s.publicKey.asymmetricKeyType).toBe('ed25519')
    expect(auditSigner(Buffer.from(env.ctx.keys.audit)).publicKeyPem).toBe(s.publicKeyPem)
    const raw = createPublicKey(s.publicKeyPem).export({ format: 'jwk' }).x!
    expect(s.keyId).toBe(createHash('sha256').update(Buffer.from(raw, 'base64url')).digest('hex').slice(0, 16))
    expect(auditSigner(Buffer.alloc(32, 7)).keyId).not.toBe(s.keyId)
  })
})

describe('checkpointChains', () => {
  it('signs each chain whose head moved since its last checkpoint, and only those', async () => {
    const { merchantId, head } = await freshChain()
    await checkpointChains(env.ctx.db, signer(), minute(1), archive())
    expect(await checkpointChains(env.ctx.db, signer(), minute(2), archive())).toBe(0)
    await grow(merchantId, 2)
    expect(await checkpointChains(env.ctx.db, signer(), minute(3), archive())).toBe(1)
    const cps = await checkpointsOf(merchantId)
    expect(cps.map((c) => [c.seq, c.signed_at.toISOString(), c.key_id])).toEqual([
      [head, minute(1).toISOString(), signer().keyId],
      [head + 2, minute(3).toISOString(), signer().keyId],
    ])
    expect(cps.at(-1)!.head_hash).toBe((await verifyChain(env.ctx.db, merchantId)).head.hash)
  })

  it('gives signatures that verify offline with the published PEM, and fail once the checkpoint is altered', async () => {
    const { merchantId } = await freshChain()
    await checkpointChains(env.ctx.db, signer(), minute(1), archive())
    const [cp] = await checkpointsOf(merchantId)
    expect(checkOffline(signer().publicKeyPem, cp!)).toBe(true)
    expect(checkOffline(signer().publicKeyPem, { ...cp!, seq: cp!.seq - 1 })).toBe(false)
    await tamper(env.adminUrl, [
      [`update audit_checkpoints set head_hash = '\\x${'00'.repeat(32)}' where merchant_id = $1`, [merchantId]],
    ])
    const [altered] = await checkpointsOf(merchantId)
    expect(checkOffline(signer().publicKeyPem, altered!)).toBe(false)
    expect(await verifyChain(env.ctx.db, merchantId, signer().publicKey)).toMatchObject({
      ok: false,
      first_bad_seq: cp!.seq,
      problem: 'checkpoint_invalid',
    })
  })

  it('runs as the audit:checkpoint cron task, which also appends each checkpoint to a file under DATA_DIR', async () => {
    const { merchantId, head } = await freshChain(1)
    expect(audit.cron).toContain('* * * * * audit:checkpoint')
    await audit.tasks!['audit:checkpoint']!({}, env.ctx, { attempts: 1, maxAttempts: 25 })
    const cps = await checkpointsOf(merchantId)
    expect(cps.map((c) => c.seq)).toEqual([head])
    const file = path.join(env.ctx.config.dataDir, 'audit-checkpoints', `${merchantId}.jsonl`)
    expect(readFileSync(file, 'utf8')).toBe(`${JSON.stringify(cps[0])}\n`)
  })
})

describe('verifying against checkpoints', () => {
  it('counts the checkpoints it checked', async () => {
    const { merchantId, head } = await freshChain(30)
    await checkpointChains(env.ctx.db, signer(), minute(1), archive())
    await grow(merchantId, 3)
    await checkpointChains(env.ctx.db, signer(), minute(2), archive())
    expect(await verifyChain(env.ctx.db, merchantId, signer().publicKey, 7)).toMatchObject({
      ok: true,
      checkpoints_checked: 2,
      head: { seq: head + 3 },
    })
  })

  it('catches a tail cut off with its entries after a checkpoint, which the chain alone cannot show', async () => {
    const { merchantId, head } = await freshChain()
    await checkpointChains(env.ctx.db, signer(), minute(1), archive())
    await cutTail(env.adminUrl, merchantId, head - 3, true)
    expect(await verifyChain(env.ctx.db, merchantId)).toMatchObject({ ok: true, head: { seq: head - 3 } })
    expect(await verifyChain(env.ctx.db, merchantId, signer().publicKey)).toMatchObject({
      ok: false,
      first_bad_seq: head - 2,
      problem: 'truncated',
      head: { seq: head - 3 },
      checkpoints_checked: 1,
    })
  })

  it('catches a tail cut off and regrown past the checkpoint, from the last seq a checkpoint vouches for', async () => {
    const { merchantId, head } = await freshChain()
    await checkpointChains(env.ctx.db, signer(), minute(1), archive())
    await grow(merchantId, 5)
    await checkpointChains(env.ctx.db, signer(), minute(2), archive())
    await cutTail(env.adminUrl, merchantId, head + 2, true)
    await grow(merchantId, 4, 'forged')
    expect(await verifyChain(env.ctx.db, merchantId)).toMatchObject({ ok: true, head: { seq: head + 6 } })
    expect(await verifyChain(env.ctx.db, merchantId, signer().publicKey)).toMatchObject({
      ok: false,
      first_bad_seq: head + 1,
      problem: 'truncated',
    })
  })

  it('catches a tail rewritten with recomputed hashes, its database checkpoints deleted, from the file under DATA_DIR', async () => {
    const { merchantId, head } = await freshChain()
    await checkpointChains(env.ctx.db, signer(), minute(1), archive())
    await grow(merchantId, 5)
    await checkpointChains(env.ctx.db, signer(), minute(2), archive())
    await rewriteTail(env.adminUrl, env.ctx.db, merchantId, head + 2)
    // The database alone now tells a consistent story: every hash matches, every checkpoint left is valid.
    expect(await verifyChain(env.ctx.db, merchantId, signer().publicKey)).toMatchObject({
      ok: true,
      checkpoints_checked: 1,
    })
    expect(await verifyWorkspace(env.ctx, merchantId)).toEqual({
      ok: false,
      first_bad_seq: head + 1,
      problem: 'truncated',
      entries_checked: head + 5,
      checkpoints_checked: 1,
      external_checkpoints_checked: 2,
      head: { seq: head + 5, hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    })
  })

  it('reports an intact chain against both kinds of checkpoint, and fails a forged line in the file', async () => {
    const { merchantId, head } = await freshChain()
    await checkpointChains(env.ctx.db, signer(), minute(1), archive())
    expect(await verifyWorkspace(env.ctx, merchantId)).toMatchObject({
      ok: true,
      checkpoints_checked: 1,
      external_checkpoints_checked: 1,
    })
    const file = path.join(env.ctx.config.dataDir, 'audit-checkpoints', `${merchantId}.jsonl`)
    const [line] = readFileSync(file, 'utf8').split('\n')
    appendFileSync(file, `${JSON.stringify({ ...JSON.parse(line!), seq: head + 1 })}\n`)
    expect(await verifyWorkspace(env.ctx, merchantId)).toMatchObject({
      ok: false,
      first_bad_seq: head + 1,
      problem: 'checkpoint_invalid',
    })
  })

  it('skips checkpoints made with another key (a rotated master secret) rather than failing them', async () => {
    const { merchantId } = await freshChain()
    await checkpointChains(env.ctx.db, auditSigner(Buffer.alloc(32, 9)), minute(1), archive())
    expect(await verifyChain(env.ctx.db, merchantId, signer().publicKey)).toMatchObject({
      ok: true,
      checkpoints_checked: 0,
    })
  })
})
