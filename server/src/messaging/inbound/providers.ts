import { createHash, randomBytes } from 'node:crypto'
import { AppError } from '../../errors.js'
import type { InboxDelivery, InboxProvider } from '../../integrations/providers.js'
import { parseWebhookJson } from '../../intake/payload.js'
import { invalid, mailgunSignatureValid, verifyBasicAuth } from './auth.js'
import { normalizeMailgun, normalizePostmark, normalizeSendGrid } from './normalize.js'
import { parseMime } from './mime.js'
import { type FormField, formValues, parseForm } from './multipart.js'
import { processInboundEmail } from './process.js'
import type { InboundEmail } from './types.js'

// Inbound email as inbox providers: the providers' inbound-parse webhooks at
// /webhooks/messaging/{postmark|sendgrid|mailgun}/{connection id}, and our own SMTP listener's deliveries
// (messaging/smtp). Each is stored before it is acknowledged and processed by the inbox drain.

const generatePassword = () => randomBytes(24).toString('base64url')
const passwordProblem = (s: string) => (s.length < 16 ? 'must be at least 16 characters' : null)
const sha256Hex = (b: Buffer) => createHash('sha256').update(b).digest('hex')

function formOf(req: { headers: Readonly<Record<string, string>>; rawBody: Buffer }): FormField[] {
  const fields = parseForm(req.rawBody, req.headers['content-type'])
  if (!fields) throw new AppError('payload_invalid', 'Expected a multipart/form-data or urlencoded form body')
  if (fields.some((f) => f.fileName === null && f.value.includes('\0')))
    throw new AppError('payload_invalid', 'A form field holds a NUL character, which cannot be stored')
  return fields
}

const deliveryForm = (d: InboxDelivery) => formOf({ headers: d.headers, rawBody: d.body })

function emailProvider(
  provider: string,
  opts: Pick<InboxProvider, 'verify' | 'dedupKey' | 'secrets'> & {
    normalize(delivery: InboxDelivery): Promise<InboundEmail>
  },
): InboxProvider {
  return {
    source: 'messaging',
    provider,
    verify: opts.verify,
    dedupKey: opts.dedupKey,
    secrets: opts.secrets,
    async process(trx, delivery, ctx, now) {
      // Erased (a customer's erasure reached the email it carried): nothing is left to record, or to record again.
      if (!delivery.body.length) return 'ignored'
      return processInboundEmail(trx, ctx, delivery, await opts.normalize(delivery), now)
    },
  }
}

export const postmarkProvider = emailProvider('postmark', {
  verify(input) {
    verifyBasicAuth(input)
    const payload = parseWebhookJson(input.rawBody)
    if (!payload || typeof payload !== 'object' || Array.isArray(payload))
      throw new AppError('payload_invalid', 'Expected a Postmark inbound message object')
  },
  // Postmark's own id of the inbound message: its retries carry the same one.
  dedupKey: (input) => {
    const id = (parseWebhookJson(input.rawBody) as { MessageID?: unknown }).MessageID
    return typeof id === 'string' && id ? `postmark:${id}` : `sha256:${sha256Hex(input.rawBody)}`
  },
  secrets: { generate: generatePassword, problem: passwordProblem },
  normalize: async (d) => normalizePostmark(parseWebhookJson(d.body) as Parameters<typeof normalizePostmark>[0]),
})

export const sendgridProvider = emailProvider('sendgrid', {
  // Basic auth in the URL; SendGrid's signed security policy is not implemented (its Parse bytes are unconfirmed).
  verify(input) {
    verifyBasicAuth(input)
    formOf(input)
  },
  // SendGrid posts no id of its own; a retry repeats the same bytes.
  dedupKey: (input) => `sha256:${sha256Hex(input.rawBody)}`,
  secrets: { generate: generatePassword, problem: passwordProblem },
  normalize: (d) => normalizeSendGrid(deliveryForm(d)),
})

export const mailgunProvider = emailProvider('mailgun', {
  verify(input) {
    const f = formValues(formOf(input))
    const { timestamp = '', token = '', signature = '' } = f
    if (!timestamp || !token || !signature) throw invalid('The form carries no timestamp, token and signature')
    let ok = false
    for (const key of input.secrets) ok = mailgunSignatureValid(key, timestamp, token, signature) || ok
    if (!ok) throw invalid('The signature matches no live signing key of this connection')
  },
  // Mailgun's token is unique per post: a replayed post is stored once.
  dedupKey: (input) => `mailgun:${formValues(formOf(input)).token ?? ''}`,
  normalize: (d) => normalizeMailgun(deliveryForm(d)),
})

/** Headers the SMTP listener stores with each delivery: the envelope, which the message itself does not carry. */
export const envelopeHeaders = { from: 'x-envelope-from', to: 'x-envelope-to' } as const

/**
 * Our own SMTP listener's deliveries (smtp.ts stores them; the body is the raw message). Nothing arrives for it
 * over HTTP: its connections exist only so deliveries have one, and any webhook naming it is refused.
 */
export const smtpProvider = emailProvider('smtp', {
  verify() {
    throw invalid('SMTP deliveries arrive through the mail listener, not over HTTP')
  },
  dedupKey: (input) => `sha256:${sha256Hex(input.rawBody)}`,
  secrets: { generate: generatePassword },
  normalize: (d) =>
    parseMime(d.body, {
      from: d.headers[envelopeHeaders.from] ?? null,
      recipients: (d.headers[envelopeHeaders.to] ?? '').split(',').filter(Boolean),
    }),
})

export const inboundEmailProviders: InboxProvider[] = [
  postmarkProvider,
  sendgridProvider,
  mailgunProvider,
  smtpProvider,
]
