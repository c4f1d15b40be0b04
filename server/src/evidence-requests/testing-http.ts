import { randomBytes } from 'node:crypto'

export type FormPart = { name: string; value: string } | { name: string; filename: string; type: string; data: Buffer }

/** A multipart/form-data body, as a browser sends one, for app.inject. */
export function multipartForm(parts: FormPart[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----claimdesk${randomBytes(8).toString('hex')}`
  const chunks: Buffer[] = []
  for (const p of parts) {
    const head =
      'data' in p
        ? `Content-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\nContent-Type: ${p.type}`
        : `Content-Disposition: form-data; name="${p.name}"`
    chunks.push(Buffer.from(`--${boundary}\r\n${head}\r\n\r\n`))
    chunks.push('data' in p ? p.data : Buffer.from(p.value))
    chunks.push(Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}
