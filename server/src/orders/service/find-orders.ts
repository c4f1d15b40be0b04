import type { Kysely, Transaction } from 'kysely'
import { customerIdentity } from '../../customers/service.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import * as store from '../store.js'
import { toLine, toPayment, type Order } from '../types.js'

type Trx = Transaction<Database>
type Db = Kysely<Database> | Trx

export async function toOrders(db: Db, merchantId: string, rows: store.OrderRow[]): Promise<Order[]> {
  const ids = rows.map((r) => r.id)
  const [lines, payments] = await Promise.all([
    store.listLines(db, merchantId, ids),
    store.listPayments(db, merchantId, ids),
  ])
  return rows.map((r) => ({
    id: r.id,
    source: r.source,
    external_id: r.external_id,
    order_number: r.order_number,
    customer_id: r.customer_id,
    currency: r.currency,
    placed_at: r.placed_at,
    status: r.status,
    financial_status: r.financial_status,
    subtotal_amount_minor: r.subtotal_amount_minor,
    discount_amount_minor: r.discount_amount_minor,
    shipping_amount_minor: r.shipping_amount_minor,
    tax_amount_minor: r.tax_amount_minor,
    total_amount_minor: r.total_amount_minor,
    shipping_country: r.shipping_country,
    lines: lines.filter((l) => l.order_id === r.id).map(toLine),
    payments: payments.filter((p) => p.order_id === r.id).map(toPayment),
    created_at: r.created_at,
    updated_at: r.updated_at,
  }))
}

export async function getOrder(db: Db, merchantId: string, id: string): Promise<Order> {
  const row = await store.findOrder(db, merchantId, id)
  if (!row) throw new AppError('order_not_found', 'No such order', { order_id: id })
  return (await toOrders(db, merchantId, [row]))[0]!
}

export async function findOrderByExternalId(
  trx: Trx,
  merchantId: string,
  source: string,
  externalId: string,
): Promise<Order | undefined> {
  const row = await store.lockOrderByExternalId(trx, merchantId, source, externalId)
  return row ? (await toOrders(trx, merchantId, [row]))[0] : undefined
}

/** Locked until commit, as `findOrderByExternalId` locks one: a bulk import writes against them. */
export async function findOrdersByExternalId(
  trx: Trx,
  merchantId: string,
  source: string,
  externalIds: string[],
): Promise<Order[]> {
  return toOrders(trx, merchantId, await store.lockOrdersByExternalId(trx, merchantId, source, externalIds))
}

export async function listOrders(
  db: Db,
  merchantId: string,
  filter: { customerId?: string; source?: string; number?: string; after?: string; limit: number },
): Promise<Order[]> {
  const customerIds = filter.customerId ? await customerIdentity(db, merchantId, filter.customerId) : undefined
  return toOrders(db, merchantId, await store.listOrders(db, merchantId, { ...filter, customerIds }))
}

/** Who bought and for how much, in one lookup: the context other modules put on their events. */
export async function getOrderSummary(
  db: Db,
  merchantId: string,
  id: string,
): Promise<{ id: string; customer_id: string | null; currency: string; total_amount_minor: number }> {
  const row = await store.findOrder(db, merchantId, id)
  if (!row) throw new AppError('order_not_found', 'No such order', { order_id: id })
  return {
    id: row.id,
    customer_id: row.customer_id,
    currency: row.currency,
    total_amount_minor: row.total_amount_minor,
  }
}
