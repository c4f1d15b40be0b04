import type { Transaction } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import { findCaseOrThrow } from '../../cases/service.js'
import { findSurvivor } from '../../customers/service.js'
import type { Database } from '../../db/schema.js'
import { findMessageByHeader } from '../store.js'
import { renderForCase } from '../templates/service/render-for-case.js'
import { recordTemplatedEmail } from '../templates/service/templated-message.js'
import type { PhoneChannel } from '../twilio/types.js'
import type { Message } from '../types.js'
import { windowOpen } from './policy.js'
import { type PhoneApp, phoneRecipient, recordPhoneMessage } from './send-phone-message.js'
import { type AutomaticChannel, getPhoneSettings } from './settings.js'
import { lastInboundWhatsapp } from './store.js'

type Trx = Transaction<Database>
export type AutomaticApp = PhoneApp & Parameters<typeof recordTemplatedEmail>[3]['app']

export type AutomaticResult =
  | { channel: AutomaticChannel; message: Message }
  | { channel: AutomaticChannel; skipped: string }

export type AutomaticOptions = {
  app: AutomaticApp
  /** Exactly these channels (each that can go); default: the first that can in the workspace's order. */
  channels?: AutomaticChannel[]
  /** Makes the send idempotent: a repeat finds the messages recorded (one Message-ID per channel). */
  messageKey?: string
  /** Links the caller made for this message (links.survey: the CSAT survey). */
  links?: Record<string, string>
  /** Values the caller has for this message (evidence_request: what an evidence request asks). */
  values?: Record<string, Record<string, unknown>>
}

/**
 * An automatic message on a case by its purpose's template: by the customer's consented channels in the
 * workspace's order of preference (default WhatsApp, SMS, email) — the first that can go — or by each channel
 * named. A phone channel can go with a number, the customer's consent and no opt-out; WhatsApp also needs the
 * 24-hour window open or the template's approved content template. A named channel the customer opted out of is
 * recorded held (never sent); one without consent or a number is skipped. Quiet hours defer, never drop.
 */
export async function sendAutomatic(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  purpose: string,
  now: Date,
  opts: AutomaticOptions,
): Promise<AutomaticResult[]> {
  const c = await findCaseOrThrow(trx, ctx.merchantId, caseId)
  const customer = c.customer_id ? await findSurvivor(trx, ctx.merchantId, c.customer_id) : undefined
  const recipient = await phoneRecipient(trx, ctx.merchantId, c.customer_id)
  const lastWhatsapp = recipient.phone ? await lastInboundWhatsapp(trx, ctx.merchantId, recipient.phone) : null
  const whyNot = async (channel: AutomaticChannel): Promise<string | null> => {
    if (channel === 'email') return customer?.email ? null : 'the customer has no email address'
    if (!recipient.phone) return 'the customer has no phone number'
    if (!recipient.consent?.consent[channel]) return `no ${channel} consent from the customer`
    if (recipient.consent.opted_out_at[channel]) return `the customer opted out of ${channel}`
    if (
      channel === 'whatsapp' &&
      !windowOpen(lastWhatsapp, now) &&
      !(await contentSidOf(trx, ctx, caseId, purpose, opts, now))
    )
      return "outside WhatsApp's 24-hour window and no approved template"
    return null
  }
  const send = (channel: AutomaticChannel) => sendOn(trx, ctx, caseId, purpose, channel, lastWhatsapp, opts, now)
  if (opts.channels) {
    const results: AutomaticResult[] = []
    for (const channel of opts.channels) {
      const reason = await whyNot(channel)
      // Opted out: recorded held, so the case shows what was not sent and why.
      const held = channel !== 'email' && recipient.consent?.opted_out_at[channel] && recipient.phone
      results.push(reason && !held ? { channel, skipped: reason } : await send(channel))
    }
    return results
  }
  const skipped: AutomaticResult[] = []
  for (const channel of (await getPhoneSettings(trx, ctx.merchantId)).channel_order) {
    const reason = await whyNot(channel)
    if (!reason) return [...skipped, await send(channel)]
    skipped.push({ channel, skipped: reason })
  }
  return skipped
}

/** The approved content template of the purpose's WhatsApp variant, if it has one. */
async function contentSidOf(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  purpose: string,
  opts: AutomaticOptions,
  now: Date,
) {
  const r = await renderForCase(
    trx,
    ctx,
    caseId,
    { purpose, channel: 'whatsapp', app: opts.app, preview: true, links: opts.links, values: opts.values },
    now,
  ).catch(() => null)
  return r?.contentSid ?? null
}

async function sendOn(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  purpose: string,
  channel: AutomaticChannel,
  lastWhatsapp: Date | null,
  opts: AutomaticOptions,
  now: Date,
): Promise<AutomaticResult> {
  const header = opts.messageKey ? `${opts.messageKey}.${channel}@${opts.app.config.email.inboundDomain}` : undefined
  if (header) {
    const known = await findMessageByHeader(trx, ctx.merchantId, header)
    if (known) return { channel, skipped: 'sent already' }
  }
  if (channel === 'email') {
    const sent = await recordTemplatedEmail(
      trx,
      ctx,
      caseId,
      {
        purpose,
        automatic: true,
        requireEmail: false,
        messageIdHeader: header,
        links: opts.links,
        values: opts.values,
        app: opts.app,
      },
      now,
    )
    return sent ? { channel, message: sent.message } : { channel, skipped: 'the customer has no email address' }
  }
  const phoneChannel: PhoneChannel = channel
  const rendered = await renderForCase(
    trx,
    ctx,
    caseId,
    {
      purpose,
      channel: phoneChannel,
      app: opts.app,
      contentVariables: channel === 'whatsapp',
      links: opts.links,
      values: opts.values,
    },
    now,
  )
  // Free text inside the window; outside it the approved content template, when the variant has one.
  const asTemplate = channel === 'whatsapp' && !windowOpen(lastWhatsapp, now) && rendered.contentSid
  const message = await recordPhoneMessage(
    trx,
    ctx,
    caseId,
    {
      channel: phoneChannel,
      text: rendered.text.slice(0, 1600),
      templateId: rendered.templateId,
      templateVersion: rendered.version,
      ...(asTemplate ? { contentSid: rendered.contentSid!, contentVariables: rendered.contentVariables } : {}),
      // What template QA finds holds the message, as it does an email's.
      heldFor: rendered.problems.map((p) => `${p.code}: ${p.detail}`),
    },
    { automatic: true, messageIdHeader: header, app: opts.app },
    now,
  )
  return { channel, message }
}
