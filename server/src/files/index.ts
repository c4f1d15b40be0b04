import path from 'node:path'
import type { S3Config } from '../config.js'
import type { BlobStore } from './blob-store.js'
import { LocalBlobStore } from './local-store.js'
import { S3BlobStore } from './s3-store.js'

export type { BlobStat, BlobStore, PutOptions, StoredBlob } from './blob-store.js'

export function createBlobStore(config: { dataDir: string; s3?: S3Config }): BlobStore {
  return config.s3 ? new S3BlobStore(config.s3) : new LocalBlobStore(path.join(config.dataDir, 'files'))
}
