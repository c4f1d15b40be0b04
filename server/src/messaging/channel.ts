import type { Drain } from '../modules.js'
import type { MessageChannel } from './tables.js'

// An outbound channel: the messages of its channels are recorded `queued` on their case (recordMessage) and its
// drain sends them, with the same queue semantics on every channel: claimed in batches with FOR UPDATE SKIP
// LOCKED, marked `sending` under the run's sender key (committed before anything leaves), settled to sent, failed
// or queued again after a backoff, and a message found `sending` under a dead run failed as interrupted, never
// sent twice. Each drain claims only its own channels. Email: email/send-email.ts; SMS and WhatsApp:
// phone/send-phone.ts (Twilio).
export type OutboundChannel = {
  channels: readonly MessageChannel[]
  drain: Drain
}

/** What a provider said of one message. */
export type SendOutcome =
  | { outcome: 'accepted'; providerId: string }
  /** Refused for good (the reason is the provider's); `code` the provider's error code. */
  | { outcome: 'permanent'; reason: string; code: number | null }
  /** Refused for now: due again after a backoff. */
  | { outcome: 'temporary'; reason: string; code?: number | null }
  /** It may have been sent: failed as interrupted, never sent again automatically. */
  | { outcome: 'unknown'; reason: string; code?: number | null }
