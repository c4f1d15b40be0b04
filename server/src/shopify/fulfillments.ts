import type { ShipmentStatus } from '../shipments/types.js'
import { upsertShipment, type ShipmentInput } from '../shipments/service.js'
import { optionalInstant, requireId, source, type ShopifyWrite } from './fields.js'
import type { ShopifyFulfillment } from './payloads.js'

// Fulfillment `shipment_status` (REST Fulfillment; the GraphQL FulfillmentEventStatus values in
// lower case). Values not listed, and null, leave a live fulfillment at `shipped`.
const shipmentStatuses: Record<string, ShipmentStatus> = {
  label_printed: 'shipped',
  label_purchased: 'shipped',
  confirmed: 'shipped',
  carrier_picked_up: 'in_transit',
  in_transit: 'in_transit',
  out_for_delivery: 'in_transit',
  attempted_delivery: 'in_transit',
  ready_for_pickup: 'in_transit',
  delayed: 'in_transit',
  delivered: 'delivered',
  picked_up: 'delivered',
  failure: 'exception',
}

function shipmentStatusOf(f: ShopifyFulfillment): ShipmentStatus {
  if (f.status === 'cancelled') return 'cancelled'
  return shipmentStatuses[f.shipment_status ?? ''] ?? 'shipped'
}

/**
 * fulfillments/create and fulfillments/update. A fulfillment that arrives before its order throws
 * (order_not_found), so the inbox retries it with backoff until orders/create has been processed.
 */
export async function syncFulfillment(w: ShopifyWrite, f: ShopifyFulfillment): Promise<'processed' | 'ignored'> {
  const input = toShipmentInput(f)
  const { outcome } = await upsertShipment(w.trx, w, input, w.now)
  return outcome === 'stale' ? 'ignored' : 'processed'
}

function toShipmentInput(f: ShopifyFulfillment): ShipmentInput {
  return {
    source,
    externalId: requireId(f.id, 'fulfillment id'),
    orderExternalId: requireId(f.order_id, 'fulfillment order_id'),
    carrier: f.tracking_company ?? null,
    service: f.service ?? null,
    trackingNumber: f.tracking_number ?? f.tracking_numbers?.[0] ?? null,
    trackingUrl: f.tracking_url ?? f.tracking_urls?.[0] ?? null,
    status: shipmentStatusOf(f),
    shippedAt: optionalInstant(f.created_at, 'fulfillment created_at'),
    destinationCountry: f.destination?.country_code ?? null,
    lines: (f.line_items ?? []).map((l) => ({
      externalId: requireId(l.id, 'fulfillment line id'),
      quantity: l.quantity ?? 1,
    })),
    sourceUpdatedAt: optionalInstant(f.updated_at, 'fulfillment updated_at'),
  }
}
