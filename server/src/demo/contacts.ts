import type { AppContext } from '../context.js'
import { listCustomers, type Customer } from '../customers/service.js'
import { listOrders, type Order, type OrderLine } from '../orders/service.js'
import { listShipments, type Shipment } from '../shipments/service.js'
import { pick, rng, type Weighted } from './commerce.js'
import type { Journey } from './tracking.js'
import { listAll } from './util.js'

// What Northwind's customers write in about, by hand: wrong or missing items and damage soon after
// delivery, return disputes weeks later, warranty claims months later, "where is my parcel" when one
// runs late, and the odd question. Deterministic (seeded) for the same orders.

export type Channel = 'email' | 'chat' | 'phone'
export type Contact = {
  at: Date
  caseType: string
  channel: Channel
  orderId: string
  shipmentId: string | null
  customer: Customer | undefined
  subject: string
  description: string
  productSku: string | null
  value: { amount_minor: number; currency: string } | null
  customFields: Record<string, unknown>
  tags: string[]
  /** the contact this one repeats (the customer wrote twice): the case is merged into that one's */
  duplicateOf: number | null
}

/** `deliveredAt`: when each shipment was delivered, by its carrier journey if it has one, else as imported (null: not delivered). */
export type Records = {
  orders: Order[]
  shipmentsByOrder: Map<string, Shipment>
  customers: Map<string, Customer>
  deliveredAt: Map<string, Date | null>
}

export async function loadRecords(ctx: AppContext, merchantId: string, journeys: Journey[]): Promise<Records> {
  const orders = await listAll((after) => listOrders(ctx.db, merchantId, { after, limit: 500 }))
  const shipments = await listAll((after) => listShipments(ctx.db, merchantId, { after, limit: 1000 }))
  const customers = await listAll((after) => listCustomers(ctx.db, merchantId, { after, limit: 1000 }))
  return {
    orders: orders.sort(
      (a, b) => a.placed_at.getTime() - b.placed_at.getTime() || a.external_id.localeCompare(b.external_id),
    ),
    shipmentsByOrder: new Map(shipments.map((s) => [s.order_id, s])),
    customers: new Map(customers.map((c) => [c.id, c])),
    deliveredAt: new Map([
      ...shipments.map((s): [string, Date | null] => [s.id, s.delivered_at]),
      ...journeys.map((j): [string, Date | null] => [j.shipmentId, j.deliveredAt]),
    ]),
  }
}

const hour = 3_600_000
const defects: Record<string, string[]> = {
  footwear: ['sole coming away', 'stitching split at the heel'],
  outerwear: ['zip broken', 'seam leaking'],
  tops: ['seam split', 'colour ran in the wash'],
  bottoms: ['seam split', 'button came off'],
  accessories: ['strap broken', 'holes after two weeks'],
}
const questions: [string, string][] = [
  ['Change of delivery address', 'I have moved since ordering; can the parcel go to my new address?'],
  ['VAT invoice needed', 'Could you send a VAT invoice for this order for my company?'],
  ['Sizing advice before exchanging', 'The jeans are a little tight; which size should I exchange them for?'],
  ['Discount code did not apply', 'My welcome code was not taken off at checkout.'],
  ['Cancel one item from the order', 'Please cancel the beanie from this order if it has not shipped.'],
]
const channels: Weighted<Channel> = [
  ['email', 50],
  ['chat', 30],
  ['phone', 20],
]

type Draft = Omit<Contact, 'channel' | 'duplicateOf'>
type Line = Pick<OrderLine, 'sku' | 'name'>

/** What a customer may write about within weeks of a delivery, by the draw `x` (most write about nothing). */
function afterDelivery(
  base: Draft,
  o: Order,
  shipmentId: string,
  x: number,
  r: () => number,
  skus: Line[],
): (Omit<Draft, 'at'> & { hours: [number, number] }) | undefined {
  const line = o.lines[Math.floor(r() * o.lines.length)]!
  const item = {
    ...base,
    productSku: line.sku,
    value: { amount_minor: line.unit_price_amount_minor * line.quantity, currency: o.currency },
  }
  if (x < 0.08) {
    const got = skus.filter((k) => k.sku !== line.sku)[Math.floor(r() * (skus.length - 1))] ?? line
    return {
      ...item,
      hours: [2, 72],
      caseType: 'wrong_item',
      subject: `Received ${got.name} instead of ${line.name}`,
      description: `I ordered the ${line.name} but the parcel had the ${got.name} in it. Can you send the right one?`,
      customFields: { received_sku: got.sku },
    }
  }
  if (x < 0.15) {
    return {
      ...item,
      hours: [2, 48],
      caseType: 'missing_item',
      subject: `${line.name} missing from the parcel`,
      description: `The parcel arrived but the ${line.name} was not in it.`,
      customFields: { missing_quantity: line.quantity },
    }
  }
  if (x < 0.18) {
    return {
      ...item,
      shipmentId,
      hours: [1, 48],
      caseType: 'damaged',
      subject: `${line.name} arrived damaged`,
      description: 'The box was crushed and the item inside is torn. Photos attached.',
      customFields: {
        damage_severity: pick(r, [
          ['cosmetic', 3],
          ['functional', 2],
          ['unusable', 1],
        ] as Weighted<string>),
      },
    }
  }
  if (x < 0.25) {
    const [subject, description] = pick(r, [
      [
        [
          `Refund for the returned ${line.name} not received`,
          'I sent the item back two weeks ago and have had no refund yet.',
        ],
        3,
      ],
      [
        [`Return of the ${line.name} refused as worn`, 'You refused my return saying it was worn; I only tried it on.'],
        2,
      ],
      [['Refund lower than expected', 'The refund was less than I paid; the shipping was not refunded.'], 1],
    ] as Weighted<[string, string]>)
    return {
      ...item,
      hours: [10 * 24, 35 * 24],
      caseType: 'return_dispute',
      subject,
      description,
      tags: [...base.tags, 'returns'],
    }
  }
  const defect = x < 0.3 && line.category ? defects[line.category]?.[Math.floor(r() * 2)] : undefined
  if (defect) {
    return {
      ...item,
      hours: [20 * 24, 110 * 24],
      caseType: 'warranty_claim',
      subject: `${line.name}: ${defect}`,
      description: `After a few weeks of wear: ${defect}. Is this covered?`,
      customFields: { purchase_date: o.placed_at.toISOString().slice(0, 10) },
    }
  }
  return undefined
}

/** The contacts up to `now`, oldest first. */
export function generateContacts(records: Records, now: Date, seed = 11): Contact[] {
  const r = rng(seed)
  const skus = [...new Map(records.orders.flatMap((o) => o.lines).map((l) => [l.sku, l])).values()]
  const after = (from: Date, [min, max]: [number, number]) =>
    new Date(from.getTime() + (min + r() * (max - min)) * hour)
  const contacts: Contact[] = []
  const add = (c: Draft) => {
    if (c.at > now) return
    const channel = pick(r, channels)
    contacts.push({ ...c, channel, duplicateOf: null })
    // Some customers write again before anyone answers, on another channel.
    const again = after(c.at, [1, 21])
    if (r() < 0.04 && again <= now)
      contacts.push({
        ...c,
        at: again,
        channel: channel === 'email' ? 'chat' : 'email',
        duplicateOf: contacts.length - 1,
      })
  }
  for (const o of records.orders) {
    const s = records.shipmentsByOrder.get(o.id)
    const customer = o.customer_id ? records.customers.get(o.customer_id) : undefined
    const base: Draft = {
      at: o.placed_at,
      caseType: 'other',
      orderId: o.id,
      shipmentId: null,
      customer,
      subject: '',
      description: '',
      productSku: null,
      value: null,
      customFields: {},
      tags: customer && customer.segment !== 'retail' ? [customer.segment] : [],
    }
    const x = r()
    const delivered = s && records.deliveredAt.get(s.id)
    if (s && delivered) {
      const problem = afterDelivery(base, o, s.id, x, r, skus)
      if (problem) {
        const { hours, ...draft } = problem
        add({ ...draft, at: after(delivered, hours) })
      }
    } else if (s && o.status !== 'cancelled' && s.estimated_delivery_on && x < 0.45) {
      // "Where is my parcel?", a day or more after it was due: the carrier's case, if the policy opened one, absorbs it.
      add({
        ...base,
        shipmentId: s.id,
        at: after(new Date(`${s.estimated_delivery_on}T09:00:00Z`), [24, 96]),
        caseType: 'late_delivery',
        subject: `Where is my order ${o.order_number ?? o.external_id}?`,
        description: 'My parcel should have arrived by now and tracking has not moved.',
        tags: [...base.tags, 'wismo'],
      })
    }
    if (r() < 0.1) {
      const [subject, description] = questions[Math.floor(r() * questions.length)]!
      add({ ...base, at: after(o.placed_at, [1, 240]), subject, description })
    }
  }
  const order = contacts.map((_, i) => i).sort((a, b) => contacts[a]!.at.getTime() - contacts[b]!.at.getTime() || a - b)
  const position = new Map(order.map((i, p) => [i, p]))
  return order.map((i) => ({
    ...contacts[i]!,
    duplicateOf: contacts[i]!.duplicateOf === null ? null : position.get(contacts[i]!.duplicateOf!)!,
  }))
}
