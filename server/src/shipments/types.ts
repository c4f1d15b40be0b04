import type { WireMoney } from '../money.js'
import type { ShipmentStatus } from './tables.js'
export type { ShipmentStatus } from './tables.js'

export type Shipment = {
  id: string
  order_id: string
  source: string
  external_id: string
  carrier: { code: string | null; name: string | null; known: boolean }
  service: string | null
  tracking_number: string | null
  tracking_url: string | null
  fulfilment_centre: string | null
  status: ShipmentStatus
  shipped_at: Date | null
  declared_value: WireMoney | null
  destination_country: string | null
  promised_delivery_on: string | null
  estimated_delivery_on: string | null
  delivered_at: Date | null
  lines: { order_line_id: string; quantity: number }[]
  created_at: Date
  updated_at: Date
  /** What the carriers say, kept by the carriers module: canonical status, when, and the last scan */
  tracking: { status: string | null; sub_status: string | null; status_at: Date | null; last_event_at: Date | null }
}

export type ShipmentLineInput = { orderLineId?: string; position?: number; externalId?: string; quantity: number }
export type ShipmentInput = {
  source: string
  externalId: string
  /** The order by our id, or by its id at the same source. */
  orderId?: string
  orderExternalId?: string
  carrier?: string | null
  service?: string | null
  trackingNumber?: string | null
  trackingUrl?: string | null
  fulfilmentCentre?: string | null
  status?: ShipmentStatus
  shippedAt?: Date | null
  declaredValue?: { amountMinor: number; currency: string } | null
  destinationCountry?: string | null
  promisedDeliveryOn?: string | null
  estimatedDeliveryOn?: string | null
  deliveredAt?: Date | null
  lines?: ShipmentLineInput[]
  sourceUpdatedAt?: Date | null
}

/** A shipment as a bulk import holds it: every field given (null where the source has none); lines by their order line's position. */
export type ShipmentRecord = {
  externalId: string
  orderExternalId: string
  carrier: string | null
  service: string | null
  trackingNumber: string | null
  trackingUrl: string | null
  fulfilmentCentre: string | null
  status: ShipmentStatus | null
  shippedAt: Date | null
  deliveredAt: Date | null
  declaredValue: { amountMinor: number; currency: string } | null
  destinationCountry: string | null
  promisedDeliveryOn: string | null
  estimatedDeliveryOn: string | null
  lines: { position: number; quantity: number }[] | null
}
