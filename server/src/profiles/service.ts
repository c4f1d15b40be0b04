import type { Kysely } from 'kysely'
import { getCustomer, type Customer } from '../customers/service.js'
import type { Database } from '../db/schema.js'
import { listOrders, type Order } from '../orders/service.js'
import { listShipments, type Shipment } from '../shipments/service.js'

export type TimelineItem = {
  at: Date
  kind: 'order.placed' | 'payment.captured' | 'payment.refunded' | 'shipment.shipped' | 'shipment.delivered'
  order_id: string
  ref_id: string
  summary: string
}

const sequence: TimelineItem['kind'][] = [
  'order.placed',
  'payment.captured',
  'shipment.shipped',
  'shipment.delivered',
  'payment.refunded',
]

export type CustomerProfile = {
  customer: Customer
  orders: Order[]
  shipments: Shipment[]
  totals: {
    orders: number
    spent: { currency: string; amount_minor: number }[]
    refunded: { currency: string; amount_minor: number }[]
  }
  timeline: TimelineItem[]
}

const sumBy = (items: { currency: string; amount: number }[]) =>
  [...items.reduce((m, i) => m.set(i.currency, (m.get(i.currency) ?? 0) + i.amount), new Map<string, number>())]
    .map(([currency, amount_minor]) => ({ currency, amount_minor }))
    .sort((a, b) => a.currency.localeCompare(b.currency))

/** The customer's whole history in one call: orders, payments and shipments (cases join when they exist). */
export async function customerProfile(
  db: Kysely<Database>,
  merchantId: string,
  customerId: string,
  limit = 200,
): Promise<CustomerProfile> {
  const customer = await getCustomer(db, merchantId, customerId)
  const orders = await listOrders(db, merchantId, { customerId, limit })
  const shipments = orders.length
    ? await listShipments(db, merchantId, { orderIds: orders.map((o) => o.id), limit: limit * 5 })
    : []
  const timeline: TimelineItem[] = []
  for (const o of orders) {
    timeline.push({
      at: o.placed_at,
      kind: 'order.placed',
      order_id: o.id,
      ref_id: o.id,
      summary: `${o.order_number ?? o.external_id}: ${o.lines.length} line(s), ${o.total_amount_minor} ${o.currency}`,
    })
    for (const p of o.payments) {
      timeline.push({
        at: p.captured_at ?? o.placed_at,
        kind: 'payment.captured',
        order_id: o.id,
        ref_id: p.id,
        summary: `${p.captured_amount_minor} ${p.currency} via ${p.provider}`,
      })
      if (p.refunded_amount_minor > 0)
        timeline.push({
          at: p.updated_at,
          kind: 'payment.refunded',
          order_id: o.id,
          ref_id: p.id,
          summary: `${p.refunded_amount_minor} ${p.currency} refunded`,
        })
    }
  }
  for (const s of shipments) {
    const carrier = s.carrier.name ?? s.carrier.code ?? 'unknown carrier'
    if (s.shipped_at)
      timeline.push({
        at: s.shipped_at,
        kind: 'shipment.shipped',
        order_id: s.order_id,
        ref_id: s.id,
        summary: `${carrier} ${s.tracking_number ?? ''}`.trim(),
      })
    if (s.delivered_at)
      timeline.push({
        at: s.delivered_at,
        kind: 'shipment.delivered',
        order_id: s.order_id,
        ref_id: s.id,
        summary: `${carrier} delivered`,
      })
  }
  // Newest first; at the same instant, in the order things happen (placed, captured, shipped, …).
  timeline.sort(
    (a, b) =>
      b.at.getTime() - a.at.getTime() ||
      sequence.indexOf(b.kind) - sequence.indexOf(a.kind) ||
      a.ref_id.localeCompare(b.ref_id),
  )
  const live = orders.filter((o) => o.status !== 'cancelled')
  return {
    customer,
    orders,
    shipments,
    timeline,
    totals: {
      orders: orders.length,
      spent: sumBy(live.map((o) => ({ currency: o.currency, amount: o.total_amount_minor }))),
      refunded: sumBy(
        orders.flatMap((o) => o.payments.map((p) => ({ currency: p.currency, amount: p.refunded_amount_minor }))),
      ).filter((r) => r.amount_minor > 0),
    },
  }
}
