import { systemContext } from '../auth/actor.js'
import { AppError } from '../errors.js'
import { parseWebhookJson } from '../intake/payload.js'
import type { InboxProvider } from '../integrations/providers.js'
import type { ShopifyWrite } from './fields.js'
import { syncFulfillment } from './fulfillments.js'
import { parseShopifyJson } from './json.js'
import { syncOrder } from './orders.js'
import type {
  ShopifyCustomerPrivacy,
  ShopifyFulfillment,
  ShopifyOrder,
  ShopifyRefund,
  ShopifyShopRedact,
} from './payloads.js'
import { announceDataRequest, announceShopRedact, redactShopifyCustomer } from './privacy.js'
import { applyRefund } from './refunds.js'
import { secretProblem, verifyShopifyWebhook } from './signature.js'

// Shopify webhooks for the `commerce` source: POST /webhooks/commerce/shopify/{connection_id}.
// The connection's secret is the app's client secret, pasted by the merchant (Shopify issues it).

const topicHeader = 'x-shopify-topic'
const webhookIdHeader = 'x-shopify-webhook-id'

// Each handler reads the topic's body shape; bodies are untrusted JSON, so every field is optional there.
type Handler = (w: ShopifyWrite, body: never) => Promise<'processed' | 'ignored'>
const topics: Record<string, Handler> = {
  'orders/create': (w, body: ShopifyOrder) => syncOrder(w, body),
  'orders/updated': (w, body: ShopifyOrder) => syncOrder(w, body),
  'fulfillments/create': (w, body: ShopifyFulfillment) => syncFulfillment(w, body),
  'fulfillments/update': (w, body: ShopifyFulfillment) => syncFulfillment(w, body),
  'refunds/create': (w, body: ShopifyRefund) => applyRefund(w, body),
  'customers/redact': (w, body: ShopifyCustomerPrivacy) => redactShopifyCustomer(w, body),
  'customers/data_request': (w, body: ShopifyCustomerPrivacy) => announceDataRequest(w, body),
  'shop/redact': (w, body: ShopifyShopRedact) => announceShopRedact(w, body),
}

/** The body as a JSON object; anything else (or a body that could never be stored) is a 400. */
function parseObject(body: Buffer): Record<string, unknown> {
  const value = parseWebhookJson(body, parseShopifyJson)
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new AppError('invalid_json', 'The body is not a JSON object')
  return value as Record<string, unknown>
}

export const shopifyProvider: InboxProvider = {
  source: 'commerce',
  provider: 'shopify',
  verify(input) {
    verifyShopifyWebhook(input)
    // Checked after the signature, so unsigned callers learn nothing about what we accept.
    parseObject(input.rawBody)
  },
  dedupKey(input) {
    const id = input.headers[webhookIdHeader]
    if (!id) throw new AppError('dedup_key_invalid', `Send ${webhookIdHeader}`)
    return id
  },
  async process(trx, delivery, _ctx, now) {
    const handler = topics[delivery.headers[topicHeader] ?? '']
    if (!handler) return 'ignored'
    const w: ShopifyWrite = {
      ...systemContext(delivery.merchantId, 'shopify'),
      requestId: delivery.requestId,
      trx,
      connectionId: delivery.connectionId,
      now,
    }
    return handler(w, parseObject(delivery.body) as never)
  },
  secrets: { problem: secretProblem },
}
