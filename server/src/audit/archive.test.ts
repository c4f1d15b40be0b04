import { existsSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startTestEnv } from '../../test/harness.js'
import { FakeS3 } from '../files/testing/fake-s3.js'
import { checkpointArchive } from './archive.js'
import { audit } from './module.js'
import { createChain, rewriteTail } from './testing/chains.js'
import { verifyWorkspace } from './verify.js'

const now = new Date('2026-03-01T12:00:00.000Z')

const fake = await FakeS3.start('claimdesk-audit', 'AKIAFAKEFAKEFAKE')
afterAll(() => fake.stop())
const env = await startTestEnv({
  s3: {
    bucket: 'claimdesk-audit',
    region: 'us-east-1',
    endpoint: fake.endpoint,
    accessKeyId: 'AKIAFAKEFAKEFAKE',
    secretAccessKey: 'fake',
    forcePathStyle: true,
  },
})

const checkpoint = async () => audit.tasks!['audit:checkpoint']!({}, env.ctx, { attempts: 1, maxAttempts: 25 })

describe('the checkpoint archive with S3 configured', () => {
  it('keeps one object per checkpoint in the bucket, listed back in seq order, and nothing under DATA_DIR', async () => {
    const { merchantId, head } = await createChain(env.ctx.db, 3, now)
    await checkpoint()
    const keys = [...fake.objects.keys()].filter((k) => k.includes(merchantId))
    expect(keys).toEqual([
      expect.stringMatching(
        new RegExp(`^audit-checkpoints/${merchantId}/${String(head).padStart(16, '0')}-\\d+\\.json$`),
      ),
    ])
    expect(existsSync(path.join(env.ctx.config.dataDir, 'audit-checkpoints'))).toBe(false)
    const listed = await checkpointArchive(env.ctx.config).list(merchantId)
    expect(listed.map((c) => c.seq)).toEqual([head])
    expect(await verifyWorkspace(env.ctx, merchantId)).toMatchObject({
      ok: true,
      checkpoints_checked: 1,
      external_checkpoints_checked: 1,
    })
  })

  it('catches a rewritten tail from the objects in the bucket', async () => {
    const { merchantId, head } = await createChain(env.ctx.db, 8, now)
    await checkpoint()
    await rewriteTail(env.adminUrl, env.ctx.db, merchantId, head - 2)
    expect(await verifyWorkspace(env.ctx, merchantId)).toMatchObject({
      ok: false,
      first_bad_seq: 1,
      problem: 'truncated',
      checkpoints_checked: 0,
      external_checkpoints_checked: 1,
    })
  })
})
