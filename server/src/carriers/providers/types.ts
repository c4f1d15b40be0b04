import type { InboxProvider, WebhookRequest } from '../../integrations/providers.js'
import type { Normalized, TrackingStatus } from '../model.js'

/** One row of a provider's documented mapping table (docs/carriers/<provider>.md lists them all). */
export type StatusTableRow = {
  provider_status: string
  provider_sub_status: string | null
  status: TrackingStatus
  note?: string
}

/**
 * A carrier or tracking-aggregator source. `verify` follows the provider's own signing scheme and
 * throws 401 `signature_invalid`; `normalize` reads one parsed payload (a webhook body, or later a
 * tracking-API response) into the tracking model, throwing MalformedPayload for one it can never read.
 */
export type CarrierProvider = {
  provider: string
  label: string
  verify(input: WebhookRequest & { secrets: string[]; now: Date }): void
  /** The provider's event id, or a hash of the body when it has none. */
  dedupKey(input: WebhookRequest): string
  normalize(payload: unknown): Normalized
  statusTable: StatusTableRow[]
  secrets?: InboxProvider['secrets']
}
