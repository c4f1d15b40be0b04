import type { Readable } from 'node:stream'
import type { Db } from '../db/owned.js'
import { AppError } from '../errors.js'
import type { BlobStat, BlobStore, PutOptions, StoredBlob } from './blob-store.js'

/**
 * Whether the file under `key` belongs to a record under legal hold (the evidence module's check, say). Asked with
 * the workspace the key names; `db` is the caller's transaction when it gave one.
 */
export type BlobHoldCheck = (db: Db, merchantId: string, key: string) => Promise<boolean>

let checks: readonly BlobHoldCheck[] = []

/** The hold checks every GuardedBlobStore asks (each module's `blobHolds`, collected at start). */
export function useBlobHolds(list: readonly BlobHoldCheck[]): void {
  checks = list
}

/**
 * The file store every AppContext holds: the real one, whose delete first asks every registered hold check and
 * refuses (409 legal_hold) a file a hold keeps. Puts, reads and a failed put's own clean-up pass straight through.
 */
export class GuardedBlobStore implements BlobStore {
  constructor(
    readonly inner: BlobStore,
    private readonly db: Db,
  ) {}

  put(input: Readable | AsyncIterable<Uint8Array>, opts: PutOptions): Promise<StoredBlob> {
    return this.inner.put(input, opts)
  }

  get(key: string): Promise<Readable> {
    return this.inner.get(key)
  }

  stat(key: string): Promise<BlobStat | undefined> {
    return this.inner.stat(key)
  }

  async delete(key: string, opts: { db?: Db } = {}): Promise<void> {
    // Keys start with their workspace's id (newBlobKey): the check asks about that workspace only.
    const merchantId = key.split('/', 1)[0]!
    for (const held of checks)
      if (await held(opts.db ?? this.db, merchantId, key))
        throw new AppError('legal_hold', 'A legal hold keeps this file: release the hold first', { key })
    await this.inner.delete(key)
  }
}
