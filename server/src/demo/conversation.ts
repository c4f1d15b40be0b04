import type { Transaction } from 'kysely'
import { type ServiceContext, systemContext } from '../auth/actor.js'
import type { Case } from '../cases/types.js'
import { getCustomer } from '../customers/service.js'
import type { Database } from '../db/schema.js'
import { foldedParts } from '../messaging/inbound/fold.js'
import { type Address, type NewMessage, recordMessage } from '../messaging/service.js'
import { replied } from './sla.js'
import { getEmailSettings, type RenderApp, renderForCase } from '../messaging/templates/service.js'

// The demo's customer conversations: the acknowledgement, the agent asking for what is needed, the customer's
// answer by email (quoted history and all) or from the status page. They are history, not mail to send: each is
// recorded as it stood afterwards (`sent` or `received`), by provider `demo`, with a reason that says it never
// went through a mail server, so nothing in the console pretends otherwise.

type Trx = Transaction<Database>
export const demoProvider = 'demo'
export const demoReason = 'demo history: seeded as sent, never sent through a mail server'

/** What recording a demo message needs beyond the case: the app (config, link keys) and the customer. */
export type DemoMail = { app: RenderApp; customer: Address }

const demoMessage: Pick<NewMessage, 'channel' | 'visibility' | 'cc' | 'provider'> = {
  channel: 'email',
  visibility: 'public',
  cc: [],
  provider: demoProvider,
}

/** The customer's email address on the case, when it has one. */
export async function customerAddress(trx: Trx, merchantId: string, c: Case): Promise<Address | null> {
  if (!c.customer_id) return null
  const customer = await getCustomer(trx, merchantId, c.customer_id).catch(() => null)
  if (!customer?.email) return null
  return customer.name ? { address: customer.email, name: customer.name } : { address: customer.email }
}

async function shop(trx: Trx, merchantId: string, app: RenderApp): Promise<Address> {
  const s = await getEmailSettings(trx, merchantId, app.config)
  return { address: s.from_address, name: s.from_name }
}

/**
 * The automatic acknowledgement, rendered from the workspace's live template as the acknowledgement consumer
 * renders it, under the same Message-ID: when the consumer gets to the case, it finds it recorded.
 */
export async function acknowledge(trx: Trx, merchantId: string, c: Case, mail: DemoMail, at: Date): Promise<void> {
  const ctx = systemContext(merchantId, 'acknowledgement')
  const rendered = await renderForCase(
    trx,
    ctx,
    c.id,
    { purpose: 'acknowledgement', version: 'live', app: mail.app },
    at,
  )
  await recordMessage(
    trx,
    ctx,
    {
      ...demoMessage,
      caseId: c.id,
      direction: 'out',
      status: 'sent',
      statusReason: demoReason,
      authorType: 'system',
      automatic: true,
      from: await shop(trx, merchantId, mail.app),
      to: [mail.customer],
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      templateId: rendered.templateId,
      templateVersion: rendered.version,
      messageIdHeader: `ack.${c.id}@${mail.app.config.email.inboundDomain}`,
    },
    at,
  )
}

export type SentReply = { messageId: string; subject: string; text: string; from: Address; at: Date }

/** An agent's public reply to the customer; returns its Message-ID (what the customer's answer refers to). */
export async function agentReply(
  trx: Trx,
  work: ServiceContext,
  c: Case,
  mail: DemoMail,
  text: string,
  at: Date,
): Promise<SentReply> {
  const from = await shop(trx, work.merchantId, mail.app)
  const subject = `Re: ${c.subject} [${c.number}]`.slice(0, 998)
  const name = mail.customer.name?.split(' ')[0]
  const body = `${name ? `Hi ${name},` : 'Hello,'}\n\n${text}\n\nBest wishes,\n${work.actor.name}\n${from.name}`
  const message = await recordMessage(
    trx,
    work,
    {
      ...demoMessage,
      caseId: c.id,
      direction: 'out',
      status: 'sent',
      statusReason: demoReason,
      authorType: 'agent',
      authorId: work.actor.id,
      from,
      to: [mail.customer],
      subject,
      text: body,
      messageIdDomain: mail.app.config.email.inboundDomain,
    },
    at,
  )
  // Seeded as sent, not through the send path: the SLA hears of the reply here (a next response met).
  await replied(trx, work.merchantId, c.id, at)
  return { messageId: message.message_id_header!, subject, text: body, from, at }
}

const dayFormat = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'Europe/London',
})

/**
 * The customer's answer: an email quoting the agent's reply under an "On … wrote:" line, threaded to it by
 * In-Reply-To and References, or (`portal`) a few lines written on the status page.
 */
export async function customerAnswer(
  trx: Trx,
  merchantId: string,
  c: Case,
  mail: DemoMail,
  input: { text: string; inReplyTo: SentReply; portal: boolean },
  at: Date,
): Promise<void> {
  const ctx = systemContext(merchantId, input.portal ? 'portal' : 'email')
  const customer = {
    ...demoMessage,
    caseId: c.id,
    direction: 'in',
    status: 'received',
    authorType: 'customer',
    authorId: c.customer_id,
    subject: input.inReplyTo.subject,
  } as const
  if (input.portal) {
    // As portalReply records it: no address, no provider.
    const portal = {
      ...customer,
      channel: 'portal' as const,
      provider: null,
      from: { address: '' },
      to: [],
      text: input.text,
    }
    await recordMessage(trx, ctx, portal, at)
    return
  }
  const first = mail.customer.name?.split(' ')[0]
  const original = input.inReplyTo
  const quoted = original.text
    .split('\n')
    .map((l) => (l ? `> ${l}` : '>'))
    .join('\n')
  const sender = original.from.name ? `${original.from.name} <${original.from.address}>` : original.from.address
  const text = `${input.text}\n\n${first ?? ''}\n\nOn ${dayFormat.format(original.at)}, ${sender} wrote:\n${quoted}\n`
  const domain = mail.customer.address.slice(mail.customer.address.lastIndexOf('@') + 1)
  await recordMessage(
    trx,
    ctx,
    {
      ...customer,
      from: mail.customer,
      to: [original.from],
      text,
      ...foldedParts(text),
      // As a mail client makes them: unique per message, on the sender's domain.
      messageIdHeader: `${at.getTime().toString(36)}.${c.id.slice(-12)}@${domain}`,
      inReplyTo: original.messageId,
      references: [original.messageId],
    },
    at,
  )
}
