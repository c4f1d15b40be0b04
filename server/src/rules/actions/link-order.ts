import { getCase, linkRecords } from '../../cases/service.js'
import { listOrders } from '../../orders/service.js'
import { getShipment } from '../../shipments/service.js'
import type { ActionRun } from '../types.js'
import { type CaseRow, defineAction, done, skipped, targetCase } from './outcome.js'

// `#1042`, `order 1042`, `order no. SO-1042`: what customers write.
const orderNumberPattern = /(?:#|\border\b\s*(?:no\.?|number)?\s*:?\s*)([A-Za-z]{0,5}-?\d[A-Za-z0-9-]{0,30})/i

type Found = { orderId: string; by: string } | null

async function byNumber(run: ActionRun, number: string, by: string): Promise<Found> {
  const [order] = await listOrders(run.trx, run.ctx.merchantId, { number, limit: 1 })
  return order ? { orderId: order.id, by } : null
}

/** The order to link: named, the shipment's, one the message names, else the customer's latest. */
async function findOrder(run: ActionRun, row: CaseRow, number: string | undefined): Promise<Found> {
  const { trx, ctx, target, facts } = run
  if (number) return byNumber(run, number, `number ${number}`)
  if (target.orderId) return { orderId: target.orderId, by: "the event's order" }
  const shipmentId = target.shipmentId ?? row.shipment_id
  if (shipmentId) return { orderId: (await getShipment(trx, ctx.merchantId, shipmentId)).order_id, by: 'the shipment' }
  const named = facts.message_text?.match(orderNumberPattern)?.[1]
  const found = named ? await byNumber(run, named, `the message's #${named}`) : null
  if (found) return found
  const customerId = row.customer_id ?? target.customerId
  if (!customerId) return null
  const orders = await listOrders(trx, ctx.merchantId, { customerId, limit: 100 })
  const latest = orders.sort((a, b) => b.placed_at.getTime() - a.placed_at.getTime())[0]
  return latest ? { orderId: latest.id, by: "the customer's latest order" } : null
}

/** linkRecords, as POST /cases/{id}/links. */
export const linkOrder = defineAction('link_order', async (run, args) => {
  const t = await targetCase(run)
  if ('skip' in t) return t.skip
  const found = await findOrder(run, t.row, args.number)
  if (!found) return skipped(args.number ? `no order ${args.number}` : 'no order to link', t.row.id)
  const detail = await getCase(run.trx, run.ctx.merchantId, t.row.id)
  const linked = detail.links.some((l) => l.entity_type === 'order' && l.entity_id === found.orderId)
  const result = { order_id: found.orderId, by: found.by }
  if (linked) return skipped('the order is linked already', t.row.id, result)
  await linkRecords(run.trx, run.ctx, t.row.id, [{ entityType: 'order', entityId: found.orderId }], run.now)
  return done(t.row.id, `linked the order (${found.by})`, result)
})
