import { describe, expect, it } from 'vitest'
import { startServiceTest } from '../../test/harness.js'
import { upsertOrder } from '../orders/service.js'
import { sampleOrder as order, T0 } from '../orders/testing.js'
import { upsertShipment } from './service.js'

const { ctx, tx } = await startServiceTest()

describe('shipments', () => {
  it('ships lines of an order by position, with declared value and promised date', async () => {
    const { order: o } = await tx((trx) =>
      upsertOrder(trx, ctx, order({ externalId: 'ship-order', shippingCountry: 'fr' }), T0),
    )
    const { shipment, outcome } = await tx((trx) =>
      upsertShipment(
        trx,
        ctx,
        {
          source: 'shopify',
          externalId: 'f-1',
          orderExternalId: 'ship-order',
          carrier: 'Colissimo',
          trackingNumber: '6A12345678901',
          shippedAt: T0,
          declaredValue: { amountMinor: 3998, currency: 'GBP' },
          promisedDeliveryOn: '2026-04-04',
          lines: [{ position: 0, quantity: 2 }],
        },
        T0,
      ),
    )
    expect(outcome).toBe('created')
    expect(shipment).toMatchObject({
      order_id: o.id,
      carrier: { code: 'colissimo', name: 'Colissimo', known: true },
      status: 'shipped',
      destination_country: 'FR',
      declared_value: { amount_minor: 3998, currency: 'GBP' },
      promised_delivery_on: '2026-04-04',
      lines: [{ order_line_id: o.lines[0]!.id, quantity: 2 }],
    })
    await expect(
      tx((trx) =>
        upsertShipment(
          trx,
          ctx,
          { source: 'shopify', externalId: 'f-2', orderId: o.id, lines: [{ position: 7, quantity: 1 }] },
          T0,
        ),
      ),
    ).rejects.toMatchObject({ code: 'order_line_unknown' })
  })
})
