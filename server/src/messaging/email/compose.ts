import { randomBytes } from 'node:crypto'
import type { Readable } from 'node:stream'
import DKIM from 'nodemailer/lib/dkim'
import MailComposer from 'nodemailer/lib/mail-composer'
import { encodeWord, encodeWords, foldLines, hasLongerLines, quoteString } from 'nodemailer/lib/mime-funcs'
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp'
import type { Address } from '../tables.js'
import type { SmtpSettings } from './transport.js'

export type OutboundEmail = {
  from: Address
  to: Address[]
  cc: Address[]
  /** None for mail nobody answers (digests). */
  replyTo?: string
  subject: string
  text: string
  html: string | null
  /** Without angle brackets, as stored. */
  messageId: string
  inReplyTo: string | null
  references: string[]
  automatic: boolean
  date: Date
  attachments: { fileName: string; contentType: string; contentId: string | null; content: Readable }[]
}

const bracket = (id: string) => `<${id}>`

const mailbox = (a: Address) => (a.name ? { name: a.name, address: a.address } : a.address)

/**
 * The RFC 5322 message, DKIM-signed when a key is configured: built once, stored, and sent as these exact bytes
 * on every attempt (same Message-ID, Date and signature).
 */
export async function composeEmail(email: OutboundEmail, dkim: SmtpSettings['dkim']): Promise<Buffer> {
  const built = plain(email) ? composePlain(email) : await composeMime(email)
  // Ending in CRLF, as SMTP sends it (a client adds one before the final dot): the stored bytes are the sent ones.
  const raw = built.subarray(-2).toString() === '\r\n' ? built : Buffer.concat([built, Buffer.from('\r\n')])
  if (!dkim) return raw
  return Buffer.concat(await new DKIM(dkim).sign(raw).toArray())
}

async function composeMime(email: OutboundEmail): Promise<Buffer> {
  const composer = new MailComposer({
    from: mailbox(email.from),
    to: email.to.map(mailbox),
    cc: email.cc.length ? email.cc.map(mailbox) : undefined,
    replyTo: email.replyTo,
    subject: email.subject,
    text: email.text,
    html: email.html ?? undefined,
    messageId: bracket(email.messageId),
    inReplyTo: email.inReplyTo ? bracket(email.inReplyTo) : undefined,
    references: email.references.length ? email.references.map(bracket) : undefined,
    date: email.date,
    // RFC 3834: automatic mail says so, so auto-responders never answer it (no loops).
    headers: email.automatic ? { 'Auto-Submitted': 'auto-generated' } : undefined,
    attachments: email.attachments.map((a) => ({
      filename: a.fileName,
      contentType: a.contentType,
      content: a.content,
      ...(a.contentId ? { cid: a.contentId } : {}),
    })),
    disableFileAccess: true,
    disableUrlAccess: true,
  })
  return composer.compile().build()
}

// The common message (text, maybe HTML, no attachments, ASCII addresses) written directly, with nodemailer's own
// header and quoted-printable encoders: the same MIME as MailComposer's, at a fraction of its cost (its stream per
// part cost more than the rest of a send put together).
const printable = /^[\x20-\x7e]*$/
const asciiAddress = (a: Address) => printable.test(a.address)

function plain(email: OutboundEmail): boolean {
  return (
    !email.attachments.length &&
    [email.from, ...email.to, ...email.cc].every(asciiAddress) &&
    [email.replyTo ?? '', email.messageId, email.inReplyTo ?? '', ...email.references].every((v) => printable.test(v))
  )
}

const displayName = (name: string) =>
  /^[\w ]*$/.test(name) ? name : printable.test(name) ? quoteString(name) : encodeWord(name, 'Q', 52)
const addressList = (list: Address[]) =>
  list.map((a) => (a.name ? `${displayName(a.name)} <${a.address}>` : a.address)).join(', ')
const unstructured = (value: string) => (printable.test(value) ? value : encodeWords(value, 'Q', 52))
const header = (key: string, value: string) => `${foldLines(`${key}: ${value}`, 76)}\r\n`

function textPart(subtype: 'plain' | 'html', body: string): string {
  const crlf = body.replace(/\r\n|\r|\n/g, '\r\n')
  const sevenBit = /^[\x20-\x7e\t\r\n]*$/.test(crlf) && !hasLongerLines(crlf, 76)
  return (
    `Content-Type: text/${subtype}; charset=utf-8\r\n` +
    `Content-Transfer-Encoding: ${sevenBit ? '7bit' : 'quoted-printable'}\r\n\r\n` +
    (sevenBit ? crlf : qpWrap(qpEncode(crlf), 76))
  )
}

function composePlain(email: OutboundEmail): Buffer {
  const boundary = `--_NmP-${randomBytes(8).toString('hex')}-Part_1`
  let head =
    header('From', addressList([email.from])) +
    header('To', addressList(email.to)) +
    (email.cc.length ? header('Cc', addressList(email.cc)) : '') +
    (email.replyTo ? header('Reply-To', email.replyTo) : '') +
    header('Subject', unstructured(email.subject)) +
    header('Message-ID', bracket(email.messageId))
  if (email.inReplyTo) head += header('In-Reply-To', bracket(email.inReplyTo))
  if (email.references.length) head += header('References', email.references.map(bracket).join(' '))
  head += header('Date', email.date.toUTCString().replace(/GMT/, '+0000'))
  if (email.automatic) head += header('Auto-Submitted', 'auto-generated')
  head += 'MIME-Version: 1.0\r\n'
  const text = textPart('plain', email.text)
  if (email.html === null) return Buffer.from(`${head}${text}`)
  const body =
    `Content-Type: multipart/alternative;\r\n boundary="${boundary}"\r\n${head}\r\n` +
    `--${boundary}\r\n${text}\r\n--${boundary}\r\n${textPart('html', email.html)}\r\n--${boundary}--\r\n`
  return Buffer.from(body)
}
