import type { Address } from '../tables.js'

/** An attachment as received: its bytes, or none when the provider posted only its name (refused below). */
export type InboundAttachment = {
  fileName: string
  contentType: string
  sizeBytes: number
  content: Buffer | null
  contentId?: string
}

/**
 * One inbound email, whichever way it came (our SMTP listener, or a provider's inbound-parse webhook):
 * what threading, robot detection and recording need, and nothing provider-specific.
 */
export type InboundEmail = {
  /** The addresses it was delivered to: the SMTP envelope, or the provider's recipient fields and To/Cc. */
  recipients: string[]
  /** The envelope sender (Return-Path); '' for the null sender of bounces and auto-replies; null when unknown. */
  envelopeFrom: string | null
  from: Address | null
  to: Address[]
  cc: Address[]
  subject: string
  text: string
  html: string | null
  /** Without angle brackets. */
  messageId: string | null
  inReplyTo: string | null
  references: string[]
  /** Lower-cased header names; repeated headers joined with ", ". */
  headers: Record<string, string>
  attachments: InboundAttachment[]
  /** The whole message as received, when the source carried it (SMTP, raw-mode webhooks). */
  raw: Buffer | null
  /** Why the MIME could not be read fully, when it could not (the message is still recorded). */
  malformed: string | null
  /** content-type of the top-level part, lower-cased, with its report-type, e.g. multipart/report; delivery-status. */
  reportType: string | null
}
