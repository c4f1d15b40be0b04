import { Type } from 'typebox'
import { defineEvents, type EventPayloads, instant, money, nullable, uuid } from '../jobs/events.js'
import { shipmentStatuses } from './tables.js'

const shipmentWritten = (description: string) => ({
  subject: 'shipment',
  description,
  data: Type.Object({
    order_id: uuid('Its order'),
    carrier_code: nullable(Type.String(), 'Carrier code, when the carrier is known'),
    carrier_known: Type.Boolean({ description: 'Whether the carrier is one Claimdesk knows (carrier_code set)' }),
    tracking_number: nullable(Type.String(), 'Tracking number'),
    status: Type.Enum(shipmentStatuses, { description: "The shipment's own coarse status" }),
  }),
})

export const shipmentEvents = defineEvents({
  'shipment.created': shipmentWritten('A shipment was created (by the API, an import or a commerce source).'),
  'shipment.updated': shipmentWritten('A shipment was written again by its source (the same external id).'),
  'shipment.deleted': {
    subject: 'shipment',
    description: 'A shipment was deleted.',
    data: Type.Object({ order_id: uuid('Its order') }),
  },
  'shipment.status_changed': {
    subject: 'shipment',
    description:
      "The carrier's status of a shipment moved (the newest scan by event time), with the order, customer and money context.",
    data: Type.Object({
      shipment_id: uuid('The shipment'),
      order_id: uuid('Its order'),
      customer_id: nullable(Type.String({ format: 'uuid' }), "The order's customer"),
      tracker_id: uuid('The tracker whose scan moved the status'),
      provider: Type.String({ description: 'The tracking source (easypost, aftership, generic)' }),
      carrier: nullable(Type.String(), 'Carrier code, when known'),
      carrier_name: nullable(Type.String(), "The carrier's name"),
      tracking_number: Type.String({ description: 'Tracking number' }),
      service: nullable(Type.String(), 'Carrier service level'),
      fulfilment_centre: nullable(Type.String(), 'Where it shipped from'),
      destination_country: nullable(Type.String(), 'ISO 3166-1 alpha-2'),
      previous_status: nullable(Type.String(), 'Canonical tracking status before'),
      status: Type.String({ description: 'Canonical tracking status now' }),
      sub_status: nullable(Type.String(), 'Canonical sub-status now'),
      shipment_status: Type.Enum(shipmentStatuses, { description: "The shipment's own coarse status now" }),
      confidence: Type.Enum(['high', 'low'], {
        description: 'low: the payload disagreed with itself; see review_reasons',
      }),
      review_reasons: Type.Array(Type.String(), { description: 'Why the status needs a human look (empty when high)' }),
      status_at: nullable(instant(), 'When the status was reached (the scan time)'),
      order_value: money("The order's total"),
      declared_value: nullable(
        Type.Object({
          amount_minor: Type.Integer({ description: 'Minor units' }),
          currency: nullable(Type.String(), 'ISO 4217'),
        }),
        "The parcel's declared value",
      ),
      estimated_delivery_at: nullable(instant(), "The carrier's delivery estimate"),
      signed_by: nullable(Type.String(), 'Who signed for it'),
    }),
  },
})

declare module '../jobs/events.js' {
  interface DomainEvents extends EventPayloads<typeof shipmentEvents> {}
}
