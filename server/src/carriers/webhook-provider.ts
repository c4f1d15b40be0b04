import type { InboxProvider } from '../integrations/providers.js'
import type { CarrierProvider } from './providers/types.js'
import { normalizeBody, recordTracking } from './service.js'

/** Makes a carrier provider an inbox provider: verified, stored, then normalised and recorded by the worker. */
export function webhookProvider(p: CarrierProvider): InboxProvider {
  return {
    source: 'carriers',
    provider: p.provider,
    verify(input) {
      p.verify(input)
      // After the signature, so unsigned callers learn nothing; a body we could never read is a 400 now, not a dead letter later.
      normalizeBody(p, input.rawBody)
    },
    dedupKey: p.dedupKey,
    async process(trx, delivery, ctx, now) {
      const normalized = normalizeBody(p, delivery.body)
      if (normalized.kind === 'ignored') return 'ignored'
      for (const t of normalized.shipments) {
        await recordTracking(
          trx,
          { merchantId: delivery.merchantId, provider: p.provider, deliveryId: delivery.id, blobs: ctx.blobs },
          t,
          now,
        )
      }
      return 'processed'
    },
    secrets: p.secrets,
  }
}
