// Twilio's Messages API over fetch, as documented (https://www.twilio.com/docs/messaging/api/message-resource):
// POST {apiBase}/2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded, HTTP Basic with the account SID and
// auth token. Not the official `twilio` package: it sends through its own axios-based RequestClient to
// api.twilio.com (a local fake needs a replacement HTTP client), and it is large for the one call used here.
// Nothing here logs: the auth token travels only in the Authorization header, and errors never carry it.

export const defaultApiBase = 'https://api.twilio.com'
const defaultTimeoutMs = 15_000

export type TwilioCredentials = { accountSid: string; authToken: string; apiBase?: string; timeoutMs?: number }

/** The Messages create parameters Claimdesk sends. */
export type CreateMessage = {
  to: string
  /** A sender address (+E.164, a short code or whatsapp:+E.164), or a Messaging Service instead. */
  from?: string
  messagingServiceSid?: string
  body?: string
  mediaUrls?: string[]
  /** A content template (WhatsApp outside the 24-hour window) and its numbered variables. */
  contentSid?: string
  contentVariables?: Record<string, string>
  statusCallback?: string
}

/** The Message resource as Twilio answers (the fields Claimdesk reads; see fixtures/README.md). */
export type TwilioMessage = {
  sid: string
  status: string
  to: string
  from: string | null
  num_segments: string
  error_code: number | null
  error_message: string | null
}

/**
 * permanent: the same request will never succeed (the recipient unsubscribed, a bad number, outside WhatsApp's
 * window, …); retryable: Twilio did not take it (throttled: 429 / 20429, Twilio's 5xx, no connection made);
 * unknown: the request may have reached Twilio (a timeout or a connection cut after sending) — Twilio has no
 * idempotency key, so sending it again could send it twice.
 */
export type TwilioErrorKind = 'permanent' | 'retryable' | 'unknown'

/** Twilio's error codes that mean "this recipient refuses this sender": the customer opted out (STOP). */
export const unsubscribedCode = 21610
const retryableCodes = new Set([20429, 20500, 20503])

export class TwilioError extends Error {
  constructor(
    readonly kind: TwilioErrorKind,
    /** Twilio's error code (null: no Twilio answer, e.g. a timeout). */
    readonly code: number | null,
    message: string,
    /** The HTTP status (null without an answer). */
    readonly status: number | null,
    readonly moreInfo: string | null = null,
  ) {
    super(message)
    this.name = 'TwilioError'
  }

  /** One line for a message's status_reason. */
  get reason(): string {
    return `twilio${this.code ? ` ${this.code}` : ''}${this.status ? ` (HTTP ${this.status})` : ''}: ${this.message}`
  }
}

/** How Twilio's error JSON (`code`, `message`, `more_info`, `status`) classifies. */
export function twilioErrorOf(status: number, body: unknown): TwilioError {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>
  const code = typeof b.code === 'number' ? b.code : null
  const message = typeof b.message === 'string' ? b.message.slice(0, 500) : `HTTP ${status}`
  const moreInfo = typeof b.more_info === 'string' ? b.more_info : null
  const retryable = status === 429 || status >= 500 || (code !== null && retryableCodes.has(code))
  return new TwilioError(retryable ? 'retryable' : 'permanent', code, message, status, moreInfo)
}

// Failures before a connection exists: nothing reached Twilio.
const notConnected = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])

function transportError(e: Error & { cause?: { code?: string } }, timeoutMs: number): TwilioError {
  if (e.name === 'TimeoutError') return new TwilioError('unknown', null, `no answer within ${timeoutMs} ms`, null)
  const code = e.cause?.code
  const what = `${e.message}${code ? ` (${code})` : ''}`
  return new TwilioError(code && notConnected.has(code) ? 'retryable' : 'unknown', null, what, null)
}

export function messageForm(m: CreateMessage): URLSearchParams {
  const form = new URLSearchParams()
  form.set('To', m.to)
  if (m.from) form.set('From', m.from)
  if (m.messagingServiceSid) form.set('MessagingServiceSid', m.messagingServiceSid)
  if (m.body !== undefined && !m.contentSid) form.set('Body', m.body)
  for (const url of m.mediaUrls ?? []) form.append('MediaUrl', url)
  if (m.contentSid) form.set('ContentSid', m.contentSid)
  if (m.contentSid && m.contentVariables) form.set('ContentVariables', JSON.stringify(m.contentVariables))
  if (m.statusCallback) form.set('StatusCallback', m.statusCallback)
  return form
}

export type TwilioClient = { createMessage(m: CreateMessage): Promise<TwilioMessage> }

export function twilioClient(creds: TwilioCredentials): TwilioClient {
  const base = (creds.apiBase ?? defaultApiBase).replace(/\/+$/, '')
  const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(creds.accountSid)}/Messages.json`
  const authorization = `Basic ${Buffer.from(`${creds.accountSid}:${creds.authToken}`).toString('base64')}`
  const timeoutMs = creds.timeoutMs ?? defaultTimeoutMs
  return {
    async createMessage(m) {
      let res: Response
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: {
            authorization,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
          },
          body: messageForm(m),
          signal: AbortSignal.timeout(timeoutMs),
        })
      } catch (err) {
        throw transportError(err as Error & { cause?: { code?: string } }, timeoutMs)
      }
      const text = await res.text()
      let body: unknown = null
      try {
        body = text ? JSON.parse(text) : null
      } catch {
        body = null
      }
      if (!res.ok) throw twilioErrorOf(res.status, body)
      const msg = body as TwilioMessage | null
      if (!msg || typeof msg.sid !== 'string')
        throw new TwilioError('retryable', null, 'Twilio answered without a message sid', res.status)
      return msg
    },
  }
}
