/** One part of a multipart body: its headers (lower-cased names, unfolded) and its bytes. */
export type Part = { headers: Record<string, string>; body: Buffer }

const crlf = Buffer.from('\r\n')
const lf = Buffer.from('\n')

/** RFC 5322 header block: unfolds continuation lines; lower-cases names; repeated names joined with ", ". */
export function parseHeaderBlock(text: string): Record<string, string> {
  const headers: Record<string, string> = {}
  let name: string | null = null
  for (const line of text.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && name) {
      headers[name] += ` ${line.trim()}`
      continue
    }
    const colon = line.indexOf(':')
    if (colon <= 0) {
      name = null
      continue
    }
    name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`
  }
  return headers
}

/** A header's parameter (`boundary`, `name`, `report-type`), unquoted. */
export function headerParam(value: string | undefined, param: string): string | null {
  if (!value) return null
  const m = new RegExp(`(?:^|;)\\s*${param}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i').exec(value)
  if (!m) return null
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!
}

/**
 * The parts of a multipart body (RFC 2046 / RFC 7578), synchronously. Tolerates LF line ends as well as
 * CRLF (the providers' published samples use LF) and a missing close delimiter; preamble and epilogue are dropped.
 */
export function splitMultipart(body: Buffer, boundary: string): Part[] {
  const delimiter = Buffer.from(`--${boundary}`)
  const parts: Part[] = []
  let at = body.indexOf(delimiter)
  while (at >= 0) {
    let start = at + delimiter.length
    if (body.subarray(start, start + 2).toString() === '--') break
    // The rest of the delimiter line (transport padding) and its line end.
    const eol = body.indexOf(lf, start)
    if (eol < 0) break
    start = eol + 1
    let next = body.indexOf(delimiter, start)
    // A delimiter counts only at the start of a line.
    while (next > 0 && body[next - 1] !== 0x0a) next = body.indexOf(delimiter, next + 1)
    let end = next < 0 ? body.length : next
    if (next >= 0) {
      if (body.subarray(end - 2, end).equals(crlf)) end -= 2
      else if (body[end - 1] === 0x0a) end -= 1
    }
    const part = body.subarray(start, end)
    let split = part.indexOf('\r\n\r\n')
    let sep = 4
    const lfSplit = part.indexOf('\n\n')
    if (lfSplit >= 0 && (split < 0 || lfSplit < split)) {
      split = lfSplit
      sep = 2
    }
    if (split < 0) parts.push({ headers: parseHeaderBlock(part.toString('utf8')), body: Buffer.alloc(0) })
    else
      parts.push({
        headers: parseHeaderBlock(part.subarray(0, split).toString('utf8')),
        body: part.subarray(split + sep),
      })
    if (next < 0) break
    at = next
  }
  return parts
}

export type FormField = {
  name: string
  value: string
  fileName: string | null
  contentType: string | null
  data: Buffer
}

/** A form body, urlencoded or multipart/form-data: every field in order (file parts keep their bytes). */
export function parseForm(body: Buffer, contentType: string | undefined): FormField[] | null {
  const type = contentType?.split(';')[0]?.trim().toLowerCase()
  if (type === 'application/x-www-form-urlencoded') {
    return [...new URLSearchParams(body.toString('utf8'))].map(([name, value]) => ({
      name,
      value,
      fileName: null,
      contentType: null,
      data: Buffer.from(value),
    }))
  }
  const boundary = type === 'multipart/form-data' ? headerParam(contentType, 'boundary') : null
  if (!boundary) return null
  const fields: FormField[] = []
  for (const part of splitMultipart(body, boundary)) {
    const disposition = part.headers['content-disposition']
    const name = headerParam(disposition, 'name')
    if (name === null) continue
    fields.push({
      name,
      value: part.body.toString('utf8'),
      fileName: headerParam(disposition, 'filename'),
      contentType: part.headers['content-type'] ?? null,
      data: part.body,
    })
  }
  return fields
}

/** The last value of each named field (text fields; file parts too, as text). */
export function formValues(fields: FormField[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const f of fields) if (f.fileName === null) out[f.name] = f.value
  return out
}
