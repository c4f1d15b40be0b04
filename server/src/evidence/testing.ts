import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { PDFDocument, PDFName, PDFString } from 'pdf-lib'
import sharp from 'sharp'
import yazl from 'yazl'

// Real sample files for the evidence tests, made by the libraries that make them in the wild.

export type FilePart = { name: string; data: Buffer; contentType?: string }

/** A multipart/form-data body: the fields first, then the file (as browsers send a form in order). */
export function multipart(fields: Record<string, string>, file?: FilePart) {
  const boundary = `----claimdesk${randomBytes(8).toString('hex')}`
  const parts: Buffer[] = []
  for (const [name, value] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`))
  if (file) {
    const header =
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n` +
      `Content-Type: ${file.contentType ?? 'application/octet-stream'}\r\n\r\n`
    parts.push(Buffer.from(header, 'utf8'), file.data, Buffer.from('\r\n'))
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

/** A phone-like JPEG: noisy pixels, EXIF with the make, a GPS position and an orientation of 6 (turned 90°). */
export async function photoJpeg(width = 64, height = 48): Promise<Buffer> {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 80 })
    .withMetadata({ orientation: 6 })
    .withExif({ IFD0: { Make: 'PhonyPhone' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } })
    .toBuffer()
}

export async function photoPng(width = 32, height = 32): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 10, g: 120, b: 200 } } })
    .png()
    .toBuffer()
}

export async function pdf(options: { javascript?: boolean } = {}): Promise<Buffer> {
  const doc = await PDFDocument.create()
  const page = doc.addPage([300, 200])
  page.drawText('Invoice 1001', { x: 20, y: 150, size: 18 })
  if (options.javascript)
    doc.catalog.set(PDFName.of('OpenAction'), doc.context.obj({ S: 'JavaScript', JS: PDFString.of('app.alert("hi")') }))
  return Buffer.from(await doc.save({ useObjectStreams: false }))
}

export async function zip(entries: Record<string, Buffer | string>): Promise<Buffer> {
  const z = new yazl.ZipFile()
  for (const [name, data] of Object.entries(entries)) z.addBuffer(Buffer.from(data), name)
  z.end()
  const chunks: Buffer[] = []
  for await (const c of z.outputStream) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

/** Every file under the blob store's root, temp files included: what a refused upload must not change. */
export async function filesUnder(root: string): Promise<string[]> {
  if (!existsSync(root)) return []
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort()
}
