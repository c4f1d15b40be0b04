import type { ServiceContext } from '../../auth/actor.js'
import { systemContext } from '../../auth/actor.js'
import { listCases, openCase, recordCaseActivity } from '../../cases/service.js'
import { unresolvedStatuses } from '../../cases/types.js'
import type { AppContext } from '../../context.js'
import {
  findCustomerByPhone,
  recordImpliedPhoneConsent,
  setPhoneOptOut,
  upsertCustomer,
} from '../../customers/service.js'
import type { Trx } from '../../db/owned.js'
import type { InboxDelivery } from '../../integrations/providers.js'
import { getConnection, liveSecrets } from '../../integrations/service.js'
import { recordMessage } from '../service/record-message.js'
import { type Keyword, keywordOf } from './keywords.js'
import { defaultTwilioApiBase, storeTwilioMedia, type TwilioAccount } from './media.js'
import { param, type TwilioRequest } from './params.js'
import * as store from './store.js'
import { type PhoneChannel, parseTwilioAddress } from './types.js'

// An inbound SMS or WhatsApp message (twilio.com/docs/messaging/guides/webhook-request): the customer by phone,
// their open case (else a new one), the message with its media, and what it says about their consent.

const channelNames: Record<PhoneChannel, string> = { sms: 'SMS', whatsapp: 'WhatsApp' }

/** The connection's account for fetching media: its settings' account SID (else the webhook's) and its auth token. */
async function accountOf(trx: Trx, app: AppContext, delivery: InboxDelivery, accountSid: string, now: Date) {
  const connection = await getConnection(trx, delivery.merchantId, delivery.connectionId, now)
  const [secret] = await liveSecrets(trx, app.keys.secrets, delivery.merchantId, delivery.connectionId, now)
  if (!secret) return null
  const s = connection.settings
  const account: TwilioAccount = {
    accountSid: typeof s.account_sid === 'string' && s.account_sid ? s.account_sid : accountSid,
    authToken: secret.secret,
    apiBase: typeof s.api_base === 'string' && s.api_base ? s.api_base : defaultTwilioApiBase,
  }
  return account
}

/** The customer with this number, else a new one (named by their WhatsApp profile, when they have one). */
async function customerFor(
  trx: Trx,
  ctx: ServiceContext,
  channel: PhoneChannel,
  phone: string,
  name: string,
  now: Date,
) {
  const known = await findCustomerByPhone(trx, ctx.merchantId, phone)
  if (known) return known
  return (await upsertCustomer(trx, ctx, { source: channel, phone, name: name.slice(0, 200) || null }, now)).customer
}

/**
 * The customer's newest open case; for a keyword, else their newest case whatever its state (a STOP reopens
 * nothing); else a new case on this channel.
 */
async function caseFor(
  trx: Trx,
  ctx: ServiceContext,
  customerId: string,
  channel: PhoneChannel,
  text: string,
  keyword: Keyword | null,
  now: Date,
): Promise<{ caseId: string; newCase: boolean }> {
  const newest = (statuses?: typeof unresolvedStatuses) =>
    listCases(trx, ctx.merchantId, { customerId, statuses }, { sort: 'created_desc', limit: 1 }, now)
  const open = (await newest(unresolvedStatuses)).data[0] ?? (keyword ? (await newest()).data[0] : undefined)
  if (open) return { caseId: open.id, newCase: false }
  const firstLine = text.split('\n', 1)[0]!.trim()
  const opened = await openCase(
    trx,
    ctx,
    {
      caseType: 'other',
      subject: (firstLine || `${channelNames[channel]} message`).slice(0, 200),
      channel,
      source: channel,
      customerId,
    },
    now,
  )
  return { caseId: opened.id, newCase: true }
}

const keywordWords: Record<Keyword, (channel: string) => string> = {
  stop: (c) => `opted out of ${c}`,
  start: (c) => `opted back in to ${c}`,
  help: (c) => `asked for help by ${c} (HELP)`,
}

export async function processInboundPhone(
  trx: Trx,
  app: AppContext,
  delivery: InboxDelivery,
  request: Extract<TwilioRequest, { kind: 'inbound' }>,
  now: Date,
): Promise<'processed' | 'ignored'> {
  const { merchantId } = delivery
  const { params, sid } = request
  if (await store.inboundRecorded(trx, merchantId, delivery.id, sid)) return 'processed'
  const { channel, phone } = parseTwilioAddress(param(params, 'From'))
  const ctx = systemContext(merchantId, channelNames[channel])
  const text = param(params, 'Body')
  const keyword = keywordOf(params)
  const account =
    Number(param(params, 'NumMedia')) > 0 ? await accountOf(trx, app, delivery, param(params, 'AccountSid'), now) : null
  // Fetched first: a retryable failure throws before anything is written.
  const attachments = await storeTwilioMedia(app.blobs, merchantId, params, account, app.config.filesMaxBytes)
  const customer = await customerFor(
    trx,
    ctx,
    channel,
    phone,
    channel === 'whatsapp' ? param(params, 'ProfileName') : '',
    now,
  )
  if (keyword === 'stop' || keyword === 'start')
    await setPhoneOptOut(trx, ctx, customer.id, channel, keyword === 'stop', now)
  else await recordImpliedPhoneConsent(trx, ctx, customer.id, channel, now)
  const threaded = await caseFor(trx, ctx, customer.id, channel, text, keyword, now)
  const message = await recordMessage(
    trx,
    ctx,
    {
      caseId: threaded.caseId,
      direction: 'in',
      channel,
      visibility: 'public',
      status: 'received',
      // A keyword is an instruction to the number, not an answer: it never reopens a case or counts as a reply.
      authorType: keyword ? 'system' : 'customer',
      from: {
        address: phone,
        ...(param(params, 'ProfileName') && { name: param(params, 'ProfileName').slice(0, 200) }),
      },
      to: [{ address: parseTwilioAddress(param(params, 'To')).phone }],
      cc: [],
      subject: '',
      text,
      provider: 'twilio',
      providerMessageId: sid,
      robotReason: keyword ? `keyword_${keyword}` : null,
      inboxDeliveryId: delivery.id,
      attachments,
      newCase: threaded.newCase,
    },
    now,
  )
  if (keyword)
    await recordCaseActivity(
      trx,
      ctx,
      message.case_id,
      {
        action: `customer.keyword_${keyword}`,
        acts: false,
        timeline: [
          {
            type: 'consent',
            dedupKey: `consent:${sid}`,
            text: keywordWords[keyword](channelNames[channel]),
            data: { channel, keyword, customer_id: customer.id, body: text.slice(0, 40) },
          },
        ],
      },
      now,
    )
  return 'processed'
}
