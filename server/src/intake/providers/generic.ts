import { enqueueEvent } from '../../jobs/outbox.js'
import { parseWebhookJson } from '../payload.js'
import type { InboxProvider } from '../../integrations/providers.js'
import { inboxSources } from '../../integrations/types.js'
import { generateSecret, secretProblem, verifyStandardWebhook } from './standard-webhooks.js'

/**
 * Any sender that signs the Standard Webhooks way. Its payloads must be JSON (the spec's
 * recommendation; `type` names the event). Processing only announces the delivery; the carrier
 * and other modules replace this with their own normalising providers.
 */
const generic: Omit<InboxProvider, 'source'> = {
  provider: 'generic',
  verify(input) {
    verifyStandardWebhook(input)
    // Checked after the signature, so unsigned callers learn nothing about what we accept.
    parseWebhookJson(input.rawBody)
  },
  dedupKey: (input) => input.headers['webhook-id']!,
  async process(trx, delivery, _ctx, now) {
    const payload = parseWebhookJson(delivery.body) as { type?: unknown } | null
    await enqueueEvent(trx, {
      merchant_id: delivery.merchantId,
      type: 'webhook.received',
      subject_id: delivery.id,
      occurred_at: now,
      data: {
        delivery_id: delivery.id,
        connection_id: delivery.connectionId,
        source: delivery.source,
        provider: delivery.provider,
        webhook_id: delivery.dedupKey,
        event_type: typeof payload?.type === 'string' ? payload.type : null,
      },
    })
    return 'processed'
  },
  secrets: { generate: generateSecret, problem: secretProblem },
}

// Carriers have their own generic provider, which normalises the payload (carriers/providers/generic.ts).
export const genericProviders: InboxProvider[] = inboxSources
  .filter((source) => source !== 'carriers')
  .map((source) => ({ ...generic, source }))
