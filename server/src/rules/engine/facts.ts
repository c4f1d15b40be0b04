import { getCase } from '../../cases/service.js'
import type { Db } from '../../db/owned.js'
import type { DomainEvent } from '../../jobs/events.js'
import type { Facts } from '../types.js'

// Stand-in until the facts builder lands.
export type FactsInput = { event: DomainEvent | null; caseId: string | null; shipmentId: string | null; now: Date }

export async function buildFacts(db: Db, merchantId: string, input: FactsInput): Promise<Facts> {
  const c = input.caseId ? await getCase(db, merchantId, input.caseId) : null
  const d = (input.event?.data ?? {}) as Record<string, unknown>
  return {
    event: input.event?.type ?? 'clock',
    carrier_event: (d.status as string) ?? null,
    carrier_sub_status: null,
    carrier: (d.carrier as string) ?? c?.carrier_code ?? null,
    service: null,
    value: null,
    order_value: null,
    customer_segment: null,
    case_type: c?.case_type ?? null,
    priority: c?.priority ?? null,
    status: c?.status ?? null,
    source: c?.source ?? null,
    tags: c?.tags ?? [],
    sla_elapsed: null,
    sla_remaining: null,
    first_response_elapsed: null,
    first_response_remaining: null,
    product_category: null,
    sku: null,
    fulfilment_centre: null,
    destination_country: null,
    channel: c?.channel ?? null,
    evidence_count: null,
    time_since_carrier_update: null,
    message_text: null,
    connection_status: null,
    connection_provider: null,
  }
}

/** The cases an event acts on. */
export async function caseIdsFor(_db: Db, _merchantId: string, event: DomainEvent): Promise<string[]> {
  const d = event.data as { case_id?: string }
  return d.case_id ? [d.case_id] : []
}
