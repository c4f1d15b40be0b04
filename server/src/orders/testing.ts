import type { OrderInput } from './types.js'

// A Shopify-like order (two lines, one payment, a buyer) for the tests of orders and of what builds on them.

export const T0 = new Date('2026-04-01T10:00:00Z')

export const sampleOrder = (over: Partial<OrderInput> = {}): OrderInput => ({
  source: 'shopify',
  externalId: '820982911946154508',
  orderNumber: '#1001',
  currency: 'GBP',
  placedAt: T0,
  totalMinor: 5998,
  customer: { externalId: '115310627314723954', name: 'Jane Doe', email: 'Jane@Example.com', phone: '+44 7700 900123' },
  lines: [
    {
      externalId: 'l1',
      sku: 'TEE-BLK-M',
      name: 'Black tee, M',
      category: 'apparel',
      quantity: 2,
      unitPriceMinor: 1999,
      taxMinor: 666,
    },
    { externalId: 'l2', sku: 'CAP-RED', name: 'Red cap', quantity: 1, unitPriceMinor: 2000 },
  ],
  payments: [{ provider: 'shopify_payments', reference: 'tx-1', capturedMinor: 5998 }],
  sourceUpdatedAt: T0,
  ...over,
})
