import { AppError } from '../../errors.js'
import { parseTwilioAddress } from './types.js'
import type { TwilioParams } from './signature.js'

// A Twilio webhook's parameters: Twilio posts application/x-www-form-urlencoded (twilio.com/docs/messaging/guides/
// webhook-request), an inbound message or a status callback of one we sent.

export function parseTwilioForm(body: Buffer, contentType: string | undefined): TwilioParams {
  const type = contentType?.split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/x-www-form-urlencoded')
    throw new AppError('payload_invalid', 'Expected an application/x-www-form-urlencoded body, as Twilio posts')
  const params: TwilioParams = {}
  for (const [name, value] of new URLSearchParams(body.toString('utf8'))) {
    // PostgreSQL text holds no NUL character.
    if (name.includes('\0') || value.includes('\0'))
      throw new AppError('payload_invalid', 'A form field holds a NUL character, which cannot be stored')
    const had = params[name]
    params[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value]
  }
  return params
}

/** One parameter's value (the last, when repeated); '' when absent. */
export const param = (p: TwilioParams, name: string): string => {
  const v = p[name]
  return (Array.isArray(v) ? v[v.length - 1] : v) ?? ''
}

// Twilio's SIDs: two letters and 32 hex digits (SM…, MM… for messages); kept loose on the letters.
const sidPattern = /^[A-Z]{2}[0-9a-f]{32}$/i
const e164 = /^\+[1-9]\d{6,14}$/

/**
 * Statuses of an outbound message as status callbacks report them (twilio.com/docs/messaging/api/message-resource
 * #message-status-values); an inbound message's own (receiving, received) mark an incoming-message webhook.
 */
export type TwilioRequest =
  | { kind: 'status'; sid: string; status: string; params: TwilioParams }
  | { kind: 'inbound'; sid: string; params: TwilioParams }

/** What the request is, refusing (400) what can never be processed: no MessageSid, an inbound one without a From. */
export function classifyTwilioRequest(params: TwilioParams): TwilioRequest {
  const sid = param(params, 'MessageSid') || param(params, 'SmsSid')
  if (!sidPattern.test(sid)) throw new AppError('payload_invalid', 'The request carries no MessageSid')
  const status = param(params, 'MessageStatus') || param(params, 'SmsStatus')
  if (status && status !== 'received' && status !== 'receiving')
    return { kind: 'status', sid, status: status.toLowerCase(), params }
  const from = param(params, 'From')
  if (!e164.test(parseTwilioAddress(from).phone))
    throw new AppError('payload_invalid', 'An inbound message needs a From phone number in E.164', { field: 'From' })
  return { kind: 'inbound', sid, params }
}
