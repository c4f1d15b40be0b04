import type { InboxProvider } from '../../integrations/providers.js'

// The 'messaging/twilio' connection kind, so a Twilio account can be a connection (its auth token the secret).
// Only the secret rules live here for now: verifying X-Twilio-Signature and processing status callbacks and
// inbound messages are the receive side's (merged with this entry).

export const twilioProvider: InboxProvider = {
  source: 'messaging',
  provider: 'twilio',
  verify() {
    throw new Error('not implemented: Twilio webhooks are verified by the receive side')
  },
  dedupKey() {
    throw new Error('not implemented: Twilio webhooks are verified by the receive side')
  },
  secrets: {
    // The account's auth token, as Twilio shows it (32 hex digits; a test token may differ): never generated here.
    problem: (secret) =>
      /^\S{16,128}$/.test(secret) ? null : 'must be the account auth token (16 to 128 characters, no spaces)',
  },
}
