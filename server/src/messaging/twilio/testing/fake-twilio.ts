import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { smsSegments } from '../../sms-segments.js'
import { twilioSignature } from '../signature.js'

// A local Twilio for tests, the bench and the demo: the Messages API's create call as documented, and the status
// callbacks and inbound webhooks Twilio posts, signed with X-Twilio-Signature. Payload shapes come from Twilio's
// docs and SDK fixtures (fixtures/README.md names each source); nothing here is a shape of its own.

export type FakeRequest = {
  /** Arrival, in ms since the epoch with sub-millisecond precision (per-sender-per-second figures use it). */
  at: number
  form: Record<string, string>
  mediaUrls: string[]
  /** The answer: 201 with the message's sid, or a Twilio error code. */
  status: number
  sid: string | null
  errorCode: number | null
}

export type CallbackPlan = {
  /** The final status: delivered (default), undelivered or failed (with errorCode); WhatsApp may add read. */
  outcome?: 'delivered' | 'undelivered' | 'failed' | 'read'
  errorCode?: number
  /** Each callback posted twice, as Twilio may. */
  duplicates?: boolean
  /** The final status posted before sent. */
  outOfOrder?: boolean
}

export type PostedCallback = { url: string; form: Record<string, string>; status: number }

export type FakeTwilioOptions = {
  accountSid?: string
  authToken?: string
  /** Post status callbacks to each message's StatusCallback (default true). */
  callbacks?: boolean
}

type TwilioErrorAnswer = { status: number; code: number; message: string }

// Twilio's error dictionary (https://www.twilio.com/docs/api/errors/<code>), in its error JSON shape.
export const twilioErrors = {
  authenticate: { status: 401, code: 20003, message: 'Authenticate' },
  invalidTo: { status: 400, code: 21211, message: "Invalid 'To' Phone Number" },
  bodyRequired: { status: 400, code: 21602, message: 'Message body is required.' },
  unsubscribed: { status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' },
  outsideWindow: {
    status: 400,
    code: 63016,
    message:
      'Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template.',
  },
  throttled: { status: 429, code: 20429, message: 'Too Many Requests' },
  internal: { status: 500, code: 20500, message: 'Internal Server Error' },
} satisfies Record<string, TwilioErrorAnswer>

const e164 = /^\+[1-9]\d{6,14}$/
const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000')
const sidOf = (prefix: string) => prefix + randomBytes(16).toString('hex')

export type FakeTwilio = Awaited<ReturnType<typeof startFakeTwilio>>

export async function startFakeTwilio(opts: FakeTwilioOptions = {}) {
  const accountSid = opts.accountSid ?? `AC${'a'.repeat(32)}`
  const authToken = opts.authToken ?? 'f4ce7a11f4ce7a11f4ce7a11f4ce7a11'
  const requests: FakeRequest[] = []
  const callbacks: PostedCallback[] = []
  const unsubscribed = new Set<string>()
  const plans = new Map<string, CallbackPlan>()
  const queuedErrors: TwilioErrorAnswer[] = []
  const media = new Map<string, { bytes: Buffer; contentType: string }>()
  const inFlight = new Set<Promise<void>>()
  let postCallbacks = opts.callbacks ?? true

  const server = createServer((req, res) => {
    void handle(req, res).catch((err) => {
      res.statusCode = 500
      res.end(String(err))
    })
  })
  server.keepAliveTimeout = 60_000

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const at = performance.timeOrigin + performance.now()
    const path = (req.url ?? '/').split('?')[0]!
    if (req.method === 'GET' && path.startsWith('/media/')) {
      const m = media.get(path.slice('/media/'.length))
      if (!m) return json(res, 404, { code: 20404, message: 'The requested resource was not found', status: 404 })
      res.writeHead(200, { 'content-type': m.contentType, 'content-length': m.bytes.length })
      res.end(m.bytes)
      return
    }
    const create = path === `/2010-04-01/Accounts/${accountSid}/Messages.json`
    if (req.method !== 'POST' || !create)
      return json(res, 404, { code: 20404, message: `The requested resource ${path} was not found`, status: 404 })
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
    const form = Object.fromEntries(params)
    const mediaUrls = params.getAll('MediaUrl')
    const record = (status: number, sid: string | null, errorCode: number | null) =>
      requests.push({ at, form, mediaUrls, status, sid, errorCode })

    const refuse = (e: TwilioErrorAnswer) => {
      record(e.status, null, e.code)
      json(res, e.status, { code: e.code, message: e.message, more_info: moreInfo(e.code), status: e.status })
    }
    if (req.headers.authorization !== `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`)
      return refuse(twilioErrors.authenticate)
    const queued = queuedErrors.shift()
    if (queued) return refuse(queued)
    const to = form.To ?? ''
    const channel = to.startsWith('whatsapp:') ? 'whatsapp' : 'sms'
    if (!e164.test(to.replace(/^whatsapp:/, ''))) return refuse(twilioErrors.invalidTo)
    if (!form.Body && !mediaUrls.length && !form.ContentSid) return refuse(twilioErrors.bodyRequired)
    if (unsubscribed.has(to)) return refuse(twilioErrors.unsubscribed)

    const sid = sidOf(mediaUrls.length ? 'MM' : 'SM')
    const now = new Date()
    const body = form.Body ?? ''
    record(201, sid, null)
    // The shape of twilio-node's "create_with_queued_status" fixture (fixtures/message-create-queued.json).
    json(res, 201, {
      account_sid: accountSid,
      api_version: '2010-04-01',
      body,
      date_created: rfc2822(now),
      date_sent: null,
      date_updated: rfc2822(now),
      direction: 'outbound-api',
      error_code: null,
      error_message: null,
      from: form.From ?? null,
      messaging_service_sid: form.MessagingServiceSid ?? null,
      num_media: String(mediaUrls.length),
      num_segments: String(channel === 'sms' ? smsSegments(body).segments : 1),
      price: null,
      price_unit: null,
      sid,
      status: 'queued',
      subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
      to,
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
    })
    if (postCallbacks && form.StatusCallback) track(sendCallbacks(form.StatusCallback, sid, form))
  }

  // Twilio posts no callback for a message's initial status (queued); then sent, then the final one.
  async function sendCallbacks(url: string, sid: string, form: Record<string, string>) {
    const plan = plans.get(form.To!) ?? {}
    const outcome = plan.outcome ?? 'delivered'
    const finals: string[] = outcome === 'read' ? ['delivered', 'read'] : [outcome]
    const order = plan.outOfOrder ? [...finals, 'sent'] : ['sent', ...finals]
    for (const status of order) {
      const fields = statusCallbackFields(sid, status, form, plan.errorCode)
      for (let i = 0; i < (plan.duplicates ? 2 : 1); i++) await postSigned(url, fields)
    }
  }

  function statusCallbackFields(
    sid: string,
    status: string,
    form: Record<string, string>,
    errorCode?: number,
  ): Record<string, string> {
    // Twilio's documented status callback parameters (fixtures/README.md).
    const fields: Record<string, string> = {
      AccountSid: accountSid,
      ApiVersion: '2010-04-01',
      From: form.From ?? '',
      MessageSid: sid,
      MessageStatus: status,
      SmsSid: sid,
      SmsStatus: status,
      To: form.To ?? '',
    }
    if ((status === 'failed' || status === 'undelivered') && errorCode) fields.ErrorCode = String(errorCode)
    return fields
  }

  async function postSigned(url: string, fields: Record<string, string>): Promise<{ status: number; body: string }> {
    const signature = twilioSignature(authToken, url, fields)
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
          'x-twilio-signature': signature,
          'user-agent': 'TwilioProxy/1.1',
        },
        body: new URLSearchParams(fields),
        signal: AbortSignal.timeout(15_000),
      })
      const body = await res.text()
      callbacks.push({ url, form: fields, status: res.status })
      return { status: res.status, body }
    } catch {
      callbacks.push({ url, form: fields, status: 0 })
      return { status: 0, body: '' }
    }
  }

  function track(p: Promise<unknown>) {
    const done = p.then(
      () => undefined,
      () => undefined,
    )
    inFlight.add(done)
    void done.then(() => inFlight.delete(done))
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  return {
    /** The API base to give the client (TWILIO_API_URL / a connection's api_base). */
    url,
    accountSid,
    authToken,
    /** Every Messages create request, in arrival order. */
    requests,
    /** Every status callback or inbound webhook posted, with the answer it got (0: no answer). */
    callbacks,
    /** Sends to these To addresses (+E.164 or whatsapp:+E.164) answer 21610. */
    unsubscribe: (...to: string[]) => {
      for (const t of to) unsubscribed.add(t)
    },
    /** The next requests answer these Twilio errors, in turn (e.g. twilioErrors.throttled, twilioErrors.internal). */
    failNext: (...errors: TwilioErrorAnswer[]) => queuedErrors.push(...errors),
    /** How the status callbacks of messages to this address go. */
    plan: (to: string, plan: CallbackPlan) => plans.set(to, plan),
    setCallbacks: (on: boolean) => {
      postCallbacks = on
    },
    /** Bytes served at a MediaUrl (GET, no auth), as Twilio's media URLs serve an inbound message's media. */
    serveMedia(bytes: Buffer, contentType: string): string {
      const id = `ME${randomBytes(16).toString('hex')}`
      media.set(id, { bytes, contentType })
      return `${url}/media/${id}`
    },
    /**
     * Posts a signed inbound message to `webhookUrl` as Twilio's incoming message webhook does: From and To
     * (whatsapp:-prefixed for WhatsApp), Body, media as MediaUrl{N}/MediaContentType{N}, plus `extra` fields.
     */
    async postInbound(
      webhookUrl: string,
      m: {
        from: string
        to: string
        body: string
        media?: { url: string; contentType: string }[]
        profileName?: string
        extra?: Record<string, string>
      },
    ): Promise<{ status: number; body: string; sid: string }> {
      const sid = sidOf(m.media?.length ? 'MM' : 'SM')
      const fields: Record<string, string> = {
        ToCountry: 'US',
        SmsMessageSid: sid,
        NumMedia: String(m.media?.length ?? 0),
        SmsSid: sid,
        SmsStatus: 'received',
        Body: m.body,
        To: m.to,
        NumSegments: '1',
        MessageSid: sid,
        AccountSid: accountSid,
        From: m.from,
        ApiVersion: '2010-04-01',
      }
      for (const [i, item] of (m.media ?? []).entries()) {
        fields[`MediaUrl${i}`] = item.url
        fields[`MediaContentType${i}`] = item.contentType
      }
      if (m.from.startsWith('whatsapp:')) {
        fields.WaId = m.from.slice('whatsapp:+'.length)
        if (m.profileName) fields.ProfileName = m.profileName
      }
      Object.assign(fields, m.extra)
      return { ...(await postSigned(webhookUrl, fields)), sid }
    },
    /** Posts one signed status callback by hand (a late duplicate, a forged order). */
    postStatus: (callbackUrl: string, sid: string, status: string, form: Record<string, string>, errorCode?: number) =>
      postSigned(callbackUrl, statusCallbackFields(sid, status, form, errorCode)),
    /** Resolves once every status callback started so far has been answered. */
    async settled(): Promise<void> {
      while (inFlight.size) await Promise.all([...inFlight])
    },
    async close(): Promise<void> {
      await this.settled()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A Twilio connection's input for a fake's account (POST /integrations/connections, createConnection). */
export const fakeConnection = (
  fake: { accountSid: string; url: string; authToken: string },
  senders: { address: string; channels: ('sms' | 'whatsapp')[]; per_second?: number }[],
) => ({
  source: 'messaging' as const,
  provider: 'twilio',
  name: 'Twilio',
  settings: { account_sid: fake.accountSid, api_base: fake.url, senders },
  secret: fake.authToken,
})

const moreInfo = (code: number) => `https://www.twilio.com/docs/errors/${code}`

function json(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}
