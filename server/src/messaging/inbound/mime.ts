import { type AddressObject, simpleParser } from 'mailparser'
import type { Address } from '../tables.js'
import { headerParam, parseHeaderBlock } from './multipart.js'
import type { InboundEmail } from './types.js'

const bare = (id: string) => id.trim().replace(/^<|>$/g, '')
/** Every Message-ID in a header value (References holds several). */
export const messageIds = (value: string | string[] | undefined): string[] =>
  [value ?? []].flat().flatMap((v) => v.match(/<[^<>\s]+>/g)?.map(bare) ?? (v.trim() ? [bare(v)] : []))

export function addresses(value: AddressObject | AddressObject[] | undefined): Address[] {
  const out: Address[] = []
  for (const obj of [value ?? []].flat()) {
    for (const a of obj.value.flatMap((v) => (v.group ? v.group : [v]))) {
      if (a.address) out.push(a.name ? { address: a.address, name: a.name } : { address: a.address })
    }
  }
  return out
}

/** The top-level content type with its report type: `multipart/report; delivery-status`, else null. */
export function reportTypeOf(contentType: string | undefined): string | null {
  const type = contentType?.split(';')[0]?.trim().toLowerCase()
  if (type !== 'multipart/report') return null
  return `${type}; ${headerParam(contentType, 'report-type')?.toLowerCase() ?? ''}`
}

// PostgreSQL text holds no NUL; a message carrying one still gets recorded.
const clean = (s: string) => s.replace(/\0/g, '')

/**
 * A raw RFC 5322 message (from our listener, or a raw-mode webhook) as an InboundEmail. Never throws: a message
 * mailparser cannot read is kept with its headers as far as they go, the raw bytes as its text, and `malformed`.
 */
export async function parseMime(
  raw: Buffer,
  envelope: { from: string | null; recipients: string[] } = { from: null, recipients: [] },
): Promise<InboundEmail> {
  try {
    const p = await simpleParser(raw, { skipTextToHtml: true, skipImageLinks: true, keepCidLinks: true })
    const headers = parseHeaderBlock(p.headerLines.map((l) => l.line).join('\n'))
    const from = addresses(p.from)[0] ?? null
    const to = addresses(p.to)
    const cc = addresses(p.cc)
    return {
      recipients: envelope.recipients.length ? envelope.recipients : [...to, ...cc].map((a) => a.address),
      envelopeFrom: envelope.from,
      from,
      to,
      cc,
      subject: clean(p.subject ?? '').slice(0, 998),
      text: clean(p.text ?? ''),
      html: typeof p.html === 'string' ? clean(p.html) : null,
      messageId: p.messageId ? bare(p.messageId) : null,
      inReplyTo: messageIds(p.inReplyTo)[0] ?? null,
      references: messageIds(p.references),
      headers,
      attachments: p.attachments.map((a) => ({
        fileName: a.filename || (a.contentType === 'message/rfc822' ? 'message.eml' : 'attachment'),
        contentType: a.contentType || 'application/octet-stream',
        sizeBytes: a.size ?? a.content.length,
        content: a.content,
        ...(a.contentId && { contentId: bare(a.contentId) }),
      })),
      raw,
      malformed: null,
      reportType: reportTypeOf(headers['content-type']),
    }
  } catch (err) {
    return malformedEmail(raw, envelope, (err as Error).message || 'unreadable MIME')
  }
}

function malformedEmail(
  raw: Buffer,
  envelope: { from: string | null; recipients: string[] },
  reason: string,
): InboundEmail {
  const text = raw.toString('utf8')
  const end = text.search(/\r?\n\r?\n/)
  const headers = parseHeaderBlock(end < 0 ? text : text.slice(0, end))
  const fromMatch = /<?([^\s<>]+@[^\s<>]+)>?/.exec(headers.from ?? '')
  return {
    recipients: envelope.recipients,
    envelopeFrom: envelope.from,
    from: fromMatch ? { address: fromMatch[1]! } : null,
    to: [],
    cc: [],
    subject: clean(headers.subject ?? '').slice(0, 998),
    text: clean(end < 0 ? text : text.slice(end).trim()),
    html: null,
    messageId: headers['message-id'] ? bare(headers['message-id']) : null,
    inReplyTo: messageIds(headers['in-reply-to'])[0] ?? null,
    references: messageIds(headers.references),
    headers,
    attachments: [],
    raw,
    malformed: reason.slice(0, 500),
    reportType: null,
  }
}
