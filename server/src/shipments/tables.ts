import type { ColumnType, Generated } from 'kysely'

type Instant = ColumnType<Date, Date, Date>

export const shipmentStatuses = [
  'pending',
  'shipped',
  'in_transit',
  'delivered',
  'exception',
  'returned',
  'cancelled',
] as const
export type ShipmentStatus = (typeof shipmentStatuses)[number]

export interface ShipmentTables {
  shipments: {
    merchant_id: string
    id: string
    order_id: string
    source: string
    external_id: string
    carrier_code: string | null
    carrier_name: string | null
    service: string | null
    tracking_number: string | null
    tracking_url: string | null
    fulfilment_centre: string | null
    status: Generated<ShipmentStatus>
    shipped_at: Instant | null
    declared_value_amount_minor: number | null
    declared_value_currency: string | null
    destination_country: string | null
    promised_delivery_on: string | null
    estimated_delivery_on: string | null
    delivered_at: Instant | null
    source_updated_at: Instant | null
    tracking_status: string | null
    tracking_sub_status: string | null
    tracking_status_at: Instant | null
    tracking_confidence: 'high' | 'low' | null
    last_tracking_event_at: Instant | null
    estimated_delivery_at: Instant | null
    stale_since: Instant | null
    late_since: Instant | null
    created_at: Instant
    updated_at: Instant
  }
  shipment_lines: { merchant_id: string; shipment_id: string; order_line_id: string; quantity: number }
}
