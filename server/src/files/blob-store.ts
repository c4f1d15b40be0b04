import type { Readable } from 'node:stream'
import type { Db } from '../db/owned.js'
import { AppError } from '../errors.js'
import { newId } from '../ids.js'

export type StoredBlob = { key: string; sizeBytes: number; sha256: string; contentType: string }

export type BlobStat = { key: string; sizeBytes: number; contentType: string }

export type PutOptions = {
  merchantId: string
  maxBytes: number
  /** Content types to accept, as decided from the bytes; any type when absent. */
  allowedTypes?: string[]
}

// Evidence, proof-of-delivery media and message attachments all go through one of these.
// Callers keep the StoredBlob (key, sha256, type) in their own rows: the store is only bytes.
export interface BlobStore {
  put(input: Readable | AsyncIterable<Uint8Array>, opts: PutOptions): Promise<StoredBlob>
  get(key: string): Promise<Readable>
  /** undefined when there is no blob under the key. */
  stat(key: string): Promise<BlobStat | undefined>
  /**
   * Deleting a missing blob is not an error. The platform's store refuses a file a legal hold keeps (409 legal_hold,
   * guarded-store.ts), judged in `opts.db` when given (the caller's transaction), else on its own connection.
   */
  delete(key: string, opts?: { db?: Db }): Promise<void>
}

const merchantSegment = '[A-Za-z0-9][A-Za-z0-9_-]{0,63}'
const keyPattern = new RegExp(
  `^${merchantSegment}/\\d{4}/(0[1-9]|1[0-2])/[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`,
)

// Keys are minted here, never taken from a user, and only this exact shape is ever read back:
// no dots, slashes or absolute paths can reach the disk or the bucket.
export function assertBlobKey(key: string): string {
  if (!keyPattern.test(key)) throw new AppError('file_key_invalid', 'Not a valid file key')
  return key
}

// yyyy/mm keeps any one directory (or listing prefix) small.
export function newBlobKey(merchantId: string, at: Date): string {
  const month = String(at.getUTCMonth() + 1).padStart(2, '0')
  return assertBlobKey(`${merchantId}/${at.getUTCFullYear()}/${month}/${newId()}`)
}

export function fileNotFound(key: string): AppError {
  return new AppError('file_not_found', 'No such file', { key })
}
