import { createHash } from 'node:crypto'
import { pipeline, Readable, Transform, type TransformCallback } from 'node:stream'
import { fileTypeFromBuffer } from 'file-type'
import { AppError } from '../errors.js'
import { newBlobKey, type PutOptions, type StoredBlob } from './blob-store.js'

// file-type's own sample size: every signature it knows fits in it.
export const sniffBytes = 4100

export type Intake = { contentType: string; body: MeteredStream }

/**
 * A store's put, whatever it writes to: a fresh key, the input taken in (a refused type is refused before `write`
 * starts), then written. A write that throws stops the intake, and `discard` removes whatever it left under the key
 * before the original failure is reported.
 */
export async function putBlob(
  input: Readable | AsyncIterable<Uint8Array>,
  opts: PutOptions,
  write: (key: string, intake: Intake) => Promise<void>,
  discard: (key: string) => Promise<unknown>,
): Promise<StoredBlob> {
  const key = newBlobKey(opts.merchantId, new Date())
  const intake = await openIntake(input, opts)
  try {
    await write(key, intake)
  } catch (err) {
    intake.body.destroy()
    await discard(key)
    throw err
  }
  return { key, contentType: intake.contentType, ...intake.body.result() }
}

/**
 * Reads only the first few kilobytes to decide the content type (so a refused type is refused
 * before anything is stored), then hands back the whole input as a metered stream.
 */
export async function openIntake(input: Readable | AsyncIterable<Uint8Array>, opts: PutOptions): Promise<Intake> {
  const source = input[Symbol.asyncIterator]()
  let head: Buffer
  let contentType: string
  try {
    const read = await readHead(source, opts.maxBytes)
    head = read.head
    if (head.length === 0) throw new AppError('file_empty', 'The file is empty')
    contentType = await detectContentType(head, read.ended)
    if (opts.allowedTypes && !opts.allowedTypes.includes(contentType)) {
      throw new AppError('unsupported_file_type', `Files of type ${contentType} are not accepted here`, {
        content_type: contentType,
        allowed: opts.allowedTypes,
      })
    }
  } catch (err) {
    await source.return?.()
    throw err
  }
  const body = new MeteredStream(opts.maxBytes)
  // Errors reach whoever reads `body`; destroying `body` stops and releases the source.
  pipeline(Readable.from(replay(head, source)), body, () => {})
  return { contentType, body }
}

/** Decides from the first sniffBytes bytes alone, so a stored blob can be re-sniffed to the same answer. */
export async function detectContentType(head: Buffer, ended: boolean): Promise<string> {
  const sample = head.subarray(0, sniffBytes)
  const detected = await fileTypeFromBuffer(sample)
  if (detected) return detected.mime
  return isUtf8Text(sample, ended && head.length <= sniffBytes) ? 'text/plain' : 'application/octet-stream'
}

function isUtf8Text(sample: Buffer, complete: boolean): boolean {
  if (sample.includes(0)) return false
  try {
    // When the sample is cut short, a character split at its end is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: !complete })
    return true
  } catch {
    return false
  }
}

async function readHead(
  source: AsyncIterator<Uint8Array>,
  maxBytes: number,
): Promise<{ head: Buffer; ended: boolean }> {
  const chunks: Buffer[] = []
  let size = 0
  while (size < sniffBytes) {
    const next = await source.next()
    if (next.done) return { head: Buffer.concat(chunks), ended: true }
    chunks.push(Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength))
    size += next.value.byteLength
    if (size > maxBytes) throw fileTooLarge(maxBytes)
  }
  return { head: Buffer.concat(chunks), ended: false }
}

async function* replay(head: Buffer, source: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield head
    for (let next = await source.next(); !next.done; next = await source.next()) yield next.value
  } finally {
    await source.return?.()
  }
}

/** Passes bytes through while hashing and counting them; fails the moment the limit is passed. */
export class MeteredStream extends Transform {
  #hash = createHash('sha256')
  #size = 0

  constructor(private readonly maxBytes: number) {
    super()
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#size += chunk.length
    if (this.#size > this.maxBytes) {
      callback(fileTooLarge(this.maxBytes))
      return
    }
    this.#hash.update(chunk)
    callback(null, chunk)
  }

  /** Call once, after the stream has ended. */
  result(): { sizeBytes: number; sha256: string } {
    return { sizeBytes: this.#size, sha256: this.#hash.digest('hex') }
  }
}

function fileTooLarge(maxBytes: number): AppError {
  return new AppError('file_too_large', `The file is larger than ${maxBytes} bytes`, { max_bytes: maxBytes })
}
