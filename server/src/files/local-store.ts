import { createWriteStream } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { mkdir, open, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { newId } from '../ids.js'
import {
  assertBlobKey,
  fileNotFound,
  type BlobStat,
  type BlobStore,
  type PutOptions,
  type StoredBlob,
} from './blob-store.js'
import { detectContentType, putBlob, sniffBytes } from './blob-intake.js'

// Blobs are written here first and renamed into place once complete and synced: a crash leaves
// at most a stray temp file, never a half file under a real key. Keys cannot start with a dot.
const tempDirName = '.tmp'

export class LocalBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  async put(input: Readable | AsyncIterable<Uint8Array>, opts: PutOptions): Promise<StoredBlob> {
    const tempDir = path.join(this.root, tempDirName)
    const tempFile = path.join(tempDir, `${newId()}.part`)
    return putBlob(
      input,
      opts,
      async (key, intake) => {
        const finalFile = this.pathOf(key)
        await mkdir(tempDir, { recursive: true, mode: 0o700 })
        // flush: fsync before close, so the rename below never publishes unwritten data.
        await pipeline(intake.body, createWriteStream(tempFile, { flags: 'wx', mode: 0o600, flush: true }))
        const created = await mkdir(path.dirname(finalFile), { recursive: true, mode: 0o700 })
        await rename(tempFile, finalFile)
        await syncDirs(path.dirname(finalFile), created)
      },
      // The key is fresh, so whatever is under it is ours: a put that throws leaves nothing.
      (key) => Promise.all([rm(tempFile, { force: true }), rm(this.pathOf(key), { force: true })]),
    )
  }

  async get(key: string): Promise<Readable> {
    const file = await this.openIfExists(key)
    if (!file) throw fileNotFound(key)
    return file.createReadStream()
  }

  async stat(key: string): Promise<BlobStat | undefined> {
    const file = await this.openIfExists(key)
    if (!file) return undefined
    try {
      const { size } = await file.stat()
      const { buffer, bytesRead } = await file.read(Buffer.alloc(sniffBytes), 0, sniffBytes, 0)
      return {
        key,
        sizeBytes: size,
        contentType: await detectContentType(buffer.subarray(0, bytesRead), size <= sniffBytes),
      }
    } finally {
      await file.close()
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true })
  }

  private pathOf(key: string): string {
    return path.join(this.root, ...assertBlobKey(key).split('/'))
  }

  private async openIfExists(key: string): Promise<FileHandle | undefined> {
    try {
      return await open(this.pathOf(key), 'r')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
  }
}

// A rename is durable once its directory is synced, and a new directory once its parent is.
async function syncDirs(dir: string, firstCreated: string | undefined): Promise<void> {
  const last = firstCreated ? path.dirname(firstCreated) : dir
  for (let current = dir; ; current = path.dirname(current)) {
    const handle = await open(current, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
    if (current === last) return
  }
}
