import type { Transaction } from 'kysely'
import { systemContext } from '../../auth/actor.js'
import type { Config } from '../../config.js'
import type { Db } from '../../db/owned.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import { createConnection, listConnections, liveSecrets } from '../../integrations/service.js'
import { lockTwilioSetup } from '../phone/store.js'
import { type TwilioClient, twilioClient } from './client.js'
import { type PhoneChannel, phoneChannels, twilioAddress } from './types.js'

// A workspace's Twilio account is an integration connection (source 'messaging', provider 'twilio'): settings say
// the account SID, the API base and the senders; the secret is the auth token (encrypted; it also signs webhooks).

export type TwilioSender = { address: string; channels: PhoneChannel[]; per_second?: number }
export type TwilioSettings = { account_sid: string; api_base?: string; senders: TwilioSender[] }
export type TwilioConnection = { id: string; merchantId: string; settings: TwilioSettings }

/** What finding or making a connection needs of the app: the TWILIO_* default and the key secrets are sealed with. */
export type TwilioApp = { config: Pick<Config, 'twilio' | 'publicUrl'>; keys: { secrets: Buffer } }

const e164 = /^\+[1-9]\d{6,14}$/
const shortCode = /^\d{3,8}$/
const tollFree = /^\+1(800|833|844|855|866|877|888)\d{7}$/

/**
 * Twilio's documented throughput per sender when the admin sets none: WhatsApp 80 messages a second; for SMS a
 * short code 100, a US toll-free number 3, a long code 1.
 */
export function defaultPerSecond(channel: PhoneChannel, address: string): number {
  if (channel === 'whatsapp') return 80
  if (shortCode.test(address)) return 100
  if (tollFree.test(address)) return 3
  return 1
}

/** A sender's limit on a channel: the admin's per_second, else Twilio's default. */
export const senderRate = (sender: TwilioSender | undefined, channel: PhoneChannel, address: string) =>
  sender?.per_second ?? defaultPerSecond(channel, address)

const invalid = (at: string, path: string, message: string) =>
  new AppError('validation_failed', 'The Twilio connection settings are not usable', {
    errors: [{ path: path ? `${at}/${path}` : at, message }],
  })

const settingKeys = ['account_sid', 'api_base', 'senders']
const senderKeys = ['address', 'channels', 'per_second']

/**
 * How settings are read: `at` is where their paths start in an error (`settings` for stored ones, `body/settings` for
 * a request's); `strict` refuses keys we do not know (a request's: a misspelt per_second would silently not apply).
 */
export type ParseOptions = { at?: string; strict?: boolean }

/** The connection's settings, checked: a send never starts from settings it cannot use. */
export function parseTwilioSettings(raw: Record<string, unknown>, opts: ParseOptions = {}): TwilioSettings {
  const at = opts.at ?? 'settings'
  if (opts.strict) refuseUnknown(raw, settingKeys, at)
  const sid = raw.account_sid
  if (typeof sid !== 'string' || !/^AC[0-9a-fA-F]{32}$/.test(sid))
    throw invalid(at, 'account_sid', 'an account SID: AC and 32 hexadecimal characters')
  const base = raw.api_base
  if (base !== undefined && (typeof base !== 'string' || !/^https?:\/\/[^\s]+$/.test(base)))
    throw invalid(at, 'api_base', 'an http(s) URL')
  const senders = raw.senders ?? []
  if (!Array.isArray(senders) || senders.length > 100) throw invalid(at, 'senders', 'a list of up to 100 senders')
  const parsed = senders.map((s, i) => parseSender(s, `${at}/senders/${i}`, opts.strict))
  // Each number once: its rate limit and its customers' threads belong to one entry.
  parsed.forEach((s, i) => {
    const first = parsed.findIndex((o) => o.address === s.address)
    if (first < i) throw invalid(at, `senders/${i}/address`, `listed already, as sender ${first + 1}`)
  })
  return { account_sid: sid, ...(typeof base === 'string' ? { api_base: base } : {}), senders: parsed }
}

function refuseUnknown(o: Record<string, unknown>, known: string[], at: string) {
  const extra = Object.keys(o).find((k) => !known.includes(k))
  if (extra !== undefined) throw invalid(at, extra, `not a Twilio setting (${known.join(', ')})`)
}

function parseSender(s: unknown, at: string, strict?: boolean): TwilioSender {
  if (!s || typeof s !== 'object' || Array.isArray(s)) throw invalid(at, '', 'a sender: address, channels, per_second')
  const o = s as Record<string, unknown>
  if (strict) refuseUnknown(o, senderKeys, at)
  const address = o.address
  if (typeof address !== 'string' || !(e164.test(address) || shortCode.test(address)))
    throw invalid(at, 'address', 'a number in E.164 form (+14155550100) or a short code')
  const channels = o.channels ?? ['sms']
  if (
    !Array.isArray(channels) ||
    !channels.length ||
    !channels.every((c) => (phoneChannels as readonly unknown[]).includes(c))
  )
    throw invalid(at, 'channels', 'sms and/or whatsapp')
  const rate = o.per_second
  if (rate !== undefined && (typeof rate !== 'number' || !(rate > 0) || rate > 1000))
    throw invalid(at, 'per_second', 'messages a second, more than 0 and at most 1000')
  return {
    address,
    channels: [...new Set(channels as PhoneChannel[])],
    ...(rate !== undefined ? { per_second: rate } : {}),
  }
}

/** The settings a connection made from TWILIO_* gets. */
function configSettings(t: NonNullable<Config['twilio']>): TwilioSettings {
  const senders: TwilioSender[] = []
  if (t.smsFrom) senders.push({ address: t.smsFrom, channels: ['sms'] })
  if (t.whatsappFrom) {
    const same = senders.find((s) => s.address === t.whatsappFrom)
    if (same) same.channels.push('whatsapp')
    else senders.push({ address: t.whatsappFrom, channels: ['whatsapp'] })
  }
  return { account_sid: t.accountSid, ...(t.apiUrl ? { api_base: t.apiUrl } : {}), senders }
}

/** The workspace's active Twilio connection (its oldest), or undefined. */
export async function findTwilioConnection(
  db: Db,
  merchantId: string,
  now: Date,
): Promise<TwilioConnection | undefined> {
  const rows = await listConnections(db, merchantId, { source: 'messaging', provider: 'twilio', limit: 20 }, now)
  const row = rows.find((r) => r.status === 'active')
  return row && { id: row.id, merchantId, settings: parseTwilioSettings(row.settings) }
}

/**
 * The workspace's Twilio connection; without one, one made from TWILIO_* (its auth token stored encrypted, so status
 * callbacks have a connection to arrive at), or undefined when there is no default either. Serialised per
 * workspace, so two first sends make one connection.
 */
export async function ensureTwilioConnection(
  trx: Transaction<Database>,
  merchantId: string,
  app: TwilioApp,
  now: Date,
): Promise<TwilioConnection | undefined> {
  const found = await findTwilioConnection(trx, merchantId, now)
  if (found || !app.config.twilio) return found
  await lockTwilioSetup(trx, merchantId)
  const again = await findTwilioConnection(trx, merchantId, now)
  if (again) return again
  const settings = configSettings(app.config.twilio)
  const { connection } = await createConnection(
    trx,
    systemContext(merchantId, 'twilio'),
    app.keys.secrets,
    {
      source: 'messaging',
      provider: 'twilio',
      name: 'Twilio (default account)',
      settings,
      secret: app.config.twilio.authToken,
    },
    now,
  )
  return { id: connection.id, merchantId, settings }
}

/** A client for the connection's account, with its current auth token. */
export async function clientFor(db: Db, secretsKey: Buffer, conn: TwilioConnection, now: Date): Promise<TwilioClient> {
  const [current] = await liveSecrets(db, secretsKey, conn.merchantId, conn.id, now)
  if (!current)
    throw new AppError('secret_required', 'The Twilio connection has no auth token', { connection_id: conn.id })
  return twilioClient({
    accountSid: conn.settings.account_sid,
    authToken: current.secret,
    apiBase: conn.settings.api_base,
  })
}

/** Where Twilio posts a message's status callbacks: the connection's webhook URL on the platform inbox. */
export const statusCallbackUrl = (publicUrl: string, connectionId: string) =>
  `${publicUrl}/webhooks/messaging/twilio/${connectionId}`

/**
 * The sender of a message to `to` on `channel`: one of the connection's senders for the channel, the same one for
 * the same number every time (a customer's thread stays with one number) and spread across senders.
 */
export function pickSender(settings: TwilioSettings, channel: PhoneChannel, to: string): TwilioSender | undefined {
  const able = settings.senders.filter((s) => s.channels.includes(channel))
  if (!able.length) return undefined
  let h = 0
  for (const ch of twilioAddress(channel, to)) h = (h * 31 + ch.charCodeAt(0)) >>> 0
  return able[h % able.length]
}
