import { sql } from 'kysely'
import { beforeAll, describe, expect, it } from 'vitest'
import { startTestEnv } from '../../test/harness.js'
import { listCaseTimeline } from '../cases/service.js'
import { caseStatuses } from '../cases/types.js'
import type { Case } from '../cases/types.js'
import { listAllCases } from './casework.js'
import { listCalendars } from '../sla/calendars/service.js'
import { listPolicies } from '../sla/policies/service.js'
import { demoProvider, demoReason } from './conversation.js'
import { seedDemo, type DemoResult } from './seed.js'
import { csatStats } from '../csat/service.js'

let demo: DemoResult
let cases: Case[]
// Noon UTC tomorrow: the same time of day on every run keeps the counts the same (delivery estimates are dates).
const now = new Date(Math.ceil(Date.now() / 86_400_000) * 86_400_000 + 12 * 3_600_000)

const env = await startTestEnv()
beforeAll(async () => {
  // Enough history for every status to hold a few cases; the full demo has six times as much.
  demo = await seedDemo(env.ctx, { orders: 800, concurrency: 2 }, now)
  cases = await listAllCases(env.ctx, demo.merchantId, now)
}, 240_000)

describe("the demo's cases", () => {
  it('holds cases in every status, opened by the exception policy and by hand, and reports them as they are', async () => {
    const byStatus = Object.fromEntries(caseStatuses.map((s) => [s, cases.filter((c) => c.status === s).length]))
    expect(demo.cases).toEqual({
      total: cases.length,
      byStatus,
      fromPolicy: cases.filter((c) => c.source === 'exception_policy').length,
      byHand: cases.filter((c) => c.source === 'manual').length,
      merged: cases.filter((c) => c.merged_into_id).length,
      followUps: cases.filter((c) => c.follow_up_of_id).length,
      sla: expect.any(Object),
      csat: expect.any(Object),
      evidence: expect.any(Object),
    })
    for (const status of caseStatuses) expect(byStatus[status], status).toBeGreaterThan(0)
    expect(demo.cases!.fromPolicy).toBeGreaterThan(25)
    expect(demo.cases!.byHand).toBeGreaterThan(150)
    expect(demo.cases!.followUps).toBeGreaterThan(0)
  })

  it('links each policy case to its shipment, order and customer, with the carrier event that opened it, once per shipment and type', async () => {
    const policy = cases.filter((c) => c.source === 'exception_policy')
    const shipments = await env.ctx.db
      .selectFrom('shipments')
      .select(['id', 'order_id'])
      .where('merchant_id', '=', demo.merchantId)
      .execute()
    const orderOf = new Map(shipments.map((s) => [s.id, s.order_id]))
    const links = await env.ctx.db
      .selectFrom('case_links')
      .select(['case_id', 'entity_type', 'entity_id'])
      .where('merchant_id', '=', demo.merchantId)
      .execute()
    for (const c of policy) {
      expect(c.channel).toBe('carrier')
      expect(c.order_id).toBe(orderOf.get(c.shipment_id!))
      expect(c.customer_id).not.toBeNull()
      const own = links.filter((l) => l.case_id === c.id).map((l) => `${l.entity_type}:${l.entity_id}`)
      expect(own).toEqual(
        expect.arrayContaining([`shipment:${c.shipment_id}`, `order:${c.order_id}`, `customer:${c.customer_id}`]),
      )
    }
    const sample = policy.filter((_, i) => i % 10 === 0)
    for (const c of sample) {
      const { data } = await listCaseTimeline(env.ctx.db, demo.merchantId, c.id, { limit: 50 })
      expect(
        data.map((e) => e.type),
        c.number,
      ).toContain('carrier_event')
      expect(data.find((e) => e.type === 'case.opened')!.occurred_at.getTime()).toBe(c.created_at.getTime())
    }
    // The replay handed each carrier signal to the policy and published it in one transaction: the relay never
    // gave one to the policy again, so nothing was opened at the real time (after now) or twice.
    expect(Math.max(...policy.map((c) => c.created_at.getTime()))).toBeLessThanOrEqual(now.getTime())
    const keys = policy.map((c) => `${c.shipment_id}:${c.case_type}`)
    expect(new Set(keys).size).toBe(keys.length)
    const waiting = await env.ctx.db
      .selectFrom('outbox')
      .select('id')
      .where('merchant_id', '=', demo.merchantId)
      .where('published_at', 'is', null)
      .where('type', 'in', ['shipment.status_changed', 'shipment.late', 'shipment.stale'])
      .execute()
    expect(waiting).toEqual([])
  })

  it('spreads the cases over the trading history, and the agents work them: channels, assignees, teams, merges, reopenings, mentions', async () => {
    const created = cases.map((c) => c.created_at.getTime())
    expect(Math.max(...created)).toBeLessThanOrEqual(now.getTime())
    expect(Math.min(...created)).toBeLessThan(now.getTime() - 60 * 86_400_000)
    const hand = cases.filter((c) => c.source === 'manual')
    expect(new Set(hand.map((c) => c.channel))).toEqual(new Set(['email', 'chat', 'phone']))
    expect([...new Set(hand.map((c) => c.case_type))]).toEqual(
      expect.arrayContaining(['wrong_item', 'missing_item', 'return_dispute', 'warranty_claim', 'other']),
    )
    for (const c of hand) expect(c.order_id).not.toBeNull()
    const agents = await env.ctx.db
      .selectFrom('users')
      .innerJoin('roles', (j) =>
        j.onRef('roles.merchant_id', '=', 'users.merchant_id').onRef('roles.id', '=', 'users.role_id'),
      )
      .select('users.id')
      .where('users.merchant_id', '=', demo.merchantId)
      .where('roles.builtin_key', '=', 'agent')
      .execute()
    expect([...new Set(cases.filter((c) => c.assignee_id).map((c) => c.assignee_id))].sort()).toEqual(
      agents.map((u) => u.id).sort(),
    )
    const about = (c: Case) => `CD-${c.number} ${c.source} ${c.case_type} ${c.status} ${c.resolution_code}`
    for (const c of cases.filter((x) => x.status !== 'new' && !x.merged_into_id && x.source !== 'follow_up'))
      expect(c.team_id, about(c)).not.toBeNull()
    const merged = cases.filter((c) => c.merged_into_id)
    expect(merged.length).toBeGreaterThan(0)
    for (const c of merged) expect(c).toMatchObject({ status: 'closed', resolution_code: 'duplicate' })
    const survivor = (c: Case) => cases.find((x) => x.id === c.merged_into_id)!
    expect(
      merged.some(
        (c) =>
          c.tags.includes('wismo') &&
          survivor(c).source === 'exception_policy' &&
          survivor(c).shipment_id === c.shipment_id,
      ),
    ).toBe(true)
    expect(cases.some((c) => c.reopen_count > 0)).toBe(true)
    for (const c of cases.filter((x) => x.status === 'resolved' || (x.status === 'closed' && !x.merged_into_id))) {
      expect(c.resolution_code, about(c)).not.toBeNull()
      expect(c.root_cause, about(c)).not.toBeNull()
    }
    expect([...new Set(cases.flatMap((c) => c.tags))]).toEqual(
      expect.arrayContaining(['carrier-claim', 'photos-requested', 'wismo']),
    )
    const mentions = await env.ctx.db
      .selectFrom('notifications')
      .select('user_id')
      .where('merchant_id', '=', demo.merchantId)
      .where('cause', '=', 'mention')
      .execute()
    expect(mentions.length).toBeGreaterThan(0)
  })
  it('gives the customers conversations: acknowledgements, agents asking, answers by email (threaded, quoted) and from the status page, all seeded as history', async () => {
    const messages = await env.ctx.db
      .selectFrom('messages')
      .selectAll()
      .where('merchant_id', '=', demo.merchantId)
      .execute()
    const demoOnes = messages.filter((x) => x.provider === demoProvider)
    const demoEmail = demoOnes.filter((x) => x.channel === 'email')
    const acks = demoOnes.filter((x) => x.automatic && x.message_id_header?.startsWith('ack.'))
    const asks = demoEmail.filter((x) => x.direction === 'out' && x.author_type === 'agent')
    const answers = demoEmail.filter((x) => x.direction === 'in' && x.visibility === 'public')
    const portal = messages.filter((x) => x.channel === 'portal' && x.direction === 'in')
    expect(acks.length).toBeGreaterThan(20)
    expect(asks.length).toBeGreaterThan(5)
    expect(answers.length).toBeGreaterThan(3)
    expect(portal.length).toBeGreaterThan(0)
    // History, not mail to send: sent in the past by the demo, never queued for a mail server.
    for (const x of [...acks, ...asks]) expect(x).toMatchObject({ status: 'sent', status_reason: demoReason })
    expect(messages.filter((x) => x.status === 'queued' || x.status === 'sending')).toEqual([])
    // Each emailed answer is a reply to the agent's email: threaded by its headers, the quote folded away.
    const byHeader = new Map(asks.map((x) => [x.message_id_header, x]))
    for (const a of answers) {
      const asked = byHeader.get(a.in_reply_to)
      expect(asked?.case_id, a.id).toBe(a.case_id)
      expect(a.references_headers).toEqual([a.in_reply_to])
      expect(a.quoted_text).toMatch(/wrote:\n> /)
      expect(a.text_body.startsWith(a.reply_text!)).toBe(true)
      expect(a.created_at.getTime()).toBeGreaterThan(asked!.created_at.getTime())
    }
    // One side conversation: the agent asked the carrier's claims desk, which answered; its own thread, internal.
    const side = messages.filter((x) => x.visibility === 'side').sort((a, b) => (a.id < b.id ? -1 : 1))
    expect(side.map((x) => [x.direction, x.author_type, x.status])).toEqual([
      ['out', 'agent', 'not_sent'],
      ['in', 'contact', 'received'],
    ])
    expect(side[0]!.side_conversation_id).not.toBeNull()
    expect(side[1]!.side_conversation_id).toBe(side[0]!.side_conversation_id)
    expect(side[1]!.in_reply_to).toBe(side[0]!.message_id_header)
    // Two customers write by phone: an SMS exchange and a WhatsApp one, each on one case, the customer consented.
    for (const channel of ['sms', 'whatsapp'] as const) {
      const texts = demoOnes
        .filter((x) => x.channel === channel)
        .sort((a, b) => a.created_at.getTime() - b.created_at.getTime())
      expect(
        texts.map((x) => x.direction),
        channel,
      ).toEqual(channel === 'sms' ? ['out', 'in', 'out'] : ['in', 'out', 'in'])
      expect(new Set(texts.map((x) => x.case_id)).size).toBe(1)
    }
  })

  it('puts cases in every SLA state under three tiers in UK business hours: running, breaching soon, paused, breached with a step and a remedy, met', async () => {
    const sla = demo.cases!.sla
    for (const state of ['active', 'paused', 'met', 'breached'] as const) expect(sla[state], state).toBeGreaterThan(0)
    expect(sla).toEqual({ ...sla, dueSoon: 3 })
    const policies = await listPolicies(env.ctx.db, demo.merchantId)
    expect(new Set(policies.map((p) => p.live.tier))).toEqual(new Set(['high', 'medium', 'low']))
    const calendars = await listCalendars(env.ctx.db, demo.merchantId, { limit: 10 })
    const uk = calendars.find((c) => c.name === 'UK business hours')!
    expect(uk.holidays.length).toBeGreaterThan(5)
    expect(policies.find((p) => p.name === 'High-value items')!.live.targets[0]).toMatchObject({
      target: 'first_response',
      minutes: 240,
      calendar_id: uk.id,
    })
    // Breaching soon: running targets due within three hours of now, due first.
    const soon = cases.filter(
      (c) =>
        c.sla_state === 'active' && c.sla_next_due_at && c.sla_next_due_at.getTime() < now.getTime() + 3 * 3_600_000,
    )
    expect(soon.length).toBeGreaterThanOrEqual(3)
    const entries = await env.ctx.db
      .selectFrom('case_timeline')
      .select(['case_id', 'type'])
      .where('merchant_id', '=', demo.merchantId)
      .where('type', 'in', ['sla_step', 'sla_remedy', 'sla_breached'])
      .execute()
    const withRemedy = new Set(entries.filter((e) => e.type === 'sla_remedy').map((e) => e.case_id))
    expect(entries.some((e) => e.type === 'sla_step' && withRemedy.has(e.case_id))).toBe(true)
    expect(cases.some((c) => withRemedy.has(c.id) && c.sla_state === 'breached')).toBe(true)
    // The history's met targets leave no step armed to fire later for nothing (a met clock fires none).
    const armedOnMet = await env.ctx.db
      .selectFrom('scheduled_actions as a')
      .innerJoin('sla_clocks as k', (j) =>
        j.onRef('k.merchant_id', '=', 'a.merchant_id').on('k.id', '=', sql<string>`(a.payload ->> 'clock_id')::uuid`),
      )
      .select('a.key')
      .where('a.merchant_id', '=', demo.merchantId)
      .where('a.task', '=', 'sla:step')
      .where('a.state', '=', 'scheduled')
      .where('k.state', '=', 'met')
      .execute()
    expect(armedOnMet).toEqual([])
  })
})

describe("the demo's evidence", () => {
  it('puts photos, proofs of delivery and invoices on damaged, lost and customs cases, and leaves one request open', async () => {
    const items = await env.ctx.db
      .selectFrom('evidence_items')
      .innerJoin('cases', (j) => j.onRef('cases.id', '=', 'evidence_items.case_id'))
      .select(['evidence_items.type_key', 'evidence_items.uploader_kind', 'cases.type_key as case_type'])
      .where('evidence_items.merchant_id', '=', demo.merchantId)
      .execute()
    const count = (pred: (i: (typeof items)[number]) => boolean) => items.filter(pred).length
    const { evidence } = demo.cases!
    expect(count((i) => i.type_key.endsWith('_photo') && i.uploader_kind === 'customer')).toBe(evidence.photos)
    expect(count((i) => i.type_key === 'pod_image' && i.case_type === 'lost_parcel')).toBe(evidence.proofsOfDelivery)
    expect(count((i) => i.type_key.endsWith('invoice'))).toBe(evidence.invoices)
    expect(evidence.photos).toBeGreaterThan(10)
    expect(evidence.proofsOfDelivery).toBeGreaterThan(0)
    expect(count((i) => i.type_key === 'commercial_invoice' && i.case_type === 'customs_hold')).toBeGreaterThan(0)
    // Each case's evidence_count is what it holds.
    const counted = await env.ctx.db
      .selectFrom('cases')
      .select((eb) => eb.fn.sum<string>('evidence_count').as('n'))
      .where('merchant_id', '=', demo.merchantId)
      .executeTakeFirstOrThrow()
    expect(Number(counted.n)).toBe(items.length)
    // The demo's own request, beside those its rules made (photos of damage, a customs hold's paperwork).
    const ruleIds = (
      await env.ctx.db.selectFrom('rules').select('id').where('merchant_id', '=', demo.merchantId).execute()
    ).map((r) => r.id)
    const requests = await env.ctx.db
      .selectFrom('evidence_requests')
      .selectAll()
      .where('merchant_id', '=', demo.merchantId)
      .execute()
    expect(requests.filter((r) => !ruleIds.includes(r.created_by ?? ''))).toEqual([
      expect.objectContaining({ status: 'open' }),
    ])
    expect(requests.filter((r) => ruleIds.includes(r.created_by ?? '')).length).toBeGreaterThan(0)
    expect(evidence.request?.url).toMatch(/\/portal\/evidence\/[\w-]+\.[\w-]+$/)
  })
})

describe("the demo's rules", () => {
  it('runs the default pack and the playbook rules on the history, each execution on its case at its own time', async () => {
    const runs = await env.ctx.db
      .selectFrom('rule_executions as e')
      .innerJoin('rules as r', (j) => j.onRef('r.merchant_id', '=', 'e.merchant_id').onRef('r.id', '=', 'e.rule_id'))
      .select(['r.name', 'e.outcome', 'e.case_id', 'e.occurred_at'])
      .where('e.merchant_id', '=', demo.merchantId)
      .execute()
    const fired = new Set(runs.filter((r) => r.outcome === 'fired').map((r) => r.name))
    expect([...fired]).toEqual(
      expect.arrayContaining(['Acknowledge exception cases', 'Damage: acknowledge and ask for photos']),
    )
    // Replayed history acts at the time it happened, not when the demo was loaded.
    expect(Math.min(...runs.map((r) => r.occurred_at.getTime()))).toBeLessThan(now.getTime() - 30 * 86_400_000)
    const onTimeline = await env.ctx.db
      .selectFrom('case_timeline')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('merchant_id', '=', demo.merchantId)
      .where('type', '=', 'rule')
      .executeTakeFirstOrThrow()
    expect(Number(onTimeline.n)).toBe(runs.filter((r) => r.outcome !== 'shadow' && r.case_id).length)
  })
})

describe("the demo's satisfaction surveys", () => {
  it('answers a few dozen, across case types, carriers, agents and weeks, each at its own time', async () => {
    expect(demo.cases!.csat.answered).toBeGreaterThanOrEqual(20)
    const stats = (by: 'case_type' | 'carrier' | 'agent' | 'week') => csatStats(env.ctx.db, demo.merchantId, by, {})
    expect((await stats('case_type')).total.responses).toBe(demo.cases!.csat.answered)
    // Northwind has two agents; more types, carriers and weeks than that.
    for (const by of ['case_type', 'carrier', 'agent', 'week'] as const)
      expect((await stats(by)).groups.filter((g) => g.responses > 0).length, by).toBeGreaterThanOrEqual(
        by === 'agent' ? 2 : 3,
      )
    // Answered within a day of their resolution, not when the demo ran.
    const answers = await env.ctx.db
      .selectFrom('csat_surveys')
      .select(['created_at', 'answered_at'])
      .where('merchant_id', '=', demo.merchantId)
      .where('answered_at', 'is not', null)
      .execute()
    for (const a of answers) expect(a.answered_at!.getTime() - a.created_at.getTime()).toBeLessThanOrEqual(86_400_000)
  })
})
