import type { Readable } from 'node:stream'
import DKIM from 'nodemailer/lib/dkim'
import MailComposer from 'nodemailer/lib/mail-composer'
import type { Address } from '../tables.js'
import type { SmtpSettings } from './transport.js'

export type OutboundEmail = {
  from: Address
  to: Address[]
  cc: Address[]
  replyTo: string
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
  const raw = await composer.compile().build()
  if (!dkim) return raw
  return Buffer.concat(await new DKIM(dkim).sign(raw).toArray())
}
