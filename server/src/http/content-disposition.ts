// RFC 6266 with RFC 8187: an ASCII `filename` every client understands (quotes, backslashes and anything outside
// printable ASCII replaced), and `filename*` with the exact name percent-encoded as UTF-8 for those that read it.
export function contentDisposition(name: string, disposition: 'attachment' | 'inline' = 'attachment'): string {
  const clean = withoutControlCharacters(name)
  const ascii = clean.replace(/[^\x20-\x7e]|["\\%]/g, '_') || 'file'
  const encoded = encodeURIComponent(clean || 'file').replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encoded}`
}

// C0 and C1 controls, and the marks that reorder text (a name shown as "gpj.exe" reads "exe.jpg").
const isUnsafe = (code: number) =>
  code < 0x20 ||
  (code >= 0x7f && code <= 0x9f) ||
  (code >= 0x202a && code <= 0x202e) ||
  (code >= 0x2066 && code <= 0x2069) ||
  code === 0x200e ||
  code === 0x200f

export const withoutControlCharacters = (s: string): string =>
  [...s].filter((c) => !isUnsafe(c.codePointAt(0)!)).join('')
