import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Db } from '../db/owned.js'
import { createBlobStore, GuardedBlobStore } from './index.js'

// A put and a read never reach the database (only a guarded delete asks it).
const noDb = {} as Db
import { LocalBlobStore } from './local-store.js'
import { chunksOf, describeBlobStoreContract, rejection } from './testing/blob-store-contract.js'
import { pngBytes } from './testing/samples.js'

async function listFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return []
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
}

async function openLocal() {
  const base = await mkdtemp(path.join(tmpdir(), 'claimdesk-files-'))
  const root = path.join(base, 'files')
  return {
    base,
    root,
    store: new LocalBlobStore(root),
    storedKeys: async () => (await listFiles(root)).filter((f) => !f.startsWith('.tmp/')),
    leftovers: async () => listFiles(path.join(root, '.tmp')),
    close: () => rm(base, { recursive: true, force: true }),
  }
}

describeBlobStoreContract('LocalBlobStore', openLocal)

describe('LocalBlobStore on disk', () => {
  it('writes each blob to the path of its key, readable by the owner only', async () => {
    const local = await openLocal()
    try {
      const stored = await local.store.put(chunksOf(pngBytes(), 10), { merchantId: 'm1', maxBytes: 1024 })
      const file = path.join(local.root, ...stored.key.split('/'))
      expect(await readFile(file)).toEqual(pngBytes())
      expect((await stat(file)).mode & 0o777).toBe(0o600)
      expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700)
    } finally {
      await local.close()
    }
  })

  it('never reaches a file outside its root through a crafted key', async () => {
    const local = await openLocal()
    try {
      const outside = path.join(local.base, 'secret.txt')
      await writeFile(outside, 'not yours')
      for (const key of ['../secret.txt', `${outside}`, 'm1/2025/01/../../../secret.txt']) {
        expect((await rejection(local.store.delete(key))).code).toBe('file_key_invalid')
        expect((await rejection(local.store.get(key))).code).toBe('file_key_invalid')
      }
      expect(await readFile(outside, 'utf8')).toBe('not yours')
    } finally {
      await local.close()
    }
  })

  it('is what createBlobStore returns without S3, rooted at <dataDir>/files', async () => {
    const local = await openLocal()
    try {
      const store = createBlobStore({ dataDir: local.base }, noDb)
      expect(store).toBeInstanceOf(GuardedBlobStore)
      expect((store as GuardedBlobStore).inner).toBeInstanceOf(LocalBlobStore)
      const stored = await store.put(chunksOf(pngBytes(), 10), { merchantId: 'm1', maxBytes: 1024 })
      expect(await local.storedKeys()).toEqual([stored.key])
    } finally {
      await local.close()
    }
  })
})
