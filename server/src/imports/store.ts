import { sql, type Kysely, type Selectable, type Transaction } from 'kysely'
import { names, unnest, type Columns } from '../db/bulk.js'
import type { Database } from '../db/schema.js'

// Set-based SQL for bulk imports (db/bulk.ts), so a 1,000-order batch is a dozen round trips, not 10,000.
// These write the commerce tables directly, for speed; they keep the same columns and rules as the
// per-record stores (orders/store.ts, customers/store.ts). The audit trail goes through audit/service.ts.

type Trx = Transaction<Database>
type Db = Kysely<Database> | Trx

export type CustomerRow = Selectable<Database['customers']>
export type OrderRow = Selectable<Database['orders']>
export type LineRow = Selectable<Database['order_lines']>
export type PaymentRow = Selectable<Database['payments']>
export type ShipmentRow = Selectable<Database['shipments']>

export async function merchantExists(db: Db, merchantId: string): Promise<boolean> {
  return (await db.selectFrom('merchants').select('id').where('id', '=', merchantId).executeTakeFirst()) !== undefined
}

export async function listCurrencyCodes(db: Db): Promise<string[]> {
  return (await db.selectFrom('currencies').select('code').execute()).map((r) => r.code)
}

export async function lockCustomersByExternalId(trx: Trx, merchantId: string, source: string, externalIds: string[]): Promise<(CustomerRow & { external_id: string })[]> {
  if (!externalIds.length) return []
  const { rows } = await sql<CustomerRow & { external_id: string }>`
    select c.*, e.external_id from customer_external_ids e
    join customers c on c.merchant_id = e.merchant_id and c.id = e.customer_id
    where e.merchant_id = ${merchantId} and e.source = ${source} and e.external_id = any(${externalIds}::text[])
    order by c.id for update of c`.execute(trx)
  return rows
}

export async function lockCustomers(trx: Trx, merchantId: string, ids: string[]): Promise<CustomerRow[]> {
  if (!ids.length) return []
  return trx.selectFrom('customers').selectAll().where('merchant_id', '=', merchantId).where('id', 'in', ids).orderBy('id').forUpdate().execute()
}

export type NewCustomer = Pick<CustomerRow, 'merchant_id' | 'id' | 'name' | 'email' | 'phone' | 'locale' | 'time_zone' | 'segment' | 'created_at' | 'updated_at'>
const customerColumns: Columns<NewCustomer> = [
  ['merchant_id', 'uuid'], ['id', 'uuid'], ['name', 'text'], ['email', 'text'], ['phone', 'text'], ['locale', 'text'],
  ['time_zone', 'text'], ['segment', 'text'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
]

export async function insertCustomers(trx: Trx, rows: NewCustomer[]): Promise<void> {
  if (!rows.length) return
  await sql`insert into customers (${names(customerColumns)}) select * from ${unnest(rows, customerColumns)}`.execute(trx)
}

export async function updateCustomers(trx: Trx, rows: NewCustomer[]): Promise<void> {
  if (!rows.length) return
  await sql`update customers c set name = u.name, email = u.email, phone = u.phone, locale = u.locale, time_zone = u.time_zone,
      segment = u.segment, updated_at = u.updated_at
    from ${unnest(rows, customerColumns)} where c.merchant_id = u.merchant_id and c.id = u.id`.execute(trx)
}

type ExternalId = Database['customer_external_ids']
const externalIdColumns: Columns<ExternalId> = [['merchant_id', 'uuid'], ['source', 'text'], ['external_id', 'text'], ['customer_id', 'uuid']]

export async function insertCustomerExternalIds(trx: Trx, rows: ExternalId[]): Promise<void> {
  if (!rows.length) return
  await sql`insert into customer_external_ids (${names(externalIdColumns)}) select * from ${unnest(rows, externalIdColumns)}`.execute(trx)
}

export async function lockOrdersByExternalId(trx: Trx, merchantId: string, source: string, externalIds: string[]): Promise<OrderRow[]> {
  if (!externalIds.length) return []
  return trx.selectFrom('orders').selectAll().where('merchant_id', '=', merchantId).where('source', '=', source)
    .where('external_id', '=', sql<string>`any(${externalIds}::text[])`).orderBy('id').forUpdate().execute()
}

export async function listLines(trx: Trx, merchantId: string, orderIds: string[]): Promise<LineRow[]> {
  if (!orderIds.length) return []
  return trx.selectFrom('order_lines').selectAll().where('merchant_id', '=', merchantId)
    .where('order_id', '=', sql<string>`any(${orderIds}::uuid[])`).orderBy('order_id').orderBy('position').execute()
}

export async function listPayments(trx: Trx, merchantId: string, orderIds: string[]): Promise<PaymentRow[]> {
  if (!orderIds.length) return []
  return trx.selectFrom('payments').selectAll().where('merchant_id', '=', merchantId)
    .where('order_id', '=', sql<string>`any(${orderIds}::uuid[])`).execute()
}

export type OrderFields = Omit<OrderRow, 'created_at' | 'source_updated_at'>
const orderColumns: Columns<OrderFields & { created_at: Date }> = [
  ['merchant_id', 'uuid'], ['id', 'uuid'], ['source', 'text'], ['external_id', 'text'], ['order_number', 'text'], ['customer_id', 'uuid'],
  ['currency', 'char(3)'], ['placed_at', 'timestamptz'], ['status', 'text'], ['financial_status', 'text'], ['subtotal_amount_minor', 'bigint'],
  ['discount_amount_minor', 'bigint'], ['shipping_amount_minor', 'bigint'], ['tax_amount_minor', 'bigint'], ['total_amount_minor', 'bigint'],
  ['shipping_country', 'char(2)'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
]

/** Inserts the new orders; returns how many went in (fewer means a concurrent writer got there first). */
export async function insertOrders(trx: Trx, rows: (OrderFields & { created_at: Date })[]): Promise<number> {
  if (!rows.length) return 0
  const result = await sql`insert into orders (${names(orderColumns)}) select * from ${unnest(rows, orderColumns)}
    on conflict (merchant_id, source, external_id) do nothing`.execute(trx)
  return Number(result.numAffectedRows ?? 0)
}

export async function updateOrders(trx: Trx, rows: (OrderFields & { created_at: Date })[]): Promise<void> {
  if (!rows.length) return
  await sql`update orders o set order_number = u.order_number, customer_id = u.customer_id, currency = u.currency, placed_at = u.placed_at,
      status = u.status, financial_status = u.financial_status, subtotal_amount_minor = u.subtotal_amount_minor,
      discount_amount_minor = u.discount_amount_minor, shipping_amount_minor = u.shipping_amount_minor, tax_amount_minor = u.tax_amount_minor,
      total_amount_minor = u.total_amount_minor, shipping_country = u.shipping_country, updated_at = u.updated_at
    from ${unnest(rows, orderColumns)} where o.merchant_id = u.merchant_id and o.id = u.id`.execute(trx)
}

const lineColumns: Columns<LineRow> = [
  ['merchant_id', 'uuid'], ['order_id', 'uuid'], ['id', 'uuid'], ['external_id', 'text'], ['position', 'int'], ['sku', 'text'], ['name', 'text'],
  ['category', 'text'], ['quantity', 'int'], ['unit_price_amount_minor', 'bigint'], ['tax_amount_minor', 'bigint'], ['fulfilment_centre', 'text'],
]

/** Lines are kept by position, as orders/store.ts `upsertLines` keeps them, so shipment lines keep pointing at them. */
export async function upsertLines(trx: Trx, rows: LineRow[]): Promise<void> {
  if (!rows.length) return
  await sql`insert into order_lines (${names(lineColumns)}) select * from ${unnest(rows, lineColumns)}
    on conflict (merchant_id, order_id, position) do update set external_id = excluded.external_id, sku = excluded.sku, name = excluded.name,
      category = excluded.category, quantity = excluded.quantity, unit_price_amount_minor = excluded.unit_price_amount_minor,
      tax_amount_minor = excluded.tax_amount_minor, fulfilment_centre = excluded.fulfilment_centre`.execute(trx)
}

/** Removes the lines past each order's new line count. */
export async function deleteSurplusLines(trx: Trx, merchantId: string, counts: { order_id: string; count: number }[]): Promise<void> {
  if (!counts.length) return
  await sql`delete from order_lines l using ${unnest(counts, [['order_id', 'uuid'], ['count', 'int']])}
    where l.merchant_id = ${merchantId} and l.order_id = u.order_id and l.position >= u.count`.execute(trx)
}

const paymentColumns: Columns<PaymentRow> = [
  ['merchant_id', 'uuid'], ['id', 'uuid'], ['order_id', 'uuid'], ['provider', 'text'], ['reference', 'text'], ['currency', 'char(3)'],
  ['captured_amount_minor', 'bigint'], ['refunded_amount_minor', 'bigint'], ['captured_at', 'timestamptz'], ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
]

/** The table's check (refunded ≤ captured) still guards every row. */
export async function upsertPayments(trx: Trx, rows: PaymentRow[]): Promise<void> {
  if (!rows.length) return
  await sql`insert into payments (${names(paymentColumns)}) select * from ${unnest(rows, paymentColumns)}
    on conflict (merchant_id, order_id, provider, reference) do update set captured_amount_minor = excluded.captured_amount_minor,
      currency = excluded.currency, refunded_amount_minor = excluded.refunded_amount_minor, captured_at = excluded.captured_at,
      updated_at = excluded.updated_at`.execute(trx)
}

export async function lockShipmentsByExternalId(trx: Trx, merchantId: string, source: string, externalIds: string[]): Promise<ShipmentRow[]> {
  if (!externalIds.length) return []
  return trx.selectFrom('shipments').selectAll().where('merchant_id', '=', merchantId).where('source', '=', source)
    .where('external_id', 'in', externalIds).orderBy('id').forUpdate().execute()
}

export async function listShipmentLines(trx: Trx, merchantId: string, shipmentIds: string[]) {
  if (!shipmentIds.length) return []
  return trx.selectFrom('shipment_lines').selectAll().where('merchant_id', '=', merchantId).where('shipment_id', 'in', shipmentIds).execute()
}

const shipmentColumns: Columns<ShipmentRow> = [
  ['merchant_id', 'uuid'], ['id', 'uuid'], ['order_id', 'uuid'], ['source', 'text'], ['external_id', 'text'], ['carrier_code', 'text'],
  ['carrier_name', 'text'], ['service', 'text'], ['tracking_number', 'text'], ['tracking_url', 'text'], ['fulfilment_centre', 'text'],
  ['status', 'text'], ['shipped_at', 'timestamptz'], ['declared_value_amount_minor', 'bigint'], ['declared_value_currency', 'char(3)'],
  ['destination_country', 'char(2)'], ['promised_delivery_on', 'date'], ['estimated_delivery_on', 'date'], ['delivered_at', 'timestamptz'],
  ['source_updated_at', 'timestamptz'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
]
const shipmentUpdates = shipmentColumns.map(([c]) => c).filter((c) => !['merchant_id', 'id', 'source', 'external_id', 'created_at'].includes(c))

export async function upsertShipments(trx: Trx, rows: ShipmentRow[]): Promise<void> {
  if (!rows.length) return
  await sql`insert into shipments (${names(shipmentColumns)}) select * from ${unnest(rows, shipmentColumns)}
    on conflict (merchant_id, source, external_id) do update set ${sql.join(shipmentUpdates.map((c) => sql`${sql.id(c)} = excluded.${sql.id(c)}`))}`.execute(trx)
}

type ShipmentLine = { merchant_id: string; shipment_id: string; order_line_id: string; quantity: number }
const shipmentLineColumns: Columns<ShipmentLine> = [['merchant_id', 'uuid'], ['shipment_id', 'uuid'], ['order_line_id', 'uuid'], ['quantity', 'int']]

export async function replaceShipmentLines(trx: Trx, merchantId: string, shipmentIds: string[], rows: ShipmentLine[]): Promise<void> {
  if (!shipmentIds.length) return
  await trx.deleteFrom('shipment_lines').where('merchant_id', '=', merchantId).where('shipment_id', 'in', shipmentIds).execute()
  if (rows.length) await sql`insert into shipment_lines (${names(shipmentLineColumns)}) select * from ${unnest(rows, shipmentLineColumns)}`.execute(trx)
}
