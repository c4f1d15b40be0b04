import type { InboxProvider, WebhookRequest } from '../../integrations/providers.js'
import { invalid } from '../inbound/auth.js'
import { parseTwilioSettings } from './connection.js'
import { processInboundPhone } from './inbound.js'
import { classifyTwilioRequest, parseTwilioForm } from './params.js'
import { twilioRequestValid } from './signature.js'
import { applyStatusCallback } from './status.js'

// Twilio's webhooks as an inbox provider, at /webhooks/messaging/twilio/{connection id}: inbound SMS and WhatsApp
// messages (the number's or Messaging Service's incoming-message URL) and status callbacks of the messages we sent
// (their StatusCallback URL). Each is verified by X-Twilio-Signature against the connection's auth token(s), stored,
// acknowledged with empty TwiML (no auto-reply), and processed by the inbox drain.

const requestOf = (input: WebhookRequest) =>
  classifyTwilioRequest(parseTwilioForm(input.rawBody, input.headers['content-type']))

// An account's auth token: 32 hexadecimal characters (the console's, and the REST API's auth_token).
const authTokenPattern = /^[0-9a-f]{32}$/i

export const twilioProvider: InboxProvider = {
  source: 'messaging',
  provider: 'twilio',
  verify(input) {
    const params = parseTwilioForm(input.rawBody, input.headers['content-type'])
    const signature = input.headers['x-twilio-signature']
    if (!signature) throw invalid('The request carries no X-Twilio-Signature')
    if (!input.url) throw invalid('Twilio signs the URL it requested, and this delivery came without one')
    // Every secret is checked, so the time taken does not tell which matched.
    let ok = false
    for (const token of input.secrets) ok = twilioRequestValid(token, input.url, params, signature) || ok
    if (!ok) throw invalid('The signature matches no live auth token of this connection over this URL')
    classifyTwilioRequest(params)
  },
  // An inbound message once; each status of a message once (a repeated callback is stored once, a new status is new).
  dedupKey(input) {
    const request = requestOf(input)
    return request.kind === 'status' ? `${request.sid}:${request.status}` : request.sid
  },
  acknowledge: () => ({
    contentType: 'text/xml',
    body: '<?xml version="1.0" encoding="UTF-8"?><Response></Response>',
  }),
  // Checked as a send reads them, and strictly: a misspelt key would otherwise be dropped without a word.
  settings: (raw) => parseTwilioSettings(raw, { at: 'body/settings', strict: true }),
  secrets: {
    problem: (s) => (authTokenPattern.test(s) ? null : 'must be the account’s auth token: 32 hexadecimal characters'),
  },
  async process(trx, delivery, ctx, now) {
    // Erased (a customer's erasure reached it): nothing is left to record.
    if (!delivery.body.length) return 'ignored'
    const request = requestOf({ headers: delivery.headers, rawBody: delivery.body })
    return request.kind === 'status'
      ? applyStatusCallback(trx, delivery.merchantId, request, delivery.receivedAt, now)
      : processInboundPhone(trx, ctx, delivery, request, now)
  },
}
