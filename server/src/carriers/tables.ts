import type { ColumnType, Generated } from 'kysely'
import type { Confidence, TrackingLocation, TrackingStatus } from './model.js'

type Instant = ColumnType<Date, Date, Date>
type Json<T> = ColumnType<T, string, string>

/** A quiet limit for a carrier and/or service; null matches any. */
export type StaleRule = { carrier: string | null; service: string | null; hours: number }

// Tables of migration 0005_tracking.sql owned by the carriers module.
export interface CarrierTables {
  trackers: {
    merchant_id: string
    id: string
    carrier_key: string
    carrier_code: string | null
    carrier_name: string | null
    tracking_number: string
    carrier_ref: Generated<string>
    provider: string
    provider_tracker_id: string | null
    status: Generated<TrackingStatus>
    sub_status: string | null
    provider_status: string | null
    provider_sub_status: string | null
    status_at: Instant | null
    confidence: Generated<Confidence>
    review_reasons: ColumnType<string[], string | undefined, string>
    estimated_delivery_at: Instant | null
    signed_by: string | null
    last_event_at: Instant | null
    last_received_at: Instant
    created_at: Instant
    updated_at: Instant
  }
  tracking_events: {
    merchant_id: string
    id: string
    tracker_id: string
    event_key: string
    status: TrackingStatus
    sub_status: string | null
    provider_status: string | null
    provider_sub_status: string | null
    code: string | null
    message: string | null
    occurred_at: Instant
    utc_offset_minutes: number | null
    location: Json<TrackingLocation | null> | null
    facility: string | null
    device: string | null
    driver: string | null
    signed_by: string | null
    delivery_id: string | null
    recorded_at: Instant
  }
  tracking_settings: {
    merchant_id: string
    stale_after_hours: number
    stale_rules: ColumnType<StaleRule[], string, string>
    updated_at: Instant
  }
  tracker_shipments: { merchant_id: string; tracker_id: string; shipment_id: string; linked_at: Instant }
  tracking_media: {
    merchant_id: string
    id: string
    tracker_id: string
    event_key: string | null
    kind: 'signature' | 'photo' | 'document'
    file_key: string
    content_type: string
    size_bytes: number
    sha256: string
    created_at: Instant
  }
}
