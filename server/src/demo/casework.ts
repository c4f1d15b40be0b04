import { assignCase, findCaseOrThrow, linkRecords, listCases, mergeCases, reopenCase } from '../cases/service.js'
import type { Case } from '../cases/types.js'
import type { Transaction } from 'kysely'
import type { AppContext } from '../context.js'
import type { Database } from '../db/schema.js'
import { withEventsHeld } from '../jobs/outbox.js'
import { withLiveHeld } from '../live/publish.js'
import { rng } from './commerce.js'
import type { Contact } from './contacts.js'
import { as, hour, planCase, type Plan, type Step } from './plan-case.js'
import { relayHeard } from './sla.js'
import type { Staff } from './staff.js'
import { inParallel } from './util.js'

type Trx = Transaction<Database>

// The agents work the cases as the days went by. Steps later than now are not taken, so the newest
// cases are still new, open or waiting while older ones are resolved or closed.

export async function listAllCases(ctx: AppContext, merchantId: string, now: Date): Promise<Case[]> {
  const all: Case[] = []
  for (let cursor: string | undefined; ; ) {
    const page = await listCases(ctx.db, merchantId, {}, { sort: 'created_asc', cursor, limit: 500 }, now)
    all.push(...page.data)
    if (!page.next_cursor) return all
    cursor = page.next_cursor
  }
}

export type CaseworkInput = {
  staff: Staff
  contacts: Contact[]
  opened: Map<string, Contact>
  deliveredAt: Map<string, Date | null>
  concurrency: number
}

export async function workCases(ctx: AppContext, merchantId: string, input: CaseworkInput, now: Date): Promise<void> {
  const { staff, contacts, opened } = input
  const r = rng(31)
  const cases = await listAllCases(ctx, merchantId, now)
  const byId = new Map(cases.map((c) => [c.id, c]))
  const caseOf = new Map([...opened].map(([id, c]) => [c, id]))
  const policyCaseOf = new Map(
    cases.filter((c) => c.source === 'exception_policy' && c.shipment_id).map((c) => [c.shipment_id!, c]),
  )
  // The case a customer's repeat contact joins, or their "where is my parcel?" about a parcel the carrier's case is about.
  const joins = (c: Case): Case | undefined => {
    const contact = opened.get(c.id)
    if (contact?.duplicateOf != null) return byId.get(caseOf.get(contacts[contact.duplicateOf]!)!)
    const carrierCase =
      contact?.caseType === 'late_delivery' && c.shipment_id ? policyCaseOf.get(c.shipment_id) : undefined
    return carrierCase && carrierCase.created_at < c.created_at ? carrierCase : undefined
  }
  const survivorOf = (c: Case): Case | undefined => {
    let survivor = joins(c)
    for (let next = survivor && joins(survivor); next; next = joins(next)) survivor = next
    return survivor
  }

  const planner = { merchantId, staff, deliveredAt: input.deliveredAt, r, end: now.getTime(), app: ctx }
  const plans = new Map<string, Plan>()
  for (const c of cases) if (!survivorOf(c)) plans.set(c.id, planCase(c, planner))
  const merges = new Map<string, Step[]>()
  for (const c of cases) {
    const survivor = survivorOf(c)
    if (!survivor) continue
    const at = c.created_at.getTime() + (0.5 + r() * 3.5) * hour
    const into = plans.get(survivor.id)!
    if (at < into.resolvedAt) {
      merges.set(survivor.id, [
        ...(merges.get(survivor.id) ?? []),
        {
          at,
          act: async (trx, d) => {
            const agent = as(merchantId, into.agent)
            await mergeCases(trx, agent, survivor.id, [c.id], d)
            // The merge opens the case: the agent merging takes it when nobody has yet (its story may assign later).
            if (!(await findCaseOrThrow(trx, merchantId, survivor.id)).team_id)
              await assignCase(trx, agent, survivor.id, { assigneeId: into.agent.id, teamId: staff.teams.support }, d)
          },
        },
      ])
    } else {
      // Too late to merge: the customer's case points to the other and is worked on its own.
      const own = planCase(c, planner)
      own.steps.push({
        at,
        act: (trx, d) =>
          linkRecords(trx, as(merchantId, own.agent), c.id, [{ entityType: 'case', entityId: survivor.id }], d),
      })
      plans.set(c.id, own)
    }
  }
  // Each case, with those merged into it, is its own story, so several are told at once.
  const units = [...plans].map(([id, p]) => ({
    id,
    steps: [...p.steps, ...(merges.get(id) ?? [])].filter((s) => s.at <= planner.end).sort((a, b) => a.at - b.at),
  }))
  // A story's events and live messages are written in one statement each as it ends (its steps never read them back).
  const tell = async (trx: Trx, steps: Step[]) => {
    for (const s of steps) await s.act(trx, new Date(s.at))
  }
  await inParallel(units, input.concurrency, ({ id, steps }) =>
    ctx.db.transaction().execute(async (trx) => {
      await withEventsHeld(trx, () => withLiveHeld(trx, () => tell(trx, steps)))
      await relayHeard(trx, merchantId, id)
    }),
  )
  await followUp(ctx, merchantId, staff, await listAllCases(ctx, merchantId, now), r, now)
}

/** A few customers write about cases closed weeks ago: past the reopen window, each becomes a linked follow-up case. */
async function followUp(
  ctx: AppContext,
  merchantId: string,
  staff: Staff,
  cases: Case[],
  r: () => number,
  now: Date,
): Promise<void> {
  const old = cases.filter(
    (c) =>
      c.status === 'closed' &&
      !c.merged_into_id &&
      c.closed_at &&
      now.getTime() - c.closed_at.getTime() > 10 * 24 * hour,
  )
  const times = [0, 1, 2].map(() => now.getTime() - (2 + r() * 8) * hour).sort((a, b) => a - b)
  for (const [i, t] of times.entries()) {
    const c = old.splice(Math.floor(r() * old.length), 1)[0]
    if (!c) return
    const agent = staff.agents[i % staff.agents.length]!
    await ctx.db
      .transaction()
      .execute((trx) =>
        reopenCase(
          trx,
          as(merchantId, agent),
          c.id,
          { reason: 'The customer wrote again about the same problem' },
          new Date(t),
        ),
      )
  }
}
