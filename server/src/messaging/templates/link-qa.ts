// Link QA, at preview and again at send: a message whose links fail is held, not sent. Every link is absolute
// https, fully rendered, and points at a host the workspace allows (its shops, known carriers, our own portal).

export type QaCode =
  | 'not_https'
  | 'relative'
  | 'host_not_allowed'
  | 'unrendered'
  | 'empty_variable'
  | 'undefined_variable'
  // rendering problems (renderTemplate): a syntax error or unknown filter, or the render/size limit
  | 'invalid_template'
  | 'too_large'
export type QaProblem = { code: QaCode; detail: string }

const attributeLink = /\b(?:href|src|action|formaction|background|poster)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi
// A URL in running text (or in the HTML's text): any scheme-looking start, up to white space or a delimiter.
const textLink = /\b(?:https?|ftp):[^\s<>"'`]*|\bwww\.[^\s<>"'`]+/gi
const trailing = /[.,;:!?)\]}]+$/

/** Every link in a rendered part: attribute values in HTML, and URLs written out in text. */
export function findLinks(part: string): string[] {
  const links = new Set<string>()
  for (const m of part.matchAll(attributeLink)) links.add((m[1] ?? m[2] ?? m[3] ?? '').trim())
  for (const m of part.matchAll(textLink)) links.add(m[0].replace(trailing, ''))
  return [...links]
}

const decodeEntities = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&#x2F;/gi, '/')
    .replace(/&#47;/g, '/')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")

/** `host` is allowed when it is an allowed host or one of its subdomains (www.ups.com under ups.com). */
export function hostAllowed(host: string, allowedHosts: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '')
  return allowedHosts.some((a) => {
    const allowed = a.toLowerCase().replace(/^\*\./, '').replace(/\.$/, '')
    return allowed !== '' && (h === allowed || h.endsWith(`.${allowed}`))
  })
}

function checkLink(raw: string, allowedHosts: readonly string[]): QaProblem | null {
  const link = decodeEntities(raw)
  if (link === '') return { code: 'empty_variable', detail: 'a link is empty' }
  if (/^(mailto|tel):/i.test(link)) return null
  if (/^www\./i.test(link)) return { code: 'relative', detail: `${link} has no https:// in front` }
  const scheme = link.match(/^([a-z][a-z0-9+.-]*):/i)?.[1]?.toLowerCase()
  if (!scheme) return { code: 'relative', detail: `${link} is not an absolute link` }
  if (scheme !== 'https') return { code: 'not_https', detail: `${link} is not https` }
  if (!/^https:\/\/[^/?#\s]/i.test(link)) return { code: 'empty_variable', detail: `${link} has no host` }
  let host: string
  try {
    host = new URL(link).hostname
  } catch {
    return { code: 'relative', detail: `${link} is not a valid link` }
  }
  if (!hostAllowed(host, allowedHosts))
    return { code: 'host_not_allowed', detail: `${host} is not an allowed link domain (${link})` }
  return null
}

export function checkLinks(
  rendered: { subject: string; text: string; html?: string | null },
  allowedHosts: string[],
): QaProblem[] {
  const problems: QaProblem[] = []
  const seen = new Set<string>()
  const add = (p: QaProblem) => {
    const key = `${p.code}\u0000${p.detail}`
    if (seen.has(key)) return
    seen.add(key)
    problems.push(p)
  }
  const parts = [
    ['subject', rendered.subject],
    ['text', rendered.text],
    ['html', rendered.html ?? null],
  ] as const
  for (const [name, part] of parts) {
    if (part === null) continue
    const tag = part.match(/\{\{|\{%/)
    if (tag)
      add({ code: 'unrendered', detail: `${name}: "${part.slice(tag.index, tag.index! + 40)}" was not rendered` })
    for (const link of findLinks(part)) {
      const problem = checkLink(link, allowedHosts)
      if (problem) add({ code: problem.code, detail: `${name}: ${problem.detail}` })
    }
  }
  return problems
}
