import { parseAddressHeader } from 'mailparser'
import type { Address } from '../tables.js'
import { addresses, messageIds, parseMime, reportTypeOf } from './mime.js'
import { type FormField, formValues, parseHeaderBlock } from './multipart.js'
import type { InboundAttachment, InboundEmail } from './types.js'

// Each provider's inbound-parse payload as one InboundEmail. Payload shapes follow the fixtures beside the tests
// (fixtures/README.md names their sources); a raw MIME copy, when the provider sends one, wins over its fields.

const clean = (s: string) => s.replace(/\0/g, '')

const parseAddresses = (value: string | undefined): Address[] =>
  value?.trim() ? addresses(parseAddressHeader(value)) : []

function fromFields(input: {
  headers: Record<string, string>
  recipients: string[]
  envelopeFrom: string | null
  from: Address | null
  to: Address[]
  cc: Address[]
  subject: string | undefined
  text: string | undefined
  html: string | undefined
  attachments: InboundAttachment[]
}): InboundEmail {
  const h = input.headers
  return {
    recipients: [...new Set(input.recipients.filter(Boolean))],
    envelopeFrom: input.envelopeFrom,
    from: input.from,
    to: input.to,
    cc: input.cc,
    subject: clean(input.subject ?? h.subject ?? '').slice(0, 998),
    text: clean(input.text ?? ''),
    html: input.html ? clean(input.html) : null,
    messageId: messageIds(h['message-id'])[0] ?? null,
    inReplyTo: messageIds(h['in-reply-to'])[0] ?? null,
    references: messageIds(h.references),
    headers: h,
    attachments: input.attachments,
    raw: null,
    malformed: null,
    reportType: reportTypeOf(h['content-type']),
  }
}

type PostmarkAddress = { Email?: string; Name?: string }
type PostmarkPayload = {
  From?: string
  FromFull?: PostmarkAddress
  ToFull?: PostmarkAddress[]
  CcFull?: PostmarkAddress[]
  BccFull?: PostmarkAddress[]
  OriginalRecipient?: string
  Subject?: string
  TextBody?: string
  HtmlBody?: string
  Headers?: { Name?: string; Value?: string }[]
  Attachments?: { Name?: string; Content?: string; ContentType?: string; ContentID?: string }[]
  RawEmail?: string
}

const postmarkAddresses = (list: PostmarkAddress[] | undefined): Address[] =>
  (Array.isArray(list) ? list : [])
    .filter((a) => typeof a?.Email === 'string' && a.Email)
    .map((a) => (a.Name ? { address: a.Email!, name: a.Name } : { address: a.Email! }))

/** Postmark's inbound webhook JSON (with RawEmail when "include raw email" is on). */
export async function normalizePostmark(payload: PostmarkPayload): Promise<InboundEmail> {
  const to = postmarkAddresses(payload.ToFull)
  const cc = postmarkAddresses(payload.CcFull)
  const recipients = [
    ...(payload.OriginalRecipient ? [payload.OriginalRecipient] : []),
    ...[...to, ...cc, ...postmarkAddresses(payload.BccFull)].map((a) => a.address),
  ]
  if (typeof payload.RawEmail === 'string' && payload.RawEmail)
    return parseMime(Buffer.from(payload.RawEmail), { from: null, recipients })
  const headers: Record<string, string> = {}
  for (const h of Array.isArray(payload.Headers) ? payload.Headers : []) {
    if (typeof h?.Name !== 'string' || typeof h.Value !== 'string') continue
    const name = h.Name.toLowerCase()
    headers[name] = headers[name] === undefined ? h.Value : `${headers[name]}, ${h.Value}`
  }
  const fromFull = postmarkAddresses(payload.FromFull ? [payload.FromFull] : [])[0]
  return fromFields({
    headers,
    recipients,
    envelopeFrom: null,
    from: fromFull ?? parseAddresses(payload.From)[0] ?? null,
    to,
    cc,
    subject: payload.Subject,
    text: payload.TextBody,
    html: payload.HtmlBody,
    attachments: (Array.isArray(payload.Attachments) ? payload.Attachments : []).map((a) => {
      const content = Buffer.from(typeof a?.Content === 'string' ? a.Content : '', 'base64')
      return {
        fileName: a?.Name || 'attachment',
        contentType: a?.ContentType || 'application/octet-stream',
        sizeBytes: content.length,
        content,
        ...(a?.ContentID && { contentId: a.ContentID.replace(/^<|>$/g, '') }),
      }
    }),
  })
}

const jsonOr = <T>(text: string | undefined, fallback: T): T => {
  try {
    return text ? (JSON.parse(text) as T) : fallback
  } catch {
    return fallback
  }
}

/** SendGrid Inbound Parse, default (parsed) or raw mode (the whole message in `email`). */
export async function normalizeSendGrid(fields: FormField[]): Promise<InboundEmail> {
  const f = formValues(fields)
  const envelope = jsonOr<{ to?: unknown; from?: unknown }>(f.envelope, {})
  const envelopeTo = Array.isArray(envelope.to) ? envelope.to.filter((t): t is string => typeof t === 'string') : []
  const envelopeFrom = typeof envelope.from === 'string' ? envelope.from : null
  if (f.email) return parseMime(Buffer.from(f.email), { from: envelopeFrom, recipients: envelopeTo })
  const to = parseAddresses(f.to)
  const cc = parseAddresses(f.cc)
  const info = jsonOr<Record<string, { filename?: string; type?: string; 'content-id'?: string }>>(
    f['attachment-info'],
    {},
  )
  const files = new Map(fields.filter((x) => x.fileName !== null).map((x) => [x.name, x]))
  const count = Number(f.attachments) || 0
  const attachments: InboundAttachment[] = []
  for (let i = 1; i <= Math.min(count, 100); i++) {
    const name = `attachment${i}`
    const file = files.get(name)
    const meta = info[name] ?? {}
    attachments.push({
      fileName: meta.filename || file?.fileName || name,
      contentType: meta.type || file?.contentType || 'application/octet-stream',
      sizeBytes: file?.data.length ?? 0,
      content: file?.data ?? null,
      ...(meta['content-id'] && { contentId: meta['content-id'] }),
    })
  }
  return fromFields({
    headers: parseHeaderBlock(f.headers ?? ''),
    recipients: [...envelopeTo, ...[...to, ...cc].map((a) => a.address)],
    envelopeFrom,
    from: parseAddresses(f.from)[0] ?? null,
    to,
    cc,
    subject: f.subject,
    text: f.text,
    html: f.html,
    attachments,
  })
}

/** Mailgun routes: forward() (parsed fields, attachment-N files), store(notify) (attachment URLs), or raw MIME. */
export async function normalizeMailgun(fields: FormField[]): Promise<InboundEmail> {
  const f = formValues(fields)
  const recipients = (f.recipient ?? '').split(',').map((r) => r.trim())
  if (f['body-mime']) return parseMime(Buffer.from(f['body-mime']), { from: f.sender ?? null, recipients })
  const headers: Record<string, string> = {}
  for (const pair of jsonOr<unknown[]>(f['message-headers'], [])) {
    if (!Array.isArray(pair) || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') continue
    const name = pair[0].toLowerCase()
    headers[name] = headers[name] === undefined ? pair[1] : `${headers[name]}, ${pair[1]}`
  }
  const attachments: InboundAttachment[] = fields
    .filter((x) => x.fileName !== null && /^attachment-\d+$/.test(x.name))
    .map((x) => ({
      fileName: x.fileName || x.name,
      contentType: x.contentType || 'application/octet-stream',
      sizeBytes: x.data.length,
      content: x.data,
    }))
  // store(notify): the files stay at Mailgun, behind its API key; recorded by name, not fetched.
  for (const a of jsonOr<unknown[]>(f.attachments, [])) {
    const meta = a as { name?: unknown; 'content-type'?: unknown; size?: unknown }
    attachments.push({
      fileName: typeof meta.name === 'string' && meta.name ? meta.name : 'attachment',
      contentType: typeof meta['content-type'] === 'string' ? meta['content-type'] : 'application/octet-stream',
      sizeBytes: typeof meta.size === 'number' ? meta.size : 0,
      content: null,
    })
  }
  const to = parseAddresses(headers.to ?? f.To)
  const cc = parseAddresses(headers.cc ?? f.Cc)
  return fromFields({
    headers: Object.keys(headers).length
      ? headers
      : { 'message-id': f['Message-Id'] ?? '', 'in-reply-to': f['In-Reply-To'] ?? '', references: f.References ?? '' },
    recipients,
    envelopeFrom: f.sender ?? null,
    from: parseAddresses(f.from)[0] ?? null,
    to,
    cc,
    subject: f.subject,
    text: f['body-plain'],
    html: f['body-html'],
    attachments,
  })
}
