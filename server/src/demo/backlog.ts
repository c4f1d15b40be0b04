import { Readable } from 'node:stream'
import { systemContext } from '../auth/actor.js'
import type { AppContext } from '../context.js'
import { unresolvedStatuses } from '../cases/types.js'
import { runImport } from '../imports/service.js'

// `npx claimdesk demo --open-cases N`: a backlog of open cases on top of the demo's history, so the
// console can be tried (and its inbox timed) at the size of a busy team's queue. They arrive as an
// import from the helpdesk used before, linked to the demo's orders and customers.

const kinds: [type: string, subject: string][] = [
  ['lost_parcel', 'Parcel never arrived'],
  ['damaged', 'Arrived damaged'],
  ['late_delivery', 'Still waiting for my order'],
  ['wrong_item', 'Wrong size sent'],
  ['missing_item', 'Item missing from parcel'],
  ['return_dispute', 'Refund for my return?'],
  ['warranty_claim', 'Zip broke after two weeks'],
  ['customs_hold', 'Customs charges on delivery'],
  ['undeliverable', 'Parcel returned to you'],
  ['other', 'Question about my order'],
]
const statuses = [
  ['new', 20],
  ['open', 40],
  ['waiting_customer', 15],
  ['waiting_carrier', 15],
  ['on_hold', 10],
] as const
const tags = ['vip', 'repeat_customer', 'fragile', 'international', 'gift']

/** Adds open cases until the workspace has at least `target` unresolved ones; returns how many it added. */
export async function seedBacklog(ctx: AppContext, merchantId: string, target: number, now: Date): Promise<number> {
  const open = Number(
    (
      await ctx.db
        .selectFrom('cases')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('merchant_id', '=', merchantId)
        .where('status', 'in', unresolvedStatuses)
        .executeTakeFirstOrThrow()
    ).n,
  )
  const orders = await ctx.db
    .selectFrom('orders')
    .select('external_id')
    .where('merchant_id', '=', merchantId)
    .where('source', '=', 'shopify')
    .orderBy('id')
    .execute()
  const start = Number(
    (
      await ctx.db
        .selectFrom('cases')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('merchant_id', '=', merchantId)
        .where('source', '=', 'shopify')
        .executeTakeFirstOrThrow()
    ).n,
  )
  const need = Math.max(0, target - open)
  if (!need) return 0
  // A fixed sequence (not Math.random): the same backlog every time.
  let seed = 7 + start
  const r = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648
  const lines = Array.from({ length: need }, (_, i) => {
    const [type, subject] = kinds[Math.floor(r() * kinds.length)]!
    let roll = r() * 100
    const status = statuses.find(([, w]) => (roll -= w) < 0)?.[0] ?? 'open'
    // Newer cases are likelier: the queue's age follows the shape of a real backlog.
    const opened = new Date(now.getTime() - Math.floor(30 * 86_400_000 * r() ** 2) - 60_000)
    const order = orders.length ? orders[Math.floor(r() * orders.length)]!.external_id : null
    return JSON.stringify({
      external_id: `backlog-${start + i + 1}`,
      type,
      subject,
      status,
      opened_at: opened.toISOString(),
      channel: r() < 0.7 ? 'email' : 'chat',
      priority: r() < 0.1 ? 'high' : 'normal',
      tags: r() < 0.2 ? [tags[Math.floor(r() * tags.length)]] : [],
      order_external_id: order,
    })
  })
  const result = await runImport(
    ctx.db,
    systemContext(merchantId, 'demo'),
    { type: 'cases', format: 'jsonl', source: 'shopify', input: Readable.from(lines.map((l) => `${l}\n`)) },
    now,
  )
  if (result.failed)
    throw new Error(`demo backlog import refused ${result.failed} rows: ${JSON.stringify(result.errors.slice(0, 3))}`)
  return result.imported
}
