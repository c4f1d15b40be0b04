export const importTypes = ['orders', 'customers', 'shipments'] as const
export type ImportType = (typeof importTypes)[number]
export const importFormats = ['jsonl', 'csv'] as const
export type ImportFormat = (typeof importFormats)[number]

/** One refused row: `line` is the file's line number (1-based), `field` the input field at fault, if one is. */
export type RowError = { line: number; field: string | null; message: string }

export type ImportCounts = { imported: number; updated: number; unchanged: number; failed: number }
export type ImportResult = ImportCounts & { errors: RowError[]; rows: number; errors_truncated: boolean }
export type ImportProgress = ImportCounts & { rows: number; bytes: number }

/** A record as read from the file, before validation; `locate` turns a field path into the line and column to report. */
export type RawRecord = { line: number; data: Record<string, unknown>; locate: (path: string) => { line: number; field: string } }

export type ValidCustomer = {
  externalId: string; name: string | null; email: string | null; phone: string | null
  locale: string | null; timeZone: string | null; segment: string | null
}
export type ValidLine = {
  externalId: string | null; sku: string | null; name: string; category: string | null; quantity: number
  unitPriceMinor: number; taxMinor: number; fulfilmentCentre: string | null
}
export type ValidPayment = { provider: string; reference: string; capturedMinor: number; refundedMinor: number | null; capturedAt: Date | null }
export type ValidOrder = {
  line: number; externalId: string; orderNumber: string | null; customer: ValidCustomer | null; currency: string; placedAt: Date
  status: 'open' | 'cancelled' | 'closed'; financialStatus: string | null; subtotalMinor: number; discountMinor: number
  shippingMinor: number; taxMinor: number; totalMinor: number; shippingCountry: string | null; lines: ValidLine[]; payments: ValidPayment[]
}
export type ValidShipment = {
  line: number; externalId: string; orderExternalId: string; carrier: string | null; service: string | null
  trackingNumber: string | null; trackingUrl: string | null; fulfilmentCentre: string | null
  status: 'pending' | 'shipped' | 'in_transit' | 'delivered' | 'exception' | 'returned' | 'cancelled' | null
  shippedAt: Date | null; deliveredAt: Date | null; declaredValue: { amountMinor: number; currency: string } | null
  destinationCountry: string | null; promisedDeliveryOn: string | null; estimatedDeliveryOn: string | null
  lines: { position: number; quantity: number }[] | null
}
