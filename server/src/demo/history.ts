import type { Transaction } from 'kysely'
import { announceOverdue, listLate, listStale } from '../carriers/service.js'
import { onShipmentOverdue, onShipmentStatusChanged, openCase } from '../cases/service.js'
import type { AppContext } from '../context.js'
import type { Database } from '../db/schema.js'
import { fireAction, listDueActions } from '../jobs/clock.js'
import { claimEvents, relayEvents } from '../jobs/outbox.js'
import { clockHandlers } from '../jobs/worker.js'
import type { DomainEvent } from '../jobs/events.js'
import { modules } from '../registry.js'
import { rng } from './commerce.js'
import type { Contact } from './contacts.js'
import { as } from './plan-case.js'
import type { Staff } from './staff.js'
import { postJourney, trackedDays, type Journey } from './tracking.js'

// The demo's past, replayed in time order as a running Claimdesk would have lived it: each carrier
// webhook arrives minutes after its latest scan and the exception policy hears of it at once, the
// overdue check runs at the first five-minute tick after a parcel was due, watch windows and
// lost-parcel checks fire at their own instants, and agents log customers' contacts as they come in.
// Case numbers follow that order.

type Trx = Transaction<Database>
type Item = { at: Date; policy: boolean; run: () => Promise<void> }
export type Replayed = { opened: Map<string, Contact>; webhooks: number }

const minute = 60_000
const policyName = 'cases:exception-policy'
const statusTypes = ['shipment.status_changed'] as const
const overdueTypes = ['shipment.late', 'shipment.stale'] as const
const consumers = modules.flatMap((m) => m.consumers ?? [])

function assertPolicyConsumer(): void {
  const policy = consumers.find((c) => c.name === policyName)
  if (!policy || ![...statusTypes, ...overdueTypes].every((t) => policy.types === '*' || policy.types.includes(t))) {
    throw new Error(`The demo replays carrier signals to the ${policyName} consumer, which no longer takes them`)
  }
}

/**
 * Hands events to the exception policy (what its consumer does) at `at`, in the transaction that claimed
 * them, and publishes them to the other consumers: the relay never gives the policy the same event twice.
 */
async function handOver(
  trx: Trx,
  events: DomainEvent<(typeof statusTypes)[number] | (typeof overdueTypes)[number]>[],
  at: Date,
): Promise<void> {
  for (const e of events)
    await (e.type === 'shipment.status_changed' ? onShipmentStatusChanged(trx, e, at) : onShipmentOverdue(trx, e, at))
  await relayEvents(trx, consumers, events, [policyName])
}

/**
 * When the overdue check runs: at the five-minute tick after each parcel is due as imported, and every
 * six hours over the tracked month, whose webhooks move those dates (the real check runs every five minutes).
 */
async function overdueTicks(ctx: AppContext, merchantId: string, now: Date): Promise<Date[]> {
  const slot = 5 * minute
  const ticks = new Set<number>()
  for (const list of [listStale, listLate]) {
    for (
      let after: string | undefined, page: Awaited<ReturnType<typeof list>>;
      (page = await list(ctx.db, merchantId, now, { after, limit: 500 })).length;
      after = page[page.length - 1]!.shipment_id
    ) {
      for (const s of page)
        if (!s.since && s.due_at) ticks.add(Math.min(Math.ceil(s.due_at.getTime() / slot) * slot, now.getTime()))
    }
  }
  const sixHours = 6 * 60 * minute
  for (
    let t = Math.ceil((now.getTime() - trackedDays * 86_400_000) / sixHours) * sixHours;
    t <= now.getTime();
    t += sixHours
  )
    ticks.add(t)
  return [...ticks].map((t) => new Date(t))
}

export async function replayHistory(
  ctx: AppContext,
  merchantId: string,
  input: { staff: Staff; feed: { id: string; secret: string }; journeys: Journey[]; contacts: Contact[] },
  now: Date,
): Promise<Replayed> {
  assertPolicyConsumer()
  const r = rng(23)
  const inTx = <T>(fn: (trx: Trx) => Promise<T>) => ctx.db.transaction().execute(fn)
  const result: Replayed = { opened: new Map(), webhooks: 0 }
  const items: Item[] = [
    ...input.journeys.map((j) => ({
      at: j.at,
      policy: true,
      run: () =>
        inTx(async (trx) => {
          if (!(await postJourney(trx, ctx, merchantId, input.feed, j))) return
          result.webhooks++
          await handOver(trx, await claimEvents(trx, merchantId, { types: statusTypes, subjectId: j.shipmentId }), j.at)
        }),
    })),
    ...(await overdueTicks(ctx, merchantId, now)).map((tick) => ({
      at: tick,
      policy: true,
      run: async () => {
        await announceOverdue(ctx.db, [merchantId], tick)
        const at = new Date(Math.min(tick.getTime() + (1 + r() * 4) * minute, now.getTime()))
        // One event a transaction, as its consumer takes them: the policy locks a shipment, then the case counter,
        // and holding the counter while waiting on another shipment's lock could deadlock with a running worker.
        const next = () =>
          inTx(async (trx) => {
            const events = await claimEvents(trx, merchantId, { types: overdueTypes, from: tick, limit: 1 })
            await handOver(trx, events, at)
            return events.length > 0
          })
        while (await next());
      },
    })),
    ...input.contacts.map((c) => ({
      at: c.at,
      policy: false,
      run: async () => {
        result.opened.set(await openContact(ctx, merchantId, input.staff, c, r), c)
      },
    })),
  ].sort((a, b) => a.at.getTime() - b.at.getTime())

  // Clock actions the policy scheduled (watch windows, lost checks) fire at their instant, in turn with the rest.
  const handlers = clockHandlers(modules)
  const nextAction = async () => (await listDueActions(ctx.db, merchantId, now, 1))[0]?.runAt
  let next = await nextAction()
  const fireUntil = async (until: Date) => {
    while (next && next <= until) {
      for (const a of await listDueActions(ctx.db, merchantId, until, 100))
        await inTx(async (trx) => {
          await fireAction(trx, handlers, ctx, merchantId, a.key, a.runAt)
        })
      next = await nextAction()
    }
  }
  for (const item of items) {
    await fireUntil(item.at)
    await item.run()
    if (item.policy) next = await nextAction()
  }
  await fireUntil(now)
  return result
}

/** An agent logs what the customer wrote or said; a chat or a call is theirs at once, an email waits in the team's queue. */
async function openContact(
  ctx: AppContext,
  merchantId: string,
  staff: Staff,
  c: Contact,
  r: () => number,
): Promise<string> {
  const vip = c.customer?.segment === 'vip'
  const agent = staff.agents[Math.floor(r() * staff.agents.length)]!
  const live = c.channel !== 'email'
  const row = await ctx.db.transaction().execute((trx) =>
    openCase(
      trx,
      as(merchantId, agent),
      {
        caseType: c.caseType,
        subject: c.subject,
        description: c.description,
        channel: c.channel,
        source: 'manual',
        priority: vip ? 'high' : undefined,
        orderId: c.orderId,
        shipmentId: c.shipmentId,
        productSku: c.productSku,
        value: c.value,
        customFields: c.customFields,
        tags: c.tags,
        teamId: vip ? staff.teams.highValue : c.shipmentId ? staff.teams.logistics : staff.teams.support,
        assigneeId: live ? agent.id : null,
      },
      c.at,
    ),
  )
  return row.id
}
