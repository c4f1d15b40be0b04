import { findCustomerByExternalId, findSurvivor, redactCustomer } from '../customers/service.js'
import { enqueueEvent } from '../jobs/outbox.js'
import { findOrderByExternalId } from '../orders/service.js'
import { source, type ShopifyWrite } from './fields.js'
import { idOf } from './json.js'
import type { ShopifyCustomerPrivacy, ShopifyShopRedact } from './payloads.js'

const ids = (values: unknown[] | null | undefined) => (values ?? []).map(idOf).filter((v) => v !== null)

/**
 * Our customer for a compliance request: the holder of its Shopify customer id, else the buyer of
 * one of the orders it names. A contact match alone is not enough: redaction must not erase
 * someone Shopify did not name.
 */
async function findShopifyCustomer(
  w: ShopifyWrite,
  request: ShopifyCustomerPrivacy,
  orderIds: string[],
): Promise<string | undefined> {
  const shopifyId = idOf(request.customer?.id)
  const holder = shopifyId ? await findCustomerByExternalId(w.trx, w.merchantId, source, shopifyId) : undefined
  if (holder) return holder.id
  for (const orderId of orderIds) {
    const order = await findOrderByExternalId(w.trx, w.merchantId, source, orderId)
    // A merged record is a pointer; the person's data lives on the customer it was merged into.
    if (order?.customer_id) return (await findSurvivor(w.trx, w.merchantId, order.customer_id))?.id
  }
  return undefined
}

/**
 * customers/redact: erases the customer's personal fields; an unknown customer has nothing to erase. Shopify cannot
 * be told "no": a customer under legal hold is erased when the hold is released (retention/service/erasure.ts).
 */
export async function redactShopifyCustomer(
  w: ShopifyWrite,
  request: ShopifyCustomerPrivacy,
): Promise<'processed' | 'ignored'> {
  const id = await findShopifyCustomer(w, request, ids(request.orders_to_redact))
  if (!id) return 'ignored'
  await redactCustomer(w.trx, w, id, w.now, { whenHeld: 'defer', source: 'shopify' })
  return 'processed'
}

/** customers/data_request: announced (ids only) for the module that will assemble the export. */
export async function announceDataRequest(w: ShopifyWrite, request: ShopifyCustomerPrivacy): Promise<'ignored'> {
  const orderIds = ids(request.orders_requested)
  const customerId = (await findShopifyCustomer(w, request, orderIds)) ?? null
  await enqueueEvent(w.trx, {
    merchant_id: w.merchantId,
    type: 'privacy.data_requested',
    subject_id: customerId,
    occurred_at: w.now,
    data: {
      connection_id: w.connectionId,
      source,
      customer_id: customerId,
      shop_id: idOf(request.shop_id),
      external_customer_id: idOf(request.customer?.id),
      external_order_ids: orderIds,
      data_request_id: idOf(request.data_request?.id),
    },
  })
  return 'ignored'
}

/** shop/redact: the shop uninstalled the app 48 hours ago; announced for the module that will erase its data. */
export async function announceShopRedact(w: ShopifyWrite, request: ShopifyShopRedact): Promise<'ignored'> {
  await enqueueEvent(w.trx, {
    merchant_id: w.merchantId,
    type: 'privacy.shop_redact_requested',
    subject_id: w.connectionId,
    occurred_at: w.now,
    data: { connection_id: w.connectionId, source, shop_id: idOf(request.shop_id) },
  })
  return 'ignored'
}
