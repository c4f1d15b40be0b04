import type { Transaction } from 'kysely'
import { systemContext, type ServiceContext } from '../auth/actor.js'
import { addNote, assignCase, changeStatus, escalateCase, reopenCase, updateCase } from '../cases/service.js'
import type { ResolutionCode } from '../cases/types.js'
import type { Case } from '../cases/types.js'
import type { Database } from '../db/schema.js'
import { acknowledges } from '../messaging/templates/acknowledge.js'
import type { RenderApp } from '../messaging/templates/service.js'
import { pick } from './commerce.js'
import { acknowledge, agentReply, customerAddress, customerAnswer, type SentReply } from './conversation.js'
import { resolutionNotes, scripts, type Script } from './scripts.js'
import { replied, statusHeard } from './sla.js'
import { mention, type Person, type Staff } from './staff.js'

// One case's story as timed steps: triage, ask and wait, hear back, resolve, and the workspace's
// auto-close 72 hours later. Cases older than six weeks keep only their milestones (assignment,
// waiting, resolution, closing: what reports read); newer ones carry the conversation too.

type Trx = Transaction<Database>
export type Step = { at: number; act: (trx: Trx, at: Date) => Promise<unknown> }
export type Plan = { steps: Step[]; agent: Person; resolvedAt: number }
export type Planner = {
  merchantId: string
  staff: Staff
  deliveredAt: Map<string, Date | null>
  r: () => number
  end: number
  /** Config and link keys, to render the messages of the case's conversation */
  app: RenderApp
}

export const hour = 3_600_000
/** A person of the demo's staff at work: audited and on the timeline as that user, as if signed in. */
export const as = (merchantId: string, p: Person): ServiceContext => ({
  merchantId,
  actor: { type: 'user', id: p.id, merchantId, name: p.name, roleId: null, grants: new Map() },
  requestId: null,
})
// A delivery answers these: the case ends with nothing to do.
const answeredByDelivery = new Set(['lost_parcel', 'late_delivery', 'customs_hold'])

class Story {
  readonly steps: Step[] = []
  t: number
  constructor(
    readonly c: Case,
    readonly p: Planner,
    readonly s: Script,
    readonly agent: Person,
    readonly detailed: boolean,
  ) {
    this.t = c.created_at.getTime()
  }

  /** Moves the story on by between `min` and `max` hours. */
  later(min: number, max: number): number {
    this.t += (min + this.p.r() * (max - min)) * hour
    return this.t
  }

  /** A step taken by a person, or by Claimdesk itself ('system'). */
  do(at: number, who: Person | 'system', act: (trx: Trx, work: ServiceContext, at: Date) => Promise<unknown>): void {
    const work = who === 'system' ? systemContext(this.p.merchantId) : as(this.p.merchantId, who)
    this.steps.push({ at, act: (trx, d) => act(trx, work, d) })
  }

  /** The SLA hears of the status the last step set, as its consumer would at that moment. */
  slaHears(at: number): void {
    this.do(at, 'system', (trx, w, d) => statusHeard(trx, w.merchantId, this.c.id, d))
  }

  note(at: number, body: string): void {
    if (this.detailed) this.do(at, this.agent, (trx, w, d) => addNote(trx, w, this.c.id, { body }, d))
  }

  say(text: string): string {
    return text.replace(/\{carrier\}/g, this.c.carrier_name ?? 'the carrier')
  }
}

/** The automatic acknowledgement, a minute after a customer's request was logged (cases Claimdesk opened get none). */
function acknowledgement(st: Story): void {
  const { c, p } = st
  if (!acknowledges(c)) return
  st.do(c.created_at.getTime() + 60_000, 'system', async (trx, w, d) => {
    const customer = await customerAddress(trx, w.merchantId, c)
    if (customer) await acknowledge(trx, w.merchantId, c, { app: p.app, customer }, d)
  })
}

/** Most first responses come within hours, some the next day, a few after days; a chat or call is the agent's already. */
function firstResponse(st: Story): void {
  const { c, p, s, agent } = st
  if (c.assignee_id) {
    const at = st.later(0.05, 0.3)
    st.note(at, `Took the customer's ${c.channel === 'phone' ? 'call' : c.channel}; details logged.`)
    // The call or chat answered the customer: the first response (replies are seeded as history, not sent).
    st.do(at, 'system', (trx, w, d) => replied(trx, w.merchantId, c.id, d))
    return
  }
  const wait = p.r()
  const at = st.later(...((wait < 0.45 ? [0.3, 8] : wait < 0.8 ? [8, 48] : [48, 144]) as [number, number]))
  const teamId = c.tags.includes('vip') ? p.staff.teams.highValue : p.staff.teams[s.team]
  st.do(at, p.r() < 0.25 ? p.staff.manager : agent, (trx, w, d) =>
    assignCase(trx, w, c.id, { assigneeId: agent.id, teamId }, d),
  )
  // The agent's first answer to the customer, as the SLA's first response (history has no message.sent).
  st.do(at + 120_000, 'system', (trx, w, d) => replied(trx, w.merchantId, c.id, d))
  if (st.detailed && s.tags.length && p.r() < 0.6)
    st.do(at + 60_000, agent, (trx, w, d) => updateCase(trx, w, c.id, { addTags: s.tags }, d))
}

/** The case waits on the customer, the carrier or the warehouse; a VIP or an impatient customer gets it escalated. */
function askAndWait(st: Story, waitsIn: NonNullable<Script['waitsIn']>): void {
  const { c, p, s, agent } = st
  const asked = st.later(1, 24)
  const lead = p.staff.logisticsLead
  // Waiting on the customer: the agent writes to them (a note when there is no address), they answer.
  let reply: SentReply | null = null
  const writes = st.detailed && waitsIn === 'waiting_customer' && !!s.request
  if (writes)
    st.do(asked, agent, async (trx, w, d) => {
      const customer = await customerAddress(trx, w.merchantId, c)
      if (customer) reply = await agentReply(trx, w, c, { app: p.app, customer }, st.say(s.request!), d)
      else await addNote(trx, w, c.id, { body: st.say(s.ask) }, d)
    })
  else
    st.note(
      asked,
      waitsIn === 'on_hold' && lead.id !== agent.id ? `${st.say(s.ask)} cc ${mention(lead)}` : st.say(s.ask),
    )
  st.do(asked + 1000, agent, (trx, w, d) => changeStatus(trx, w, c.id, { status: waitsIn }, d))
  st.slaHears(asked + 1000)
  const answered = st.later(...s.waitHours)
  const vip = c.tags.includes('vip')
  if (p.r() < (vip ? 0.25 : 0.05)) {
    const at = asked + (0.2 + p.r() * 0.7) * (answered - asked)
    st.note(at, `${mention(p.staff.manager)} the customer is chasing this; can you take a look?`)
    st.do(at + 1000, agent, (trx, w, d) =>
      escalateCase(trx, w, c.id, { reason: vip ? 'vip_customer' : 'customer_chasing' }, d),
    )
  }
  // One in four customers answers from the status page rather than by email.
  const portal = Number(c.number.replace(/\D/g, '')) % 4 === 0
  if (st.detailed)
    st.do(answered, agent, async (trx, w, d) => {
      // The customer's answer reopens the case, as their email or portal message does.
      if (reply) {
        const mail = { app: p.app, customer: { address: '' } }
        mail.customer = (await customerAddress(trx, w.merchantId, c)) ?? mail.customer
        await customerAnswer(trx, w.merchantId, c, mail, { text: st.say(s.reply!), inReplyTo: reply, portal }, d)
      } else await changeStatus(trx, w, c.id, { status: 'open', reason: 'reply' }, d)
    })
  if (st.detailed) st.slaHears(answered)
  st.note(answered + 1000, st.say(s.answer))
  st.later(4, 72)
}

function approveRefund(st: Story): void {
  const { c, p } = st
  const amount = c.value ? `${(c.value.amount_minor / 100).toFixed(2)} ${c.value.currency}` : 'the order total'
  st.note(st.t, `${mention(p.staff.finance)} please approve a refund of ${amount}.`)
  st.do(st.later(1, 20), p.staff.finance, (trx, w, d) =>
    updateCase(trx, w, c.id, { refundAuthorisedBy: p.staff.finance.id }, d),
  )
  st.later(0.2, 3)
}

/** Resolved (and now and then reopened by a customer who writes back, then resolved again), closed 72 hours later. */
function resolveAndClose(st: Story, code: ResolutionCode, delivered: boolean): number {
  const { c, p, s, agent } = st
  const cause = pick(p.r, s.causes)
  const resolutionNote = delivered ? `Delivered after all. ${resolutionNotes[code]}` : resolutionNotes[code]
  const resolve = (at: number) => {
    st.do(at, agent, (trx, w, d) =>
      changeStatus(
        trx,
        w,
        c.id,
        {
          status: 'resolved',
          resolutionCode: code,
          resolutionNote,
          rootCause: cause,
          faultParty: cause === 'carrier' ? c.carrier_name : null,
        },
        d,
      ),
    )
    st.slaHears(at)
  }
  const resolvedAt = st.t
  resolve(resolvedAt)
  if (p.r() < 0.04) {
    const reopened = st.later(6, 60)
    st.do(reopened, agent, (trx, w, d) =>
      reopenCase(trx, w, c.id, { reason: 'The customer says the problem is not solved' }, d),
    )
    st.slaHears(reopened)
    resolve(st.later(24, 72))
  }
  st.do(st.later(72, 72), 'system', (trx, w, d) =>
    changeStatus(trx, w, c.id, { status: 'closed', reason: 'auto_close' }, d),
  )
  return resolvedAt
}

export function planCase(c: Case, p: Planner): Plan {
  const s = scripts[c.case_type] ?? scripts.other!
  const agent =
    p.staff.agents.find((a) => a.id === c.assignee_id) ??
    (s.team === 'logistics' && p.r() < 0.7
      ? p.staff.logisticsLead
      : p.staff.agents[Math.floor(p.r() * p.staff.agents.length)]!)
  const st = new Story(c, p, s, agent, p.end - c.created_at.getTime() < 42 * 24 * hour)
  acknowledgement(st)
  firstResponse(st)
  if (s.waitsIn) askAndWait(st, s.waitsIn)
  else st.later(2, 48)
  const delivered =
    c.source === 'exception_policy' &&
    answeredByDelivery.has(c.case_type) &&
    !!c.shipment_id &&
    !!p.deliveredAt.get(c.shipment_id)
  const code = delivered ? 'no_action' : pick(p.r, s.codes)
  if (code === 'refunded' && st.detailed && p.r() < 0.6) approveRefund(st)
  return { steps: st.steps, agent, resolvedAt: resolveAndClose(st, code, delivered) }
}
