import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { S3Config } from '../config.js'
import type { Db } from '../db/owned.js'
import { createBlobStore, GuardedBlobStore } from './index.js'

// A put and a read never reach the database (only a guarded delete asks it).
const noDb = {} as Db
import { S3BlobStore } from './s3-store.js'
import {
  chunksOf,
  describeBlobStoreContract,
  endless,
  readAll,
  rejection,
  sha256Hex,
} from './testing/blob-store-contract.js'
import { FakeS3 } from './testing/fake-s3.js'
import { pdfBytes, pngBytes } from './testing/samples.js'

const MiB = 1024 * 1024
const accessKeyId = 'AKIAFAKEFAKEFAKE'

async function openS3() {
  const fake = await FakeS3.start('claimdesk-test', accessKeyId)
  const config: S3Config = {
    bucket: 'claimdesk-test',
    region: 'us-east-1',
    endpoint: fake.endpoint,
    accessKeyId,
    secretAccessKey: 'fake-secret-key',
    forcePathStyle: true,
  }
  return {
    fake,
    config,
    store: new S3BlobStore(config),
    storedKeys: async () => [...fake.objects.keys()],
    leftovers: async () => [...fake.uploads.keys()],
    close: () => fake.stop(),
  }
}

describeBlobStoreContract('S3BlobStore', openS3)

describe('S3BlobStore against the S3 wire protocol', () => {
  it('sends a small file as one PutObject carrying the detected content type', async () => {
    const s3 = await openS3()
    try {
      const stored = await s3.store.put(chunksOf(pngBytes(), 10), { merchantId: 'm1', maxBytes: MiB })
      expect(s3.fake.operations).toEqual(['PutObject'])
      expect(s3.fake.objects.get(stored.key)).toMatchObject({ contentType: 'image/png', body: pngBytes() })
    } finally {
      await s3.close()
    }
  })

  it('streams a large file as a multipart upload in 5 MiB parts', async () => {
    const s3 = await openS3()
    try {
      const data = Buffer.concat([pdfBytes(), randomBytes(11 * MiB)])
      const stored = await s3.store.put(chunksOf(data, 64 * 1024), { merchantId: 'm1', maxBytes: 64 * MiB })
      const ops = s3.fake.operations
      expect(ops[0]).toBe('CreateMultipartUpload')
      expect(ops.filter((op) => op === 'UploadPart')).toHaveLength(3)
      expect(ops.at(-1)).toBe('CompleteMultipartUpload')
      const object = s3.fake.objects.get(stored.key)!
      expect(object.contentType).toBe('application/pdf')
      expect(object.etag).toMatch(/-3"$/)
      expect(sha256Hex(object.body)).toBe(stored.sha256)
    } finally {
      await s3.close()
    }
  })

  it('aborts the multipart upload when the limit is passed after parts were sent', async () => {
    const s3 = await openS3()
    try {
      const { source } = endless(pdfBytes())
      const err = await rejection(s3.store.put(source, { merchantId: 'm1', maxBytes: 11 * MiB }))
      expect(err.code).toBe('file_too_large')
      expect(s3.fake.operations).toContain('UploadPart')
      expect(s3.fake.operations).toContain('AbortMultipartUpload')
      expect(s3.fake.uploads.size).toBe(0)
      expect(s3.fake.objects.size).toBe(0)
    } finally {
      await s3.close()
    }
  })

  it('sends nothing at all for a refused type or an empty file', async () => {
    const s3 = await openS3()
    try {
      await rejection(
        s3.store.put(chunksOf(pdfBytes(), 100), { merchantId: 'm1', maxBytes: MiB, allowedTypes: ['image/png'] }),
      )
      await rejection(s3.store.put(chunksOf(Buffer.alloc(0), 1), { merchantId: 'm1', maxBytes: MiB }))
      expect(s3.fake.operations).toEqual([])
    } finally {
      await s3.close()
    }
  })

  it('deletes the object when completing succeeded but the reply was lost', async () => {
    const s3 = await openS3()
    try {
      s3.fake.loseReplyOnce('CompleteMultipartUpload')
      const data = Buffer.concat([pngBytes(), randomBytes(6 * MiB)])
      await expect(s3.store.put(chunksOf(data, 64 * 1024), { merchantId: 'm1', maxBytes: 64 * MiB })).rejects.toThrow()
      expect(s3.fake.operations).toContain('DeleteObject')
      expect(s3.fake.objects.size).toBe(0)
      expect(s3.fake.uploads.size).toBe(0)
    } finally {
      await s3.close()
    }
  })

  it('reads back through GetObject and HeadObject', async () => {
    const s3 = await openS3()
    try {
      const stored = await s3.store.put(chunksOf(pngBytes(), 10), { merchantId: 'm1', maxBytes: MiB })
      s3.fake.operations.length = 0
      expect(await readAll(await s3.store.get(stored.key))).toEqual(pngBytes())
      expect(await s3.store.stat(stored.key)).toEqual({
        key: stored.key,
        sizeBytes: pngBytes().length,
        contentType: 'image/png',
      })
      expect(s3.fake.operations).toEqual(['GetObject', 'HeadObject'])
    } finally {
      await s3.close()
    }
  })

  it('does not mistake a missing bucket for a missing file', async () => {
    const s3 = await openS3()
    try {
      const store = new S3BlobStore({ ...s3.config, bucket: 'no-such-bucket' })
      const key = 'm1/2025/01/0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b'
      await expect(store.get(key)).rejects.toMatchObject({ name: 'NoSuchBucket' })
    } finally {
      await s3.close()
    }
  })

  it('is what createBlobStore returns when S3 is configured', async () => {
    const s3 = await openS3()
    try {
      const store = createBlobStore({ dataDir: '/nonexistent', s3: s3.config }, noDb)
      expect(store).toBeInstanceOf(GuardedBlobStore)
      expect((store as GuardedBlobStore).inner).toBeInstanceOf(S3BlobStore)
      const stored = await store.put(chunksOf(pngBytes(), 10), { merchantId: 'm1', maxBytes: MiB })
      expect([...s3.fake.objects.keys()]).toEqual([stored.key])
    } finally {
      await s3.close()
    }
  })
})
