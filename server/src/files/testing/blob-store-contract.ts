import { createHash, randomBytes } from 'node:crypto'
import type { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppError } from '../../errors.js'
import type { BlobStore } from '../blob-store.js'
import { jpegBytes, pdfBytes, pngBytes } from './samples.js'

export type StoreUnderTest = {
  store: BlobStore
  /** Keys a reader could see now. */
  storedKeys(): Promise<string[]>
  /** Unfinished writes: temp files on disk, open multipart uploads in S3. */
  leftovers(): Promise<string[]>
  close(): Promise<void>
}

const MiB = 1024 * 1024
const merchantId = '0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b'
const keyShape =
  /^0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\/\d{4}\/\d{2}\/[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

export const sha256Hex = (data: Buffer) => createHash('sha256').update(data).digest('hex')

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

export async function* chunksOf(data: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield new Uint8Array(data.subarray(i, i + size))
}

/** A source that never ends on its own: it records how much was pulled and whether it was released. */
export function endless(head: Buffer, chunkBytes = 64 * 1024) {
  const state = { pulledBytes: 0, released: false }
  async function* generate(): AsyncGenerator<Uint8Array> {
    try {
      state.pulledBytes += head.length
      yield head
      for (;;) {
        state.pulledBytes += chunkBytes
        yield randomBytes(chunkBytes)
      }
    } finally {
      state.released = true
    }
  }
  return { source: generate(), state }
}

export async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (err instanceof AppError) return err
  throw new Error(`expected an AppError, got ${err === undefined ? 'success' : String(err)}`)
}

/** The behaviour every BlobStore must show, whatever it stores bytes in. */
export function describeBlobStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`${name}: BlobStore contract`, () => {
    let sut: StoreUnderTest
    beforeEach(async () => {
      sut = await open()
    })
    afterEach(async () => {
      await sut.close()
    })
    const put = (input: AsyncIterable<Uint8Array>, opts: { maxBytes?: number; allowedTypes?: string[] } = {}) =>
      sut.store.put(input, { merchantId, maxBytes: opts.maxBytes ?? 64 * MiB, allowedTypes: opts.allowedTypes })
    const expectNothingStored = async () => {
      expect(await sut.storedKeys()).toEqual([])
      expect(await sut.leftovers()).toEqual([])
    }

    it.each([
      ['image/png', pngBytes()],
      ['image/jpeg', jpegBytes()],
      ['application/pdf', pdfBytes()],
    ])('stores and returns a %s byte for byte, with its size, SHA-256 and detected type', async (type, data) => {
      const stored = await put(chunksOf(data, 7))
      expect(stored).toEqual({
        key: expect.stringMatching(keyShape),
        sizeBytes: data.length,
        sha256: sha256Hex(data),
        contentType: type,
      })
      expect(await readAll(await sut.store.get(stored.key))).toEqual(data)
      expect(await sut.store.stat(stored.key)).toEqual({ key: stored.key, sizeBytes: data.length, contentType: type })
      expect(await sut.storedKeys()).toEqual([stored.key])
    })

    it('files keys under the merchant, the UTC year and month, and a fresh uuidv7', async () => {
      const before = new Date()
      const a = await put(chunksOf(pngBytes(), 1024))
      const b = await put(chunksOf(pngBytes(), 1024))
      const [m, yyyy, mm, id] = a.key.split('/')
      expect(m).toBe(merchantId)
      expect(`${yyyy}-${mm}`).toBe(before.toISOString().slice(0, 7))
      expect(id).not.toBe(b.key.split('/')[3])
      expect((await sut.storedKeys()).sort()).toEqual([a.key, b.key].sort())
    })

    it('streams a file of many chunks (several parts in S3) and hashes all of it', async () => {
      const data = Buffer.concat([pdfBytes(), randomBytes(12 * MiB)])
      const stored = await put(chunksOf(data, 64 * 1024))
      expect(stored).toMatchObject({ sizeBytes: data.length, sha256: sha256Hex(data), contentType: 'application/pdf' })
      expect(sha256Hex(await readAll(await sut.store.get(stored.key)))).toBe(sha256Hex(data))
      expect(await sut.leftovers()).toEqual([])
    })

    it.each([
      ['short UTF-8 text', Buffer.from('Parcel arrived damaged — Grüße, 山田 📦\n')],
      ['long UTF-8 text', Buffer.from('Tracking says delivered; nothing at the door. '.repeat(400))],
      // byte 4100 falls inside a 4-byte character: a cut sample must not read as invalid UTF-8
      [
        'text with a character split at the sniffing boundary',
        Buffer.concat([Buffer.from('a'.repeat(4098)), Buffer.from('📦📦 end')]),
      ],
    ])('falls back to text/plain for %s', async (_name, data) => {
      const stored = await put(chunksOf(data, 1000))
      expect(stored.contentType).toBe('text/plain')
      expect((await sut.store.stat(stored.key))?.contentType).toBe('text/plain')
    })

    it.each([
      ['text containing a NUL byte', Buffer.from('looks like text\0but is not')],
      ['bytes that are not UTF-8', Buffer.from([0xc3, 0x28, 0x41, 0x42, 0xff, 0xfe, 0x43])],
    ])('falls back to application/octet-stream for %s', async (_name, data) => {
      const stored = await put(chunksOf(data, 3))
      expect(stored.contentType).toBe('application/octet-stream')
      expect(await readAll(await sut.store.get(stored.key))).toEqual(data)
    })

    it('refuses empty input with file_empty and stores nothing', async () => {
      const err = await rejection(put(chunksOf(Buffer.alloc(0), 1)))
      expect([err.code, err.status]).toEqual(['file_empty', 400])
      await expectNothingStored()
    })

    it('accepts a file of exactly maxBytes and refuses one byte more with file_too_large', async () => {
      const data = Buffer.concat([pngBytes(), randomBytes(10_000)])
      expect((await put(chunksOf(data, 999), { maxBytes: data.length })).sizeBytes).toBe(data.length)
      const err = await rejection(
        put(chunksOf(Buffer.concat([data, Buffer.from([0])]), 999), { maxBytes: data.length }),
      )
      expect(err).toMatchObject({ code: 'file_too_large', status: 413, details: { max_bytes: data.length } })
      expect(await sut.storedKeys()).toHaveLength(1)
    })

    it('stops reading as soon as the limit is passed mid-stream, releases the source and leaves nothing', async () => {
      const { source, state } = endless(pngBytes())
      const err = await rejection(put(source, { maxBytes: 7 * MiB }))
      expect(err).toMatchObject({ code: 'file_too_large', status: 413, details: { max_bytes: 7 * MiB } })
      expect(state.released).toBe(true)
      // The limit plus stream read-ahead, not the whole (endless) input.
      expect(state.pulledBytes).toBeLessThan(9 * MiB)
      await expectNothingStored()
    })

    it('refuses a type outside allowedTypes with unsupported_file_type, having read only the head', async () => {
      const { source, state } = endless(pdfBytes())
      const err = await rejection(put(source, { allowedTypes: ['image/png', 'image/jpeg'] }))
      expect(err).toMatchObject({
        code: 'unsupported_file_type',
        status: 415,
        details: { content_type: 'application/pdf', allowed: ['image/png', 'image/jpeg'] },
      })
      expect(state.released).toBe(true)
      expect(state.pulledBytes).toBeLessThan(128 * 1024)
      await expectNothingStored()
    })

    it('accepts a type inside allowedTypes', async () => {
      const stored = await put(chunksOf(jpegBytes(), 5), { allowedTypes: ['image/png', 'image/jpeg'] })
      expect(stored.contentType).toBe('image/jpeg')
    })

    it('shows nothing under any key until the whole file is in, then exactly the new key', async () => {
      let release!: () => void
      const gate = new Promise<void>((resolve) => {
        release = resolve
      })
      async function* slow(): AsyncGenerator<Uint8Array> {
        yield pdfBytes()
        yield* chunksOf(randomBytes(6 * MiB), 256 * 1024)
        await gate
        yield randomBytes(1024)
      }
      const pending = put(slow())
      await expect.poll(() => sut.leftovers(), { timeout: 5000 }).toHaveLength(1)
      expect(await sut.storedKeys()).toEqual([])
      release()
      const stored = await pending
      expect(await sut.storedKeys()).toEqual([stored.key])
      expect(await sut.leftovers()).toEqual([])
    })

    it('leaves nothing when the source fails mid-stream, and reports the source error', async () => {
      async function* broken(): AsyncGenerator<Uint8Array> {
        yield pngBytes()
        yield* chunksOf(randomBytes(6 * MiB), 256 * 1024)
        throw new Error('client went away')
      }
      await expect(put(broken())).rejects.toThrow('client went away')
      await expectNothingStored()
    })

    it('answers file_not_found for a missing key, stat undefined, and deletes idempotently', async () => {
      const stored = await put(chunksOf(pngBytes(), 100))
      await sut.store.delete(stored.key)
      await sut.store.delete(stored.key)
      const err = await rejection(sut.store.get(stored.key))
      expect(err).toMatchObject({ code: 'file_not_found', status: 404 })
      expect(await sut.store.stat(stored.key)).toBeUndefined()
      await expectNothingStored()
    })

    it.each([
      '../../etc/passwd',
      '/etc/passwd',
      `${merchantId}/2025/01/../../../outside`,
      `${merchantId}/2025/01/0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b/../x`,
      `..\\..\\windows\\win.ini`,
      `.tmp/0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b`,
      `${merchantId}/2025/13/0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b`,
      `${merchantId}//2025/01/0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b`,
      '',
    ])('refuses the key %j for get, stat and delete', async (key) => {
      for (const call of [() => sut.store.get(key), () => sut.store.stat(key), () => sut.store.delete(key)]) {
        const err = await rejection(call())
        expect([err.code, err.status]).toEqual(['file_key_invalid', 400])
      }
    })

    it('refuses a merchant id that would make a path', async () => {
      const err = await rejection(sut.store.put(chunksOf(pngBytes(), 100), { merchantId: '../other', maxBytes: MiB }))
      expect(err.code).toBe('file_key_invalid')
      await expectNothingStored()
    })
  })
}
