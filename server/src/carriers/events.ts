import { Type } from 'typebox'
import { defineEvents, type EventPayloads, instant, nullable, uuid } from '../jobs/events.js'
import { trackingStatuses } from './model.js'

const overdue = (description: string, since: string) => ({
  subject: 'shipment',
  description,
  data: Type.Object({
    shipment_id: uuid('The shipment'),
    order_id: uuid('Its order'),
    carrier_code: nullable(Type.String(), 'Carrier code, when known'),
    carrier_name: nullable(Type.String(), "The carrier's name as the source gave it"),
    service: nullable(Type.String(), 'Carrier service level'),
    tracking_number: nullable(Type.String(), 'Tracking number'),
    tracking_status: nullable(Type.String(), 'Canonical tracking status so far'),
    last_tracking_event_at: nullable(instant(), 'When the newest carrier scan happened'),
    shipped_at: nullable(instant(), 'When it shipped'),
    due_at: nullable(instant(), since),
    since: instant('When it was found overdue (the event time)'),
  }),
})

export const carrierEvents = defineEvents({
  'tracking_event.recorded': {
    subject: 'tracker',
    description: 'A carrier scan was recorded for the first time (one event per scan; a webhook may carry many).',
    data: Type.Object({
      tracker_id: uuid('The tracker (carrier and tracking number) the scan belongs to'),
      event_id: uuid('The recorded tracking event'),
      carrier: nullable(Type.String(), 'Carrier code, when known'),
      tracking_number: Type.String({ description: 'Tracking number' }),
      status: Type.Enum(trackingStatuses, { description: 'Canonical status of the scan' }),
      sub_status: nullable(Type.String(), 'Canonical sub-status'),
      message: nullable(Type.String(), "The carrier's own words"),
      occurred_at: instant('When the scan happened'),
      current: Type.Boolean({ description: 'Whether it is the newest scan (false: older history recorded late)' }),
      status_changed: Type.Boolean({
        description: 'Whether it moved the tracker status (then shipment.status_changed announces it too)',
      }),
      shipment_ids: Type.Array(Type.String({ format: 'uuid' }), { description: 'Shipments the tracker is linked to' }),
      recorded_at: instant('When it was recorded'),
    }),
  },
  'tracking_media.stored': {
    subject: 'tracker',
    description:
      'A carrier proof of delivery (signature, photo or document) was stored on a tracker for the first time; the ' +
      "evidence module copies it onto the tracker's shipments' cases.",
    data: Type.Object({
      tracker_id: uuid('The tracker'),
      media_id: uuid('The stored proof'),
      kind: Type.Union([Type.Literal('signature'), Type.Literal('photo'), Type.Literal('document')], {
        description: 'What the proof is',
      }),
      content_type: Type.String({ description: 'Its content type, decided from the bytes' }),
      sha256: Type.String({ description: 'SHA-256 of the file' }),
    }),
  },
  'shipment.stale': overdue(
    'A shipment in transit has had no carrier scan for longer than the stale limit (announced once per silence).',
    'When the silence passed the stale limit',
  ),
  'shipment.late': overdue(
    'An undelivered shipment is past its estimated or promised delivery (announced once per lateness).',
    'The estimated or promised delivery it missed',
  ),
})

declare module '../jobs/events.js' {
  interface DomainEvents extends EventPayloads<typeof carrierEvents> {}
}
