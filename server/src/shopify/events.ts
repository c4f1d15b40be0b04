import { Type } from 'typebox'
import { defineEvents, type EventPayloads, nullable, uuid } from '../jobs/events.js'

const connection = {
  connection_id: uuid('The Shopify connection the request came through'),
  source: Type.Literal('shopify', { description: 'The commerce source' }),
  shop_id: nullable(Type.String(), "Shopify's shop id"),
}

// Shopify's mandatory compliance webhooks, announced for the module that will act on them.
export const shopifyEvents = defineEvents({
  'privacy.data_requested': {
    subject: 'customer (null when no customer matches)',
    description: "Shopify asked for a customer's data (customers/data_request); ids only.",
    data: Type.Object({
      ...connection,
      customer_id: nullable(Type.String({ format: 'uuid' }), 'Our customer, when one matches'),
      external_customer_id: nullable(Type.String(), "Shopify's customer id"),
      external_order_ids: Type.Array(Type.String(), { description: "Shopify's ids of the orders it names" }),
      data_request_id: nullable(Type.String(), "Shopify's id of the request"),
    }),
  },
  'privacy.shop_redact_requested': {
    subject: 'integration connection',
    description: "Shopify asked for a shop's data to be erased, 48 hours after it uninstalled the app (shop/redact).",
    data: Type.Object(connection),
  },
})

declare module '../jobs/events.js' {
  interface DomainEvents extends EventPayloads<typeof shopifyEvents> {}
}
