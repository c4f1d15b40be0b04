// The shipments module's public face: other modules call these, never shipments/store.ts.
export { getShipment, listShipments } from './service/find-shipments.js'
export { upsertShipment } from './service/upsert-shipment.js'
export { importShipments } from './service/import-shipments.js'
export type { Shipment, ShipmentInput, ShipmentRecord } from './types.js'
export { shipmentStatuses } from './tables.js'
