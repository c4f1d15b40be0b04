import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  S3Client,
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { Readable } from 'node:stream'
import type { S3Config } from '../config.js'
import {
  assertBlobKey,
  fileNotFound,
  type BlobStat,
  type BlobStore,
  type PutOptions,
  type StoredBlob,
} from './blob-store.js'
import { putBlob } from './blob-intake.js'

export function createS3Client(config: S3Config): S3Client {
  return new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle,
    // Without keys, the SDK's default chain applies (env, shared config, instance role).
    credentials:
      config.accessKeyId && config.secretAccessKey
        ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }
        : undefined,
    // The SDK's default CRC32 trailers (since 3.729) are refused by several S3-compatible
    // services; TLS covers the transfer, and every blob is hashed on the way in anyway.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  })
}

export class S3BlobStore implements BlobStore {
  private readonly client: S3Client
  private readonly bucket: string

  constructor(config: S3Config) {
    this.bucket = config.bucket
    this.client = createS3Client(config)
  }

  async put(input: Readable | AsyncIterable<Uint8Array>, opts: PutOptions): Promise<StoredBlob> {
    return putBlob(
      input,
      opts,
      async (key, intake) => {
        // Streams in parts of 5 MiB (up to 4 in flight); the object appears only when complete.
        const upload = new Upload({
          client: this.client,
          params: { Bucket: this.bucket, Key: key, Body: intake.body, ContentType: intake.contentType },
        })
        await upload.done()
      },
      // Upload has already aborted any multipart upload; the delete covers a completion whose
      // reply was lost. The original failure is the one worth reporting.
      (key) => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })).catch(() => undefined),
    )
  }

  async get(key: string): Promise<Readable> {
    try {
      const reply = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: assertBlobKey(key) }))
      if (!(reply.Body instanceof Readable)) throw new Error('S3 GetObject returned no readable body')
      return reply.Body
    } catch (err) {
      if (err instanceof NoSuchKey) throw fileNotFound(key)
      throw err
    }
  }

  async stat(key: string): Promise<BlobStat | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: assertBlobKey(key) }))
      return { key, sizeBytes: head.ContentLength ?? 0, contentType: head.ContentType ?? 'application/octet-stream' }
    } catch (err) {
      if (err instanceof NotFound) return undefined
      throw err
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: assertBlobKey(key) }))
  }
}
