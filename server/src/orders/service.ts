// The orders module's public face: other modules call these, never orders/store.ts.
export {
  getOrder,
  findOrderByExternalId,
  findOrdersByExternalId,
  listOrders,
  getOrderSummary,
} from './service/find-orders.js'
export { upsertOrder } from './service/upsert-order.js'
export { recordRefund } from './service/record-refund.js'
export { importOrders } from './service/import-orders.js'
export { sourceOrderColumns } from './service/order-fields.js'
export type {
  Order,
  OrderLine,
  Payment,
  OrderInput,
  LineInput,
  PaymentInput,
  OrderRecord,
  LineRecord,
  PaymentRecord,
} from './types.js'
