import { headerParam, parseHeaderBlock, splitMultipart } from './multipart.js'
import type { InboundEmail } from './types.js'

/** More inbound emails than this from one address within an hour: the rest are treated as a loop. */
export const rateLimitPerHour = 20

/**
 * Why this email must never be answered automatically (RFC 3834 and the usual loop guards), or null for a
 * person's email. Classify a delivery report (bounce) before this: bounces are robots too.
 */
export function robotReason(email: InboundEmail): string | null {
  const h = email.headers
  const autoSubmitted = h['auto-submitted']?.split(';')[0]?.trim().toLowerCase()
  if (autoSubmitted && autoSubmitted !== 'no') return 'auto_submitted'
  if (/^(bulk|junk|list)$/i.test(h.precedence?.trim() ?? '')) return 'bulk'
  if (h['x-autoreply'] !== undefined || h['x-autorespond'] !== undefined) return 'auto_reply'
  const sender = email.from?.address.split('@')[0]?.toLowerCase()
  if (sender === 'mailer-daemon' || sender === 'postmaster') return 'mailer_daemon'
  // The null sender (MAIL FROM:<> or Return-Path: <>) is reserved for notifications: RFC 5321 §4.5.5.
  const returnPath = email.envelopeFrom ?? h['return-path']?.trim() ?? null
  if (returnPath !== null && /^<?\s*>?$/.test(returnPath)) return 'null_sender'
  // Exchange's automatic replies carry none of the above, only this header and subject prefix.
  if (
    h['x-auto-response-suppress'] !== undefined &&
    /^(automatic reply|auto(matische)? ?(reply|antwort)|out of office)\b/i.test(email.subject)
  )
    return 'auto_reply'
  if (h['list-id'] !== undefined || h['list-unsubscribe'] !== undefined) return 'bulk'
  return null
}

export type DeliveryReport = {
  /** The Message-ID of the message that failed (without angle brackets), when the report says. */
  originalMessageId: string | null
  recipients: { address: string; action: string; status: string; diagnostic: string }[]
}

const bare = (id: string) => id.trim().replace(/^<|>$/g, '')

/**
 * An RFC 3464 delivery status notification (multipart/report; report-type=delivery-status): the failed
 * recipients (Action failed; delayed ones are only warnings) and the original's Message-ID, from the report's
 * Original-Message-ID field or else the returned message's (or headers') own Message-ID. Null when not a DSN.
 */
export function parseDeliveryReport(email: InboundEmail): DeliveryReport | null {
  if (email.reportType !== 'multipart/report; delivery-status' || !email.raw) return null
  const boundary = headerParam(email.headers['content-type'], 'boundary')
  if (!boundary) return null
  let originalMessageId: string | null = null
  const recipients: DeliveryReport['recipients'] = []
  let returnedId: string | null = null
  for (const part of splitMultipart(email.raw, boundary)) {
    const type = part.headers['content-type']?.split(';')[0]?.trim().toLowerCase()
    if (type === 'message/delivery-status') {
      // Per-message fields, then one block of fields per recipient, separated by blank lines.
      for (const block of part.body.toString('utf8').split(/\r?\n\s*\r?\n/)) {
        const f = parseHeaderBlock(block)
        if (f['original-message-id']) originalMessageId = bare(f['original-message-id'])
        const recipient = f['final-recipient'] ?? f['original-recipient']
        if (!recipient) continue
        recipients.push({
          address: recipient.replace(/^[^;]*;\s*/, '').trim(),
          action: (f.action ?? '').trim().toLowerCase(),
          // A comment in parentheses ("5.0.0 (permanent failure)") is not part of the code.
          status: (f.status ?? '').replace(/\([^)]*\)/g, '').trim(),
          diagnostic: (f['diagnostic-code'] ?? f.status ?? '').replace(/^[^;]*;\s*/, '').trim(),
        })
      }
    } else if (type === 'message/rfc822' || type === 'text/rfc822-headers') {
      const text = part.body.toString('utf8')
      const end = text.search(/\r?\n\r?\n/)
      const id = parseHeaderBlock(end < 0 ? text : text.slice(0, end))['message-id']
      if (id) returnedId = bare(id)
    }
  }
  return {
    originalMessageId: originalMessageId ?? returnedId,
    recipients: recipients.filter((r) => r.action === 'failed'),
  }
}
