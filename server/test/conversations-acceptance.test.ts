import { afterAll, describe, expect, it } from 'vitest'
import { seedConnection, signedHeaders } from '../src/intake/testing.js'
import { startSmtpSink } from '../src/messaging/email/testing/smtp-sink.js'
import { fakeConnection, startFakeTwilio } from '../src/messaging/twilio/testing/fake-twilio.js'
import { modules } from '../src/registry.js'
import { startTestApp } from './harness.js'
import { runDueJobs } from './jobs.js'

// Issue 23's "done when", through the public doors only: a carrier's webhook, the API, Twilio's signed webhooks over
// HTTP, real SMTP, the portal's survey link. A customs hold is told by SMS and email; the customer's SMS and WhatsApp
// answers land on its case; an opted-out customer gets nothing; a side conversation with the carrier stays
// internal; the resolved case collects a CSAT score.

const sink = await startSmtpSink()
afterAll(() => sink.close())
const fake = await startFakeTwilio({ callbacks: false })
afterAll(() => fake.close())
// Portal and survey links pass link QA only over https; Twilio's webhooks are verified against the URL they reach.
const { env, m, call, app, base } = await startTestApp({
  listen: true,
  config: { smtpUrl: sink.url, publicUrl: 'https://desk.shop.example' },
})
const { ctx } = env
const drain = () => runDueJobs(ctx, modules)
const sms = '+14155550100'
const whatsapp = '+14155550111'
const twilio = await call(
  'POST',
  '/integrations/connections',
  fakeConnection(fake, [
    { address: sms, channels: ['sms'] },
    { address: whatsapp, channels: ['whatsapp'] },
  ]),
)
expect(twilio.statusCode, twilio.body).toBe(201)
const twilioWebhook = `${base}/webhooks/messaging/twilio/${twilio.json().connection.id}`
await call('PUT', '/messaging/phone-settings', { quiet_hours: { enabled: false } })
const carrierFeed = await seedConnection(ctx, m.id, { source: 'carriers' })

let n = 0
/** A customer with a phone (SMS and WhatsApp consented) and maybe an email, and a shipment of theirs in transit. */
async function customerWithParcel(o: { email?: string } = {}) {
  n++
  const phone = `+4477009${String(20_000 + n)}`
  const customer = await call('POST', '/customers', {
    name: 'Jane Doe',
    email: o.email ?? null,
    phone,
    time_zone: 'Europe/London',
    consent: { email: true, sms: true, whatsapp: true },
  })
  expect(customer.statusCode, customer.body).toBe(201)
  const order = await call('POST', '/orders', {
    external_id: `acc-${n}`,
    customer_id: customer.json().id,
    currency: 'GBP',
    placed_at: '2026-11-01T10:00:00Z',
    total_amount_minor: 24_000,
    lines: [{ name: 'Leather jacket', quantity: 1, unit_price_amount_minor: 24_000 }],
  })
  expect(order.statusCode, order.body).toBe(201)
  const tracking = `CH${100_000_000 + n}GB`
  const shipment = await call('POST', '/shipments', {
    external_id: `acc-s-${n}`,
    order_id: order.json().id,
    carrier: 'DHL',
    tracking_number: tracking,
    shipped_at: '2026-11-02T10:00:00Z',
    destination_country: 'CH',
  })
  expect(shipment.statusCode, shipment.body).toBe(201)
  return { phone, tracking, shipmentId: shipment.json().id as string }
}

/** The carrier says the parcel is held at customs: the default rule pack opens the case at once and tells the customer. */
async function heldAtCustoms(tracking: string, shipmentId: string) {
  const body = JSON.stringify({
    type: 'tracking.updated',
    data: {
      carrier: 'dhl',
      tracking_number: tracking,
      events: [{ id: `${tracking}-h`, status: 'customs_hold', occurred_at: new Date() }],
    },
  })
  const res = await app.inject({
    method: 'POST',
    url: `/webhooks/carriers/generic/${carrierFeed.id}`,
    payload: body,
    headers: { 'content-type': 'application/json', ...signedHeaders(carrierFeed.secret, body) },
  })
  expect(res.statusCode, res.body).toBe(200)
  await drain()
  const cases = (await call('GET', `/cases?shipment_id=${shipmentId}`)).json().data as {
    id: string
    case_type: string
  }[]
  expect(cases.map((c) => c.case_type)).toEqual(['customs_hold'])
  return cases[0]!.id
}

type Message = {
  channel: string
  direction: string
  text: string
  status: string
  status_reason: string | null
  side_conversation_id: string | null
}
const messagesOf = async (caseId: string) =>
  (await call('GET', `/cases/${caseId}/messages?limit=100`)).json().data as Message[]

describe('customer conversations, done', () => {
  it('tells the hold by SMS and email, threads SMS and WhatsApp answers onto the case, keeps the carrier side internal, and collects CSAT', async () => {
    const { phone, tracking, shipmentId } = await customerWithParcel({ email: 'jane@customer.example' })
    const caseId = await heldAtCustoms(tracking, shipmentId)

    // Told by both channels, once each.
    const toPhone = fake.requests.filter((r) => r.form.To === phone)
    expect(toPhone.map((r) => [r.status, r.form.From])).toEqual([[201, sms]])
    expect(toPhone[0]!.form.Body).toContain('customs')
    expect(sink.deliveries.filter((d) => d.to.includes('jane@customer.example'))).toHaveLength(1)

    // The customer answers by SMS and by WhatsApp: both on this case, no new one.
    const bySms = await fake.postInbound(twilioWebhook, { from: phone, to: sms, body: 'What do I need to pay?' })
    const byWa = await fake.postInbound(twilioWebhook, {
      from: `whatsapp:${phone}`,
      to: `whatsapp:${whatsapp}`,
      body: 'Here is my ID for customs',
      profileName: 'Jane',
    })
    expect([bySms.status, byWa.status]).toEqual([200, 200])
    await drain()
    const inbound = (await messagesOf(caseId)).filter((x) => x.direction === 'in')
    expect(inbound.map((x) => [x.channel, x.text])).toEqual([
      ['sms', 'What do I need to pay?'],
      ['whatsapp', 'Here is my ID for customs'],
    ])
    expect((await call('GET', `/cases?shipment_id=${shipmentId}`)).json().data).toHaveLength(1)

    // A side conversation with the carrier's claims desk: on the case for agents, never for the customer.
    const side = await call('POST', `/cases/${caseId}/side-conversations`, {
      counterparty_kind: 'carrier',
      counterparty_name: 'DHL customs desk',
      to: [{ address: 'customs@dhl.example' }],
      subject: 'Clearance for the parcel',
      text: 'INTERNAL-ONLY: please send the duty breakdown.',
    })
    expect(side.statusCode, side.body).toBe(201)
    await drain()
    expect(sink.deliveries.filter((d) => d.to.includes('customs@dhl.example'))).toHaveLength(1)
    const sides = (await call('GET', `/cases/${caseId}/side-conversations`)).json()
    expect(sides.data.map((x: { status: string }) => x.status)).toEqual(['open'])
    const link = await call('POST', `/cases/${caseId}/portal-links`, {})
    const portal = await call(
      'GET',
      `/portal/${(link.json().url as string).split('/portal/')[1]}/conversation`,
      undefined,
      {},
    )
    expect(portal.statusCode, portal.body).toBe(200)
    expect(portal.body).not.toContain('INTERNAL-ONLY')
    expect(JSON.stringify(fake.requests)).not.toContain('INTERNAL-ONLY')
    const toCustomer = sink.deliveries.filter((d) => d.to.includes('jane@customer.example'))
    expect(toCustomer.map((d) => d.raw.toString()).join('')).not.toContain('INTERNAL-ONLY')

    // Resolved: one survey by the customer's channel; their score lands on the case.
    const resolved = await call('POST', `/cases/${caseId}/status`, { status: 'resolved', resolution_code: 'no_action' })
    expect(resolved.statusCode, resolved.body).toBe(200)
    await drain()
    const surveys = fake.requests.filter((r) => r.form.To?.endsWith(phone) && /\/survey\//.test(r.form.Body ?? ''))
    const emailed = sink.deliveries.filter((d) => d.raw.toString().includes('/survey/'))
    expect(surveys.length + emailed.length).toBe(1)
    const surveyText = surveys[0]?.form.Body ?? emailed[0]!.raw.toString()
    const token = /\/survey\/([A-Za-z0-9._~-]+)/.exec(surveyText)![1]!
    const answer = await call('POST', `/surveys/${token}/answer`, { score: 5, comment: 'Cleared in a day' }, {})
    expect(answer.statusCode, answer.body).toBe(200)
    const timeline = (await call('GET', `/cases/${caseId}/timeline`)).json().data as { type: string; text: string }[]
    expect(timeline.find((e) => e.type === 'csat_answered')?.text).toBe('Customer CSAT 5/5: Cleared in a day')
    const stats = (await call('GET', '/csat/stats?group_by=case_type')).json() as { groups: { group: string }[] }
    expect(stats.groups.find((g) => g.group === 'customs_hold')).toMatchObject({ responses: 1, average_score: 5 })
  })

  it('sends nothing by SMS to a customer who texted STOP, and nothing at all when SMS was their only way', async () => {
    const { phone, tracking, shipmentId } = await customerWithParcel()
    const stop = await fake.postInbound(twilioWebhook, { from: phone, to: sms, body: 'STOP' })
    expect(stop.status).toBe(200)
    await drain()
    const before = fake.requests.length
    const deliveriesBefore = sink.deliveries.length
    const caseId = await heldAtCustoms(tracking, shipmentId)
    await drain()
    expect(fake.requests.slice(before).filter((r) => r.form.To === phone)).toEqual([])
    expect(sink.deliveries.length).toBe(deliveriesBefore)
    const out = (await messagesOf(caseId)).filter((x) => x.direction === 'out' && x.channel === 'sms')
    // Held on the case, saying why, for an agent to see: not dropped, not sent.
    expect(out.map((x) => x.status)).toEqual(['held'])
    expect(out[0]!.status_reason).toContain('opted out of sms')
  })
})
