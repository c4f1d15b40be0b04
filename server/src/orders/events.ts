import { Type } from 'typebox'
import { defineEvents, type EventPayloads, nullable, uuid } from '../jobs/events.js'

const source = Type.String({ description: 'Where the order comes from (shopify, api, an import source)' })

export const orderEvents = defineEvents({
  'order.created': {
    subject: 'order',
    description: 'An order was created (by the API, an import or a commerce source).',
    data: Type.Object({
      source,
      external_id: Type.String({ description: "The order's id at its source" }),
      customer_id: nullable(Type.String({ format: 'uuid' }), 'Its customer'),
      total_amount_minor: Type.Integer({ description: 'Order total, in minor units of currency' }),
      currency: Type.String({ description: 'ISO 4217' }),
    }),
  },
  'order.updated': {
    subject: 'order',
    description: 'An order was written again by its source (the same external id).',
    data: Type.Object({
      source,
      status: Type.Enum(['open', 'cancelled', 'closed'], { description: 'Order status now' }),
    }),
  },
  'order.deleted': {
    subject: 'order',
    description: 'An order was deleted.',
    data: Type.Object({
      source,
      external_id: Type.String({ description: "The order's id at its source" }),
    }),
  },
  'payment.refunded': {
    subject: 'payment',
    description: 'Part or all of a payment was refunded (recorded once per refund at its source).',
    data: Type.Object({
      order_id: uuid('The order paid for'),
      amount_minor: Type.Integer({ description: 'Amount refunded now, in minor units of currency' }),
      currency: Type.String({ description: 'ISO 4217' }),
    }),
  },
})

declare module '../jobs/events.js' {
  interface DomainEvents extends EventPayloads<typeof orderEvents> {}
}
