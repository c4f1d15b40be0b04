import type { CaseRecord } from '../cases/service.js'
import type { CustomerRecord } from '../customers/service.js'
import type { OrderRecord } from '../orders/service.js'
import type { ShipmentRecord } from '../shipments/service.js'

export const importTypes = ['orders', 'customers', 'shipments', 'cases'] as const
export type ImportType = (typeof importTypes)[number]
export const importFormats = ['jsonl', 'csv'] as const
export type ImportFormat = (typeof importFormats)[number]

/** One refused row: `line` is the file's line number (1-based), `field` the input field at fault, if one is. */
export type RowError = { line: number; field: string | null; message: string }

export type ImportCounts = { imported: number; updated: number; unchanged: number; failed: number }
/** `unlinked` (cases only): records that landed without the order or customer they name, which no import from this source has brought. */
export type ImportResult = ImportCounts & {
  errors: RowError[]
  rows: number
  errors_truncated: boolean
  unlinked?: number
}
export type ImportProgress = ImportCounts & { rows: number; bytes: number }

/** A record as read from the file, before validation; `locate` turns a field path into the line and column to report. */
export type RawRecord = {
  line: number
  data: Record<string, unknown>
  locate: (path: string) => { line: number; field: string }
}

/** A record that passed validation, with the file line it came from, for the owning module's bulk writer. */
export type ValidCustomer = CustomerRecord & { line: number }
export type ValidOrder = OrderRecord & { line: number }
export type ValidShipment = ShipmentRecord & { line: number }
export type ValidCase = CaseRecord & { line: number }
