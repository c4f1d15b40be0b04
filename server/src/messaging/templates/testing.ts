import { systemContext } from '../../auth/actor.js'
import { openCase } from '../../cases/service.js'
import type { AppContext } from '../../context.js'
import { upsertOrder } from '../../orders/service.js'
import { upsertShipment } from '../../shipments/service.js'

/** A case about a UPS parcel of order #12345 for Robin Fox (robin@example.com), as a shop would send it. */
export async function caseWithOrder(ctx: AppContext, merchantId: string, key: string, caseType = 'lost_parcel') {
  return ctx.db.transaction().execute(async (trx) => {
    const sys = systemContext(merchantId)
    const now = new Date('2026-12-02T10:00:00Z')
    const { order } = await upsertOrder(
      trx,
      sys,
      {
        source: 'shop',
        externalId: `o-${key}`,
        orderNumber: '#12345',
        currency: 'GBP',
        placedAt: new Date('2026-11-30T10:00:00Z'),
        totalMinor: 4_500,
        customer: { externalId: `c-${key}`, email: `robin-${key}@example.com`, name: 'Robin Fox' },
        lines: [{ name: 'Tea set', sku: 'TEA-1', quantity: 1, unitPriceMinor: 4_500 }],
      },
      now,
    )
    const { shipment } = await upsertShipment(
      trx,
      sys,
      {
        source: 'shop',
        externalId: `s-${key}`,
        orderId: order.id,
        carrier: 'UPS',
        trackingNumber: `1Z${key}`,
        shippedAt: new Date('2026-12-01T10:00:00Z'),
        estimatedDeliveryOn: '2026-12-11',
      },
      now,
    )
    const c = await openCase(
      trx,
      sys,
      {
        caseType,
        orderId: order.id,
        shipmentId: shipment.id,
        customerId: order.customer_id,
        subject: 'Parcel not arrived',
      },
      now,
    )
    return { caseId: c.id, orderId: order.id, customerId: order.customer_id! }
  })
}
