import path from 'node:path'
import type { S3Config } from '../config.js'
import type { Db } from '../db/owned.js'
import type { BlobStore } from './blob-store.js'
import { GuardedBlobStore } from './guarded-store.js'
import { LocalBlobStore } from './local-store.js'
import { S3BlobStore } from './s3-store.js'

export type { BlobStat, BlobStore, PutOptions, StoredBlob } from './blob-store.js'

export { GuardedBlobStore, useBlobHolds, type BlobHoldCheck } from './guarded-store.js'

/** The platform's file store, guarded: a file under legal hold is not deleted (guarded-store.ts). */
export function createBlobStore(config: { dataDir: string; s3?: S3Config }, db: Db): BlobStore {
  const inner = config.s3 ? new S3BlobStore(config.s3) : new LocalBlobStore(path.join(config.dataDir, 'files'))
  return new GuardedBlobStore(inner, db)
}
