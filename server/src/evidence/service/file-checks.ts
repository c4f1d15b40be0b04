import { detectContentType } from '../../files/blob-intake.js'
import { AppError } from '../../errors.js'
import { withoutControlCharacters } from '../../http/content-disposition.js'

// What the bytes may never be, whatever the evidence type allows.
const archives = new Set([
  'application/zip',
  'application/x-rar-compressed',
  'application/vnd.rar',
  'application/x-7z-compressed',
  'application/gzip',
  'application/x-tar',
  'application/x-bzip2',
  'application/x-xz',
  'application/zstd',
  'application/java-archive',
  'application/x-cpio',
])
const executables = new Set([
  'application/x-elf',
  'application/x-msdownload',
  'application/x-mach-binary',
  'application/x-sharedlib',
  'application/x-executable',
  'application/vnd.microsoft.portable-executable',
  'application/wasm',
])

export type RefusalReason = 'archive' | 'executable' | 'svg' | 'type_mismatch'

/** The content type the first bytes say, refused unless it is one of `formats` (and never an archive or program). */
export async function classifyHead(head: Buffer, ended: boolean, formats: readonly string[]): Promise<string> {
  const contentType = await detectContentType(head, ended)
  const text = head.subarray(0, 1024).toString('latin1').toLowerCase()
  const reason: RefusalReason | undefined = archives.has(contentType)
    ? 'archive'
    : executables.has(contentType) || head.subarray(0, 2).toString('latin1') === '#!' || isPeHeader(head)
      ? 'executable'
      : contentType === 'image/svg+xml' || text.includes('<svg')
        ? 'svg'
        : formats.includes(contentType)
          ? undefined
          : 'type_mismatch'
  if (reason)
    throw new AppError('unsupported_file_type', refusals[reason], {
      content_type: contentType,
      reason,
      allowed: formats,
    })
  return contentType
}

const refusals: Record<RefusalReason, string> = {
  archive: 'Archives are not accepted as evidence: upload the files themselves',
  executable: 'Programs and scripts are not accepted as evidence',
  svg: 'SVG images are not accepted as evidence: upload a JPEG, PNG or WebP',
  type_mismatch: 'This file is not of a kind this evidence type accepts',
}

// "MZ" alone is too short to trust; a PE file also points at its "PE\0\0" header.
function isPeHeader(head: Buffer): boolean {
  if (head.length < 0x40 || head[0] !== 0x4d || head[1] !== 0x5a) return false
  const at = head.readUInt32LE(0x3c)
  return at + 4 <= head.length && head.subarray(at, at + 4).equals(Buffer.from('PE\0\0', 'latin1'))
}

// Markup or script anywhere in an image means it was made to be read as something else too.
const textMarkers = ['<?php', '<script', '<html', '<!doctype', '<iframe', '<svg', '<body', 'javascript:'].map((m) =>
  Buffer.from(m, 'latin1'),
)
// What a payload appended after an image's end starts or ends with.
const tailMarkers = ['PK\x03\x04', 'PK\x05\x06', '\x7fELF', 'MZ', '#!', '%PDF', 'Rar!', '7z\xbc\xaf', '\x1f\x8b'].map(
  (m) => Buffer.from(m, 'latin1'),
)

/** Refuses an image that is also something else: markup inside, or another file after the image's last byte. */
export function assertNotPolyglot(data: Buffer, contentType: string): void {
  const marker = findMarker(data)
  const end = imageEnd(data, contentType)
  const tail = end === undefined ? Buffer.alloc(0) : data.subarray(end)
  const appended = tailMarkers.find((m) => tail.includes(m))
  if (marker || appended)
    throw new AppError('file_polyglot', 'This image carries another file inside or after it', {
      found: (marker ?? appended)!.toString('latin1').replace(/[^\x20-\x7e]/g, '.'),
    })
  if (end === undefined) throw new AppError('file_corrupt', 'The image is cut short or damaged')
}

// Case-insensitively, a slice at a time (overlapping by the longest marker), so a large photo is not copied whole.
function findMarker(data: Buffer): Buffer | undefined {
  const slice = 1024 * 1024
  const overlap = Math.max(...textMarkers.map((m) => m.length)) - 1
  for (let at = 0; at < data.length; at += slice) {
    const lower = Buffer.from(data.toString('latin1', at, at + slice + overlap).toLowerCase(), 'latin1')
    const found = textMarkers.find((m) => lower.includes(m))
    if (found) return found
  }
  return undefined
}

/** Where the image's own bytes end, by its format's structure; undefined when it never ends (truncated). */
export function imageEnd(data: Buffer, contentType: string): number | undefined {
  if (contentType === 'image/png') return pngEnd(data)
  if (contentType === 'image/jpeg') return jpegEnd(data)
  if (contentType === 'image/webp') {
    const size = data.length >= 8 ? data.readUInt32LE(4) + 8 : Number.POSITIVE_INFINITY
    return size <= data.length ? size + (size % 2) : undefined
  }
  return data.length
}

function pngEnd(data: Buffer): number | undefined {
  for (let at = 8; at + 12 <= data.length; ) {
    const length = data.readUInt32BE(at)
    const type = data.toString('latin1', at + 4, at + 8)
    at += 12 + length
    if (type === 'IEND') return at <= data.length ? at : undefined
  }
  return undefined
}

// Segments up to the scan, then entropy-coded data (where FF is followed by 00 or a restart marker) up to EOI;
// progressive JPEGs have several scans, each followed by more segments.
function jpegEnd(data: Buffer): number | undefined {
  let at = 2
  while (at + 2 <= data.length) {
    if (data[at] !== 0xff) return undefined
    const marker = data[at + 1]!
    if (marker === 0xd9) return at + 2
    if (at + 4 > data.length) return undefined
    if (marker === 0xff || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += marker === 0xff ? 1 : 2
      continue
    }
    const length = data.readUInt16BE(at + 2)
    at += 2 + length
    if (marker !== 0xda) continue
    while (at + 1 < data.length) {
      if (data[at] === 0xff && data[at + 1] !== 0 && !(data[at + 1]! >= 0xd0 && data[at + 1]! <= 0xd7)) break
      at++
    }
  }
  return undefined
}

/**
 * The name a file is stored and served under: the last path segment, without control or direction characters,
 * at most 200 characters. A name that is nothing but path segments is refused; no name gets a neutral one.
 */
export function sanitiseFileName(name: string | undefined, fallback: string): string {
  if (!name) return fallback
  const cleaned = withoutControlCharacters(name.normalize('NFC'))
  const base = cleaned.split(/[/\\]/).pop()!.trim()
  const stripped = base.replace(/^[.\s]+/, '')
  if (!stripped || /^\.+$/.test(base))
    throw new AppError('file_name_invalid', 'The file name is only path segments', { name: name.slice(0, 200) })
  return [...stripped].slice(0, 200).join('')
}
