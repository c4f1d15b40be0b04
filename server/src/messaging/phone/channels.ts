import type { Transaction } from 'kysely'
import { findCaseOrThrow } from '../../cases/service.js'
import type { Database } from '../../db/schema.js'
import { findTwilioConnection, senderRate } from '../twilio/connection.js'
import type { PhoneChannel } from '../twilio/types.js'
import { quietHoursEnd, windowOpenUntil } from './policy.js'
import type { PhoneApp } from './send-phone-message.js'
import { phoneRecipient } from './send-phone-message.js'
import { getPhoneSettings } from './settings.js'
import { lastInboundWhatsapp, listWhatsappContentTemplates } from './store.js'

/**
 * What the composer shows for a case's phone channels: the customer's number and zone, consent and opt-outs, the
 * WhatsApp window and its approved templates, quiet hours now, and the workspace's senders.
 */
export async function phoneChannelState(
  trx: Transaction<Database>,
  merchantId: string,
  caseId: string,
  app: PhoneApp,
  now: Date,
) {
  const c = await findCaseOrThrow(trx, merchantId, caseId)
  const { consent, phone, zone } = await phoneRecipient(trx, merchantId, c.customer_id)
  const connection = await findTwilioConnection(trx, merchantId, now)
  const senders = (connection?.settings.senders ?? []).map((s) => ({
    address: s.address,
    channels: s.channels,
    per_second: Math.min(...s.channels.map((ch) => senderRate(s, ch, s.address))),
  }))
  const settings = await getPhoneSettings(trx, merchantId)
  const quietEnd = quietHoursEnd(settings.quiet_hours, zone, now)
  const until = phone ? windowOpenUntil(await lastInboundWhatsapp(trx, merchantId, phone)) : null
  const configured = !!connection || !!app.config.twilio
  const state = (channel: PhoneChannel, extra: string | null) => {
    const optedOut = consent?.opted_out_at[channel] ?? null
    const hasSender = connection ? connection.settings.senders.some((s) => s.channels.includes(channel)) : configured
    const reason = !phone
      ? 'the customer has no phone number'
      : optedOut
        ? `the customer opted out of ${channel}`
        : !configured
          ? 'no Twilio connection'
          : !hasSender
            ? `no ${channel} sender`
            : extra
    return { consent: consent?.consent[channel] ?? false, opted_out_at: optedOut, can_send: !reason, reason }
  }
  const templates = (await listWhatsappContentTemplates(trx, merchantId)).map((t) => ({
    template_id: t.id,
    purpose: t.purpose,
    name: t.name,
    locale: t.locale,
    content_sid: t.content_sid!,
    variables: t.content_variables,
  }))
  const windowClosed = !until || until <= now ? "outside WhatsApp's 24-hour window: templates only" : null
  return {
    customer_id: consent?.customer_id ?? c.customer_id,
    phone,
    time_zone: zone,
    configured,
    senders,
    quiet_hours: { ...settings.quiet_hours, now: quietEnd !== null, ends_at: quietEnd },
    sms: state('sms', null),
    whatsapp: { ...state('whatsapp', windowClosed), window_open_until: until, templates },
  }
}
