import { availableParallelism } from 'node:os'
import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream'
import sharp, { type Metadata } from 'sharp'
import { AppError } from '../../errors.js'
import { sniffBytes } from '../../files/blob-intake.js'
import type { BlobStore, StoredBlob } from '../../files/index.js'
import type { EvidenceKind } from '../tables.js'
import { assertNotPolyglot, classifyHead } from './file-checks.js'

/** Images with more pixels are refused before they are decoded (a 50 MP photo is well past any phone's). */
export const maxPixels = 50_000_000
export const thumbnailSize = 320

export type FileLimits = { maxBytes: number; formats: readonly string[]; kind: EvidenceKind; keepExif: boolean }
export type StoredEvidenceFile = { blob: StoredBlob; thumbnail: StoredBlob | null }

/**
 * Judges a file by its bytes and stores it: photos are buffered (up to their cap), decoded and re-encoded without
 * metadata, with a thumbnail; PDFs stream straight into the store through a scanner. Whatever is refused leaves no
 * blob behind.
 */
export async function storeEvidenceFile(
  blobs: BlobStore,
  merchantId: string,
  input: AsyncIterable<Uint8Array>,
  limits: FileLimits,
): Promise<StoredEvidenceFile> {
  const source = input[Symbol.asyncIterator]()
  try {
    const { head, ended } = await readUpTo(source, sniffBytes, limits.maxBytes)
    if (head.length === 0) throw new AppError('file_empty', 'The file is empty')
    const contentType = await classifyHead(head, ended, limits.formats)
    if (contentType === 'application/pdf') {
      const body = new PdfScanner()
      // Destroying the scanner (a refusal, a failed write) stops and releases the upload too.
      pipeline(Readable.from(replay(head, source)), body, () => {})
      const blob = await blobs.put(body, { merchantId, maxBytes: limits.maxBytes, allowedTypes: [contentType] })
      return { blob, thumbnail: null }
    }
    // A photo is held whole: at most a few at once, the others' uploads wait (their senders slowed by TCP).
    return await photoSlots.run(async () => {
      const rest = ended
        ? { head: Buffer.alloc(0) }
        : await readUpTo(source, Number.POSITIVE_INFINITY, limits.maxBytes - head.length)
      return storePhoto(blobs, merchantId, Buffer.concat([head, rest.head]), contentType, limits.keepExif)
    })
  } finally {
    await source.return?.()
  }
}

async function storePhoto(
  blobs: BlobStore,
  merchantId: string,
  data: Buffer,
  contentType: string,
  keepExif: boolean,
): Promise<StoredEvidenceFile> {
  assertNotPolyglot(data, contentType)
  const { image, thumbnail } = await decodes.run(() => reencode(data, contentType, keepExif))
  const blob = await blobs.put(Readable.from([image]), {
    merchantId,
    maxBytes: image.length,
    allowedTypes: [contentType],
  })
  try {
    const thumb = await blobs.put(Readable.from([thumbnail]), {
      merchantId,
      maxBytes: thumbnail.length,
      allowedTypes: ['image/webp'],
    })
    return { blob, thumbnail: thumb }
  } catch (err) {
    await blobs.delete(blob.key)
    throw err
  }
}

async function reencode(data: Buffer, contentType: string, keepExif: boolean) {
  // failOn 'warning': a truncated JPEG only warns by default.
  const open = () => sharp(data, { limitInputPixels: maxPixels, failOn: 'warning', animated: false })
  let meta: Metadata
  try {
    meta = await sharp(data).metadata()
  } catch {
    throw corrupt()
  }
  const pixels = (meta.width ?? 0) * (meta.height ?? 0)
  if (pixels > maxPixels)
    throw new AppError('file_pixel_limit', `Images may have at most ${maxPixels} pixels`, {
      max_pixels: maxPixels,
      width: meta.width,
      height: meta.height,
    })
  try {
    let pipeline = open().rotate()
    if (keepExif) pipeline = pipeline.keepExif()
    const image = await (contentType === 'image/png'
      ? pipeline.png()
      : contentType === 'image/webp'
        ? pipeline.webp({ quality: 90 })
        : pipeline.jpeg({ quality: 90 })
    ).toBuffer()
    // From the upload, not the re-encoded image: a JPEG then decodes at a fraction of its size (shrink-on-load).
    const thumbnail = await open()
      .rotate()
      .resize(thumbnailSize, thumbnailSize, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 75 })
      .toBuffer()
    return { image, thumbnail }
  } catch (err) {
    if (err instanceof AppError) throw err
    throw corrupt()
  }
}

const corrupt = () => new AppError('file_corrupt', 'The image is cut short or damaged and cannot be read')

/** At most `limit` decodes at once, so a burst of uploads cannot hold a decoded image each. */
class Semaphore {
  #free: number
  #waiting: (() => void)[] = []
  constructor(limit: number) {
    this.#free = limit
  }
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--
    else await new Promise<void>((resolve) => this.#waiting.push(resolve))
    try {
      return await work()
    } finally {
      const next = this.#waiting.shift()
      if (next) next()
      else this.#free++
    }
  }
}

const decodes = new Semaphore(Math.max(2, availableParallelism()))
const photoSlots = new Semaphore(4 * Math.max(2, availableParallelism()))
// Decoded images are not kept for reuse: each upload is decoded once.
sharp.cache(false)
sharp.concurrency(1)

async function readUpTo(
  source: AsyncIterator<Uint8Array>,
  want: number,
  maxBytes: number,
): Promise<{ head: Buffer; ended: boolean }> {
  const chunks: Buffer[] = []
  let size = 0
  while (size < want) {
    const next = await source.next()
    if (next.done) return { head: Buffer.concat(chunks), ended: true }
    chunks.push(Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength))
    size += next.value.byteLength
    if (size > maxBytes)
      throw new AppError('file_too_large', `The file is larger than ${maxBytes} bytes`, { max_bytes: maxBytes })
  }
  return { head: Buffer.concat(chunks), ended: false }
}

async function* replay(head: Buffer, source: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield head
  for (let next = await source.next(); !next.done; next = await source.next()) yield next.value
}

// Names a PDF runs code or other programs with. Only uncompressed dictionaries are seen: cheap, not complete.
const activeNames = ['/JavaScript', '/Launch', '/EmbeddedFile'].map((n) => Buffer.from(n, 'latin1'))
const overlap = Math.max(...activeNames.map((n) => n.length)) - 1
const pdfTail = 1024
const eof = Buffer.from('%%EOF', 'latin1')
const zipEnd = Buffer.from('PK\x05\x06', 'latin1')

/** Passes a PDF through, refusing active content, and at its end a file that is cut short or has another after it. */
export class PdfScanner extends Transform {
  #carry = Buffer.alloc(0)

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const window = Buffer.concat([this.#carry, chunk])
    const found = activeNames.find((n) => window.includes(n))
    if (found) {
      callback(
        new AppError('file_active_content', 'PDFs with scripts, launch actions or embedded files are not accepted', {
          found: found.toString('latin1'),
        }),
      )
      return
    }
    this.#carry = window.subarray(Math.max(0, window.length - Math.max(overlap, pdfTail)))
    callback(null, chunk)
  }

  override _flush(callback: TransformCallback): void {
    const tail = this.#carry
    const at = tail.lastIndexOf(eof)
    if (at < 0) {
      callback(
        tail.includes(zipEnd)
          ? new AppError('file_polyglot', 'This PDF has another file after its end', { found: 'PK..' })
          : new AppError('file_corrupt', 'The PDF is cut short: it has no end marker'),
      )
      return
    }
    const after = tail.subarray(at + eof.length).toString('latin1')
    if (after.trim() !== '')
      callback(new AppError('file_polyglot', 'This PDF has another file after its end', { found: after.slice(0, 8) }))
    else callback()
  }
}
