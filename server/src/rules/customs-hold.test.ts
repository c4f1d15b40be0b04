import { afterAll, describe, expect, it } from 'vitest'
import { startTestApp } from '../../test/harness.js'
import { runDueJobs } from '../../test/jobs.js'
import { seedConnection, signedHeaders } from '../intake/testing.js'
import { fireDueActions } from '../jobs/clock-runner.js'
import { clockHandlers } from '../jobs/worker.js'
import { startSmtpSink } from '../messaging/email/testing/smtp-sink.js'
import { fakeConnection, startFakeTwilio } from '../messaging/twilio/testing/fake-twilio.js'
import { modules } from '../registry.js'

// Issue 25's customs-hold flow through the public doors, with the default rule pack a new workspace gets: a signed
// carrier webhook says 'Delayed - Customs' → a Customs Hold case opens on the order and tracking with a 48 h SLA →
// the customer is told by SMS and email → with no carrier update for 24 h the case escalates to Logistics Ops and a
// carrier-claim evidence check is recorded: the commercial invoice generated, the rest asked of the customer.

const sink = await startSmtpSink()
afterAll(() => sink.close())
const fake = await startFakeTwilio({ callbacks: false })
afterAll(() => fake.close())
const { env, m, call, app } = await startTestApp({
  config: { smtpUrl: sink.url, publicUrl: 'https://desk.shop.example' },
})
const { ctx } = env
const drain = () => runDueJobs(ctx, modules)
const handlers = clockHandlers(modules)
const sms = '+14155550100'
expect(
  (await call('POST', '/integrations/connections', fakeConnection(fake, [{ address: sms, channels: ['sms'] }])))
    .statusCode,
).toBe(201)
await call('PUT', '/messaging/phone-settings', { quiet_hours: { enabled: false } })
await call('PUT', '/evidence/requirements', {
  actions: { carrier_claim: ['commercial_invoice', 'customs_declaration'] },
})
const feed = await seedConnection(ctx, m.id, { source: 'carriers' })

let n = 0
async function parcel() {
  n++
  const phone = `+4477009${String(30_000 + n)}`
  const customer = await call('POST', '/customers', {
    name: 'Jane Doe',
    email: `jane${n}@customer.example`,
    phone,
    time_zone: 'Europe/London',
    consent: { email: true, sms: true, whatsapp: false },
  })
  const order = await call('POST', '/orders', {
    external_id: `ch-${n}`,
    customer_id: customer.json().id,
    currency: 'GBP',
    placed_at: '2026-11-01T10:00:00Z',
    total_amount_minor: 24_000,
    lines: [{ name: 'Leather jacket', quantity: 1, unit_price_amount_minor: 24_000 }],
  })
  const tracking = `CH${200_000_000 + n}GB`
  const shipment = await call('POST', '/shipments', {
    external_id: `ch-s-${n}`,
    order_id: order.json().id,
    carrier: 'DHL',
    tracking_number: tracking,
    shipped_at: '2026-11-02T10:00:00Z',
    destination_country: 'CH',
  })
  expect(shipment.statusCode, shipment.body).toBe(201)
  return { phone, tracking, orderId: order.json().id as string, shipmentId: shipment.json().id as string }
}

async function scan(tracking: string, id: string, status: string, at: Date) {
  const body = JSON.stringify({
    type: 'tracking.updated',
    data: { carrier: 'dhl', tracking_number: tracking, events: [{ id, status, occurred_at: at.toISOString() }] },
  })
  const res = await app.inject({
    method: 'POST',
    url: `/webhooks/carriers/generic/${feed.id}`,
    payload: body,
    headers: { 'content-type': 'application/json', ...signedHeaders(feed.secret, body) },
  })
  expect(res.statusCode, res.body).toBe(200)
  await drain()
}

const casesOf = async (shipmentId: string) =>
  (await call('GET', `/cases?shipment_id=${shipmentId}`)).json().data as {
    id: string
    case_type: string
    priority: string
    order_id: string
    tracking_number: string
    team_id: string | null
    escalation_level: number
  }[]
const timeline = async (caseId: string) =>
  (await call('GET', `/cases/${caseId}/timeline?limit=200`)).json().data as {
    type: string
    actor: { type: string; id: string | null }
    data: Record<string, unknown>
  }[]

describe('the customs-hold flow', () => {
  it('opens the case, tells the customer, and escalates with an evidence check after 24 h without news', async () => {
    const p = await parcel()
    const heldAt = new Date()
    await scan(p.tracking, `${p.tracking}-h`, 'customs_hold', heldAt)

    const [held, ...more] = await casesOf(p.shipmentId)
    expect(more).toEqual([])
    expect(held).toMatchObject({
      case_type: 'customs_hold',
      priority: 'high',
      order_id: p.orderId,
      tracking_number: p.tracking,
      escalation_level: 0,
    })
    const clocks = (await call('GET', `/cases/${held!.id}/sla`)).json()
    expect(JSON.stringify(clocks)).toContain('"minutes":2880')
    const told = fake.requests.filter((r) => r.form.To === p.phone)
    expect(told).toHaveLength(1)
    expect(told[0]!.form.Body).toContain('customs')
    expect(sink.deliveries.filter((d) => d.to.includes(`jane${n}@customer.example`))).toHaveLength(1)
    const rules = (await timeline(held!.id)).filter((e) => e.type === 'rule')
    // The case the pack's customs rule opened is routed by the pack's routing rule, once.
    expect(rules.map((e) => [e.actor.type, e.data.rule_name]).sort()).toEqual([
      ['rule', 'Customs hold: open and tell the customer'],
      ['rule', 'Route customs and freight carriers'],
    ])

    // The same webhook again (a carrier retry) repeats nothing.
    await scan(p.tracking, `${p.tracking}-h`, 'customs_hold', heldAt)
    expect(fake.requests.filter((r) => r.form.To === p.phone)).toHaveLength(1)
    expect(await casesOf(p.shipmentId)).toHaveLength(1)

    // 23 hours on, nothing yet; past 24 hours without a carrier update, it escalates once.
    await fireDueActions(ctx, handlers, () => new Date(heldAt.getTime() + 23 * 3_600_000))
    await drain()
    expect((await casesOf(p.shipmentId))[0]!.escalation_level).toBe(0)
    for (let twice = 0; twice < 2; twice++) {
      await fireDueActions(ctx, handlers, () => new Date(heldAt.getTime() + 24 * 3_600_000 + 60_000))
      await drain()
    }
    const [escalated] = await casesOf(p.shipmentId)
    const teams = (await call('GET', '/teams')).json().data as { id: string; name: string }[]
    expect(escalated).toMatchObject({
      escalation_level: 1,
      team_id: teams.find((t) => t.name === 'Logistics Ops')!.id,
    })
    const entries = await timeline(held!.id)
    const check = entries.find(
      (e) => e.type === 'rule' && e.data.rule_name === 'Customs hold: escalate after 24 h without news',
    )
    expect(check?.data.actions).toEqual([
      expect.objectContaining({ action: 'escalate', status: 'done' }),
      expect.objectContaining({ action: 'check_evidence', status: 'done' }),
    ])
    const evidence = (await call('GET', `/cases/${held!.id}/evidence`)).json().data as {
      type_key: string
      source: string
    }[]
    expect(evidence.map((e) => [e.type_key, e.source])).toEqual([['commercial_invoice', 'generated']])
    const requests = (await call('GET', `/cases/${held!.id}/evidence-requests`)).json().data as {
      type_keys: string[]
    }[]
    expect(requests.map((r) => r.type_keys)).toEqual([['customs_declaration']])
    const executions = (await call('GET', `/rule-executions?case_id=${held!.id}`)).json().data as {
      rule_name: string
      outcome: string
    }[]
    expect(executions.map((e) => [e.rule_name, e.outcome]).sort()).toEqual([
      ['Customs hold: escalate after 24 h without news', 'fired'],
      ['Customs hold: open and tell the customer', 'fired'],
      ['Route customs and freight carriers', 'fired'],
    ])
  })

  it('does not escalate when the carrier moves the parcel on within 24 hours', async () => {
    const p = await parcel()
    const heldAt = new Date()
    await scan(p.tracking, `${p.tracking}-h`, 'customs_hold', heldAt)
    await scan(p.tracking, `${p.tracking}-t`, 'in_transit', new Date(heldAt.getTime() + 3_600_000))
    await fireDueActions(ctx, handlers, () => new Date(heldAt.getTime() + 24 * 3_600_000 + 60_000))
    await drain()
    const [c] = await casesOf(p.shipmentId)
    expect(c!.escalation_level).toBe(0)
  })
})
