import type { Selectable, Transaction, Updateable } from 'kysely'
import type { ServiceContext } from '../../auth/actor.js'
import { findCaseOrThrow } from '../../cases/service.js'
import type { Config } from '../../config.js'
import { findPhoneConsent, normalisePhone, type PhoneConsent } from '../../customers/service.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import { getMerchant } from '../../merchants/service.js'
import { recordMessage } from '../service/record-message.js'
import type { RenderApp } from '../templates/service/case-variables.js'
import { renderForCase } from '../templates/service/render-for-case.js'
import { smsSegments } from '../sms-segments.js'
import type { MessageStatus } from '../tables.js'
import { ensureTwilioConnection, pickSender, type TwilioApp } from '../twilio/connection.js'
import type { PhoneChannel } from '../twilio/types.js'
import type { Message } from '../types.js'
import { quietHoursEnd, windowOpenUntil } from './policy.js'
import { getPhoneSettings } from './settings.js'
import { lastInboundWhatsapp } from './store.js'

type Trx = Transaction<Database>

/** Twilio's limit on a message body (SMS and WhatsApp): 1,600 characters. */
export const maxPhoneText = 1600
export const noTwilioReason =
  'no Twilio connection configured (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or a connection)'
/** Why the send drain failed a message whose outcome it does not know (phone/send-phone.ts). */
export const phoneInterruptedReason =
  'interrupted mid-send: Twilio may have it; not retried automatically so it is never sent twice — retry by hand'

export type PhoneApp = TwilioApp & { config: Pick<Config, 'twilio' | 'publicUrl'> }

export type PhoneSendInput = {
  channel: PhoneChannel
  text: string
  /** +E.164; default the case's customer's phone. */
  to?: string
  /** Goes even in quiet hours (a case of priority urgent is urgent too). */
  urgent?: boolean
  /** WhatsApp outside the 24-hour window: an approved content template and its numbered variables. */
  contentSid?: string
  contentVariables?: Record<string, string>
  templateId?: string | null
  templateVersion?: number | null
  setWaiting?: boolean
  /** Reasons to hold it rather than send it (template QA's problems). */
  heldFor?: string[]
}

export type PhoneSendOptions = {
  /** Automation: needs the customer's consent; an opted-out customer's message is held rather than refused. */
  automatic: boolean
  /** Makes a repeated automatic send (a redelivered event) find the message already recorded. */
  messageIdHeader?: string
  app: PhoneApp
}

const phoneMissing = (caseId: string) =>
  new AppError('customer_phone_missing', "Name a number: the case's customer has no phone number", { case_id: caseId })
const invalid = (message: string, path: string) =>
  new AppError('phone_channel_invalid', message, { errors: [{ path: `body/${path}`, message }] })

/** What the channel state of a case's customer is now: for sending, and for the composer (GET phone-channels). */
export type PhoneRecipient = {
  consent: PhoneConsent | undefined
  phone: string | null
  zone: string
}

export async function phoneRecipient(
  trx: Trx | Parameters<typeof findPhoneConsent>[0],
  merchantId: string,
  customerId: string | null,
) {
  const consent = customerId ? await findPhoneConsent(trx, merchantId, customerId) : undefined
  const zone = consent?.time_zone ?? (await getMerchant(trx, merchantId)).time_zone
  return { consent, phone: consent?.phone ?? null, zone }
}

/** Where a phone message stands as it is sent: its status and reason, its sender, and when it is due (queued only). */
export type PhoneSendPlan = { status: MessageStatus; reason: string | null; from: string; deliverAfter: Date | null }

/**
 * The checks of a send, made now (a first send and a retry alike): the customer's opt-out and consent on the
 * channel, the WhatsApp window, the workspace's connection and sender, quiet hours. Refuses what an agent may not
 * send (recipient_opted_out, whatsapp_window_closed); automation's is held instead.
 */
export async function planPhoneSend(
  trx: Trx,
  ctx: ServiceContext,
  send: { channel: PhoneChannel; to: string; contentSid?: string | null; urgent?: boolean; heldFor?: string[] },
  recipient: PhoneRecipient,
  opts: Pick<PhoneSendOptions, 'automatic' | 'app'>,
  now: Date,
): Promise<PhoneSendPlan> {
  const { channel, to } = send
  const held: string[] = [...(send.heldFor ?? [])]
  const optedOut = recipient.consent?.opted_out_at[channel]
  if (optedOut) {
    if (!opts.automatic)
      throw new AppError('recipient_opted_out', `The customer opted out of ${channel} messages`, {
        channel,
        customer_id: recipient.consent!.customer_id,
        opted_out_at: optedOut.toISOString(),
      })
    held.push(`the customer opted out of ${channel} on ${optedOut.toISOString()}`)
  }
  if (opts.automatic && !recipient.consent?.consent[channel]) held.push(`no ${channel} consent from the customer`)
  if (channel === 'whatsapp' && !send.contentSid) {
    const until = windowOpenUntil(await lastInboundWhatsapp(trx, ctx.merchantId, to))
    if (!until || until <= now) {
      if (!opts.automatic)
        throw new AppError(
          'whatsapp_window_closed',
          "Outside WhatsApp's 24-hour window only an approved template goes out: send one with content_sid",
          { closed_at: until?.toISOString() ?? null, templates_allowed: true },
        )
      held.push("outside WhatsApp's 24-hour window and no approved template (content_sid)")
    }
  }
  if (held.length) return { status: 'held', reason: held.join('; '), from: '', deliverAfter: null }
  const connection = await ensureTwilioConnection(trx, ctx.merchantId, opts.app, now)
  if (!connection) return { status: 'not_sent', reason: noTwilioReason, from: '', deliverAfter: null }
  const sender = pickSender(connection.settings, channel, to)
  if (!sender)
    return {
      status: 'not_sent',
      reason: `the Twilio connection has no ${channel} sender`,
      from: '',
      deliverAfter: null,
    }
  const quiet = send.urgent
    ? null
    : quietHoursEnd((await getPhoneSettings(trx, ctx.merchantId)).quiet_hours, recipient.zone, now)
  return {
    status: 'queued',
    reason: quiet ? `scheduled for ${quiet.toISOString()} (quiet hours in ${recipient.zone})` : null,
    from: sender.address,
    deliverAfter: quiet ?? now,
  }
}

/**
 * An SMS or WhatsApp message to a case's customer, recorded for the phone send drain (phone/send-phone.ts):
 * - an opted-out customer gets nothing: the API is refused (recipient_opted_out), automation's message is held;
 * - automation needs the customer's consent on the channel (held without it);
 * - WhatsApp free text needs the 24-hour window open (the customer wrote on WhatsApp in the last 24 h); otherwise
 *   only an approved content template (content_sid) goes: whatsapp_window_closed;
 * - non-urgent messages inside quiet hours (the customer's zone, else the workspace's) wait for their end
 *   (deliver_after; the drain's due condition sends them then, whatever restarted meanwhile);
 * - without a Twilio connection (nor TWILIO_* to make one) it is stored as not_sent.
 */
export async function recordPhoneMessage(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  input: PhoneSendInput,
  opts: PhoneSendOptions,
  now: Date,
): Promise<Message> {
  const { channel } = input
  const c = await findCaseOrThrow(trx, ctx.merchantId, caseId)
  if (input.text.length > maxPhoneText)
    throw new AppError('validation_failed', `A message by ${channel} is at most ${maxPhoneText} characters`, {
      errors: [{ path: 'body/text', message: `at most ${maxPhoneText} characters` }],
    })
  if (channel === 'sms' && input.contentSid) throw invalid('content_sid is for WhatsApp templates', 'content_sid')
  const recipient = await phoneRecipient(trx, ctx.merchantId, c.customer_id)
  const to = input.to !== undefined ? normalisePhone(input.to) : recipient.phone
  if (!to) throw phoneMissing(caseId)
  const plan = await planPhoneSend(
    trx,
    ctx,
    { ...input, to, urgent: input.urgent || c.priority === 'urgent' },
    recipient,
    opts,
    now,
  )
  const segments = channel === 'sms' ? smsSegments(input.text) : null
  return recordMessage(
    trx,
    ctx,
    {
      caseId,
      direction: 'out',
      channel,
      visibility: 'public',
      status: plan.status,
      statusReason: plan.reason,
      authorType: opts.automatic ? 'system' : ctx.actor.type === 'system' ? 'system' : 'agent',
      authorId: !opts.automatic && ctx.actor.type === 'user' ? ctx.actor.id : null,
      automatic: opts.automatic,
      from: { address: plan.from },
      to: [{ address: to }],
      cc: [],
      subject: '',
      text: input.text,
      templateId: input.templateId ?? null,
      templateVersion: input.templateVersion ?? null,
      messageIdHeader: opts.messageIdHeader,
      provider: 'twilio',
      deliverAfter: plan.deliverAfter,
      smsSegments: segments?.segments ?? null,
      smsEncoding: segments?.encoding ?? null,
      contentSid: input.contentSid ?? null,
      contentVariables: input.contentSid ? (input.contentVariables ?? {}) : null,
      setWaiting: input.setWaiting,
    },
    now,
  )
}

/**
 * An agent's WhatsApp template, named by its id with no variables of its own: its approved Content SID and its
 * content variables rendered for the case, the text recorded being the variant's own text rendered the same way.
 */
export async function withWhatsappTemplate(
  trx: Trx,
  ctx: ServiceContext,
  caseId: string,
  input: PhoneSendInput,
  app: RenderApp,
  now: Date,
): Promise<PhoneSendInput> {
  if (input.channel !== 'whatsapp' || !input.templateId || input.contentVariables) return input
  const r = await renderForCase(
    trx,
    ctx,
    caseId,
    { templateId: input.templateId, channel: 'whatsapp', app, contentVariables: true },
    now,
  )
  if (!r.contentSid && !input.contentSid) return input
  return {
    ...input,
    text: input.text.trim() ? input.text : r.text.slice(0, maxPhoneText),
    contentSid: input.contentSid ?? r.contentSid!,
    contentVariables: r.contentVariables,
    templateVersion: input.templateVersion ?? r.version,
    heldFor: [...(input.heldFor ?? []), ...r.problems.map((p) => `${p.code}: ${p.detail}`)],
  }
}

/** What an SMS or WhatsApp message is sent again from: failed (an interrupted send too), held, not sent. */
export const phoneRetryable: MessageStatus[] = ['failed', 'held', 'not_sent']

/**
 * A failed, held or not-sent SMS or WhatsApp message made due again, as the changes to its row: checked now as an
 * agent's first send is (planPhoneSend: refused when the customer opted out, or for free text outside the WhatsApp
 * window; not_sent without a connection or sender), from a sender picked afresh, its old SID dropped so a late
 * callback of the failed send cannot settle the new one. An interrupted send Twilio has a SID for is refused: it
 * may be out already, and Twilio has no idempotency key.
 */
export async function phoneRetry(
  trx: Trx,
  ctx: ServiceContext,
  row: Selectable<Database['messages']>,
  app: PhoneApp,
  now: Date,
): Promise<Updateable<Database['messages']>> {
  if (row.provider_message_id && row.status_reason?.startsWith(phoneInterruptedReason))
    throw new AppError('message_not_retryable', 'Twilio may have this message already: it is not sent twice', {
      message_id: row.id,
      status: row.status,
      provider_message_id: row.provider_message_id,
    })
  const c = await findCaseOrThrow(trx, ctx.merchantId, row.case_id)
  const recipient = await phoneRecipient(trx, ctx.merchantId, c.customer_id)
  const to = row.to_addresses[0]?.address ?? recipient.phone
  if (!to) throw phoneMissing(c.id)
  const send = {
    channel: row.channel as PhoneChannel,
    to,
    contentSid: row.content_sid,
    urgent: c.priority === 'urgent',
  }
  const plan = await planPhoneSend(trx, ctx, send, recipient, { automatic: false, app }, now)
  return {
    status: plan.status,
    status_reason: plan.reason,
    from_address: plan.from,
    deliver_after: plan.deliverAfter,
    provider_message_id: null,
    sent_at: null,
    send_key: null,
  }
}
