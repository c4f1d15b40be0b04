import { describe, expect, it } from 'vitest'
import { bearer, expectError, startTestApp } from '../../test/harness.js'
import { systemContext } from '../auth/actor.js'
import { runDueJobs } from '../../test/jobs.js'
import { seedConnection, signedHeaders } from '../intake/testing.js'
import type { DomainEvents } from '../jobs/events.js'
import { upsertOrder } from '../orders/service.js'
import { modules } from '../registry.js'
import { upsertShipment } from '../shipments/service.js'
import { countUnreadNotifications, onShipmentStatusChanged } from './service.js'

type StatusChanged = DomainEvents['shipment.status_changed']

const { env, app, m, call: api } = await startTestApp()
const feed = await seedConnection(env.ctx, m.id, { source: 'carriers' })
// The policy alone: the default rule pack (rules/default-pack.ts) would open customs holds at once.
await env.ctx.db
  .updateTable('rules')
  .set({ mode: 'disabled' })
  .where('merchant_id', '=', m.id)
  .where('pack', '=', 'default')
  .execute()
await env.ctx.db
  .updateTable('rule_settings')
  .set((eb) => ({ revision: eb('revision', '+', '1') }))
  .where('merchant_id', '=', m.id)
  .execute()

let seq = 0
async function shipment(trackingNumber: string) {
  return env.ctx.db.transaction().execute(async (trx) => {
    const { order } = await upsertOrder(
      trx,
      systemContext(m.id),
      {
        source: 'test',
        externalId: `o-${++seq}`,
        currency: 'GBP',
        placedAt: new Date('2026-11-01T10:00:00Z'),
        totalMinor: 18_000,
        customer: { externalId: `c-${seq}`, email: `c${seq}@example.com`, name: 'Casey Jones' },
        lines: [{ name: 'Walking boots', sku: 'BOOT-42', quantity: 1, unitPriceMinor: 18_000 }],
      },
      new Date(),
    )
    return (
      await upsertShipment(
        trx,
        systemContext(m.id),
        {
          source: 'test',
          externalId: `s-${seq}`,
          orderId: order.id,
          carrier: 'Royal Mail',
          trackingNumber,
          shippedAt: new Date('2026-11-02T10:00:00Z'),
        },
        new Date(),
      )
    ).shipment
  })
}

// A carrier event in Claimdesk's generic format, signed and posted as a provider would.
async function scan(
  trackingNumber: string,
  events: { id: string; status: string; occurred_at: string; message?: string }[],
) {
  const body = JSON.stringify({
    type: 'tracking.updated',
    data: { carrier: 'royal_mail', tracking_number: trackingNumber, events },
  })
  const res = await app.inject({
    method: 'POST',
    url: `/webhooks/carriers/generic/${feed.id}`,
    payload: body,
    headers: { 'content-type': 'application/json', ...signedHeaders(feed.secret, body) },
  })
  expect(res.statusCode).toBe(200)
  await runDueJobs(env.ctx, modules)
}

const casesOf = async (shipmentId: string) =>
  (await api('GET', `/cases?shipment_id=${shipmentId}`)).json().data as {
    id: string
    case_type: string
    status: string
  }[]

describe('the exception policy, with no configuration', () => {
  it('opens a linked Lost Parcel case from a lost-parcel webhook, updates it on a second exception, and sends it back for review on delivery', async () => {
    const s = await shipment('RM100000001GB')
    await scan('RM100000001GB', [
      { id: 'e1', status: 'in_transit', occurred_at: '2026-11-03T08:00:00Z' },
      { id: 'e2', status: 'lost', occurred_at: '2026-11-09T08:00:00Z', message: 'Item lost in network' },
    ])
    const [opened, ...others] = await casesOf(s.id)
    expect(others).toEqual([])
    const detail = (await api('GET', `/cases/${opened!.id}`)).json()
    expect(detail).toMatchObject({
      case_type: 'lost_parcel',
      status: 'new',
      priority: 'high',
      source: 'exception_policy',
      channel: 'carrier',
      shipment_id: s.id,
      order_id: s.order_id,
      tracking_number: 'RM100000001GB',
      carrier_code: 'royal_mail',
      product_sku: 'BOOT-42',
      value: { amount_minor: 18_000, currency: 'GBP' },
      subject: 'Lost parcel RM100000001GB',
    })
    expect(detail.number).toMatch(/^CD-\d+$/)
    expect(detail.links.map((l: { entity_type: string }) => l.entity_type).sort()).toEqual([
      'customer',
      'order',
      'shipment',
    ])
    expect(detail.links.find((l: { entity_type: string }) => l.entity_type === 'customer').summary).toMatchObject({
      name: 'Casey Jones',
    })
    const timeline = (await api('GET', `/cases/${opened!.id}/timeline`)).json().data as {
      type: string
      text: string
      data: Record<string, unknown>
    }[]
    // Event-time order: the scan happened before the case was opened.
    expect(timeline.map((e) => e.type)).toEqual(['carrier_event', 'case.opened'])
    expect(timeline[0]!.data).toMatchObject({ status: 'lost', shipment_id: s.id })

    // Found, then lost again: the later exception lands on the same case, and so does the scan between.
    await scan('RM100000001GB', [
      { id: 'e3', status: 'in_transit', occurred_at: '2026-11-10T08:00:00Z', message: 'Found at depot' },
    ])
    await scan('RM100000001GB', [
      { id: 'e4', status: 'lost', occurred_at: '2026-11-11T08:00:00Z', message: 'Trace closed: not found' },
    ])
    expect((await casesOf(s.id)).map((c) => c.id)).toEqual([opened!.id])
    const scans = (await api('GET', `/cases/${opened!.id}/timeline?type=carrier_event`)).json().data as {
      data: { status: string }
    }[]
    expect(scans.map((e) => e.data.status)).toEqual(['lost', 'in_transit', 'lost'])
    // The later exception changes no column of the case: its carrier_event entry is the record, with no audit entry.
    const updates = await env.ctx.db
      .selectFrom('audit_entries')
      .select('action')
      .where('entity_id', '=', opened!.id)
      .where('action', '=', 'case.carrier_updated')
      .execute()
    expect(updates).toHaveLength(0)

    // Someone works it, then the parcel turns up.
    const agent = await env.ctx.db
      .selectFrom('users')
      .select('id')
      .where('merchant_id', '=', m.id)
      .executeTakeFirstOrThrow()
    expect((await api('POST', `/cases/${opened!.id}/assign`, { assignee_id: agent.id })).statusCode).toBe(200)
    expect((await api('POST', `/cases/${opened!.id}/status`, { status: 'waiting_carrier' })).json().status).toBe(
      'waiting_carrier',
    )
    await scan('RM100000001GB', [{ id: 'e5', status: 'delivered', occurred_at: '2026-11-12T08:00:00Z' }])
    const after = (await api('GET', `/cases/${opened!.id}`)).json()
    expect(after.status).toBe('open')
    const [lastScan] = (await api('GET', `/cases/${opened!.id}/timeline?type=carrier_event&order=desc&limit=1`)).json()
      .data as { data: Record<string, unknown> }[]
    expect(lastScan!.data.status).toBe('delivered')
    const [lastChange] = (
      await api('GET', `/cases/${opened!.id}/timeline?type=status_changed&order=desc&limit=1`)
    ).json().data as { data: Record<string, unknown> }[]
    expect(lastChange!.data).toMatchObject({ from: 'waiting_carrier', to: 'open', reason: 'delivered' })
    const notices = await env.ctx.db
      .selectFrom('notifications')
      .select(['cause'])
      .where('merchant_id', '=', m.id)
      .where('user_id', '=', agent.id)
      .where('case_id', '=', opened!.id)
      .execute()
    expect(notices.map((n) => n.cause)).toContain('delivered')
    expect(await countUnreadNotifications(env.ctx.db, m.id, agent.id)).toBeGreaterThan(0)
  })

  it("shows the linked shipment's and order's live status on the case, not the copy taken when they were linked", async () => {
    const s = await shipment('RM100000009GB')
    await scan('RM100000009GB', [{ id: 'l1', status: 'in_transit', occurred_at: '2026-11-03T08:00:00Z' }])
    const opened = (
      await api('POST', '/cases', { case_type: 'late_delivery', subject: 'Where is my parcel?', shipment_id: s.id })
    ).json()
    const status = async () =>
      (await api('GET', `/cases/${opened.id}`))
        .json()
        .links.find((l: { entity_type: string }) => l.entity_type === 'shipment').summary.status
    expect(await status()).toBe('in_transit')
    await scan('RM100000009GB', [{ id: 'l2', status: 'delivered', occurred_at: '2026-11-04T08:00:00Z' }])
    expect(await status()).toBe('delivered')
    // The shop's fulfilment status says otherwise later: the carrier's scan still decides what the case shows.
    await env.ctx.db.transaction().execute((trx) =>
      upsertShipment(
        trx,
        systemContext(m.id),
        {
          source: 'test',
          externalId: `s-${seq}`,
          orderId: s.order_id,
          carrier: 'Royal Mail',
          trackingNumber: 'RM100000009GB',
          status: 'exception',
        },
        new Date(),
      ),
    )
    expect(await status()).toBe('delivered')

    // The order's payments come live too: a refund recorded after linking shows on the case.
    const payment = await env.ctx.db.transaction().execute(
      async (trx) =>
        (
          await upsertOrder(
            trx,
            systemContext(m.id),
            {
              source: 'test',
              externalId: `o-${seq}`,
              currency: 'GBP',
              placedAt: new Date('2026-11-01T10:00:00Z'),
              totalMinor: 18_000,
              lines: [{ name: 'Walking boots', sku: 'BOOT-42', quantity: 1, unitPriceMinor: 18_000 }],
              payments: [{ provider: 'stripe', reference: 'ch_1', capturedMinor: 18_000 }],
            },
            new Date('2026-11-05T10:00:00Z'),
          )
        ).order.payments[0]!,
    )
    const refund = await api('POST', `/orders/${s.order_id}/payments/${payment.id}/refunds`, { amount_minor: 5_000 })
    expect(refund.statusCode, refund.body).toBe(200)
    const order = (await api('GET', `/cases/${opened.id}`))
      .json()
      .links.find((l: { entity_type: string }) => l.entity_type === 'order')
    expect(order.summary.payments).toEqual([{ captured_amount_minor: 18_000, refunded_amount_minor: 5_000 }])
  })

  it('puts every later scan of the shipment on the case once, in event-time order, late history included', async () => {
    const s = await shipment('RM100000009GB')
    await scan('RM100000009GB', [
      { id: 'a1', status: 'in_transit', occurred_at: '2026-11-03T08:00:00Z', message: 'Collected' },
      { id: 'a2', status: 'lost', occurred_at: '2026-11-09T08:00:00Z' },
    ])
    const [c] = await casesOf(s.id)
    await scan('RM100000009GB', [
      { id: 'a0', status: 'info_received', occurred_at: '2026-11-02T08:00:00Z', message: 'Label created' },
    ])
    await scan('RM100000009GB', [
      { id: 'a3', status: 'in_transit', occurred_at: '2026-11-10T08:00:00Z', message: 'Found at depot' },
    ])
    const departed = [
      { id: 'a4', status: 'in_transit', occurred_at: '2026-11-10T12:00:00Z', message: 'Departed depot' },
    ]
    await scan('RM100000009GB', departed)
    await scan('RM100000009GB', departed)
    const scans = (await api('GET', `/cases/${c!.id}/timeline?type=carrier_event`)).json().data as {
      occurred_at: string
      text: string
      data: Record<string, unknown>
    }[]
    expect(scans.map((e) => [e.occurred_at.slice(0, 13), e.data.status])).toEqual([
      ['2026-11-02T08', 'info_received'],
      ['2026-11-09T08', 'lost'],
      ['2026-11-10T08', 'in_transit'],
      ['2026-11-10T12', 'in_transit'],
    ])
    expect(scans[0]!.data).toMatchObject({ history: true, message: 'Label created' })
    expect((scans[0] as unknown as { names: Record<string, string> }).names).toEqual({ royal_mail: 'Royal Mail' })
    expect(scans[3]!.text).toContain('Departed depot')
    expect(
      (await api('GET', `/cases?q=${encodeURIComponent('departed depot')}`))
        .json()
        .data.map((x: { id: string }) => x.id),
    ).toContain(c!.id)
  })

  it('treats a redelivered status event as one: the consumer is idempotent on the event id, even after its case is resolved', async () => {
    const s = await shipment('RM100000002GB')
    const event = {
      id: '01970000-0000-7000-8000-00000000abcd',
      merchant_id: m.id,
      type: 'shipment.status_changed' as const,
      subject_id: s.id,
      occurred_at: '2026-11-05T08:00:00.000Z',
      // Only the fields the policy reads.
      data: {
        shipment_id: s.id,
        status: 'damaged',
        confidence: 'high',
        status_at: '2026-11-05T08:00:00.000Z',
      } as StatusChanged,
    }
    const deliver = (e: typeof event) =>
      env.ctx.db.transaction().execute((trx) => onShipmentStatusChanged(trx, e, new Date()))
    for (let i = 0; i < 3; i++) await deliver(event)
    const found = await casesOf(s.id)
    expect(found.map((c) => c.case_type)).toEqual(['damaged'])
    expect(
      ((await api('GET', `/cases/${found[0]!.id}/timeline?type=carrier_event`)).json().data as unknown[]).length,
    ).toBe(1)

    // The relay delivers at least once: the same event after the case was resolved opens no second case.
    expect(
      (await api('POST', `/cases/${found[0]!.id}/status`, { status: 'resolved', resolution_code: 'reshipped' }))
        .statusCode,
    ).toBe(200)
    await deliver(event)
    expect((await casesOf(s.id)).map((c) => [c.id, c.status])).toEqual([[found[0]!.id, 'resolved']])
    // A new damage report is a new problem: it opens a new case.
    await deliver({
      ...event,
      id: '01970000-0000-7000-8000-00000000abce',
      occurred_at: '2026-11-07T08:00:00.000Z',
      data: { ...event.data, status_at: '2026-11-07T08:00:00.000Z' },
    })
    expect((await casesOf(s.id)).map((c) => c.status).sort()).toEqual(['new', 'resolved'])
  })

  it("waits out a customs hold's watch window, and opens a case only if the hold has not cleared", async () => {
    const held = await shipment('RM100000003GB')
    const cleared = await shipment('RM100000004GB')
    // Recent scans: a hold older than its window would be checked at once.
    const heldAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 2 * 3_600_000)
    await scan('RM100000003GB', [{ id: 'h1', status: 'customs_hold', occurred_at: heldAt.toISOString() }])
    await scan('RM100000004GB', [{ id: 'c1', status: 'customs_hold', occurred_at: heldAt.toISOString() }])
    expect(await casesOf(held.id)).toEqual([])
    const watches = await env.ctx.db
      .selectFrom('scheduled_actions')
      .select(['key', 'run_at'])
      .where('merchant_id', '=', m.id)
      .where('task', '=', 'cases:watch')
      .orderBy('key')
      .execute()
    const due = new Date(heldAt.getTime() + 24 * 3_600_000).toISOString()
    expect(watches.map((w) => w.run_at.toISOString())).toEqual([due, due])
    await scan('RM100000004GB', [
      {
        id: 'c2',
        status: 'in_transit',
        occurred_at: new Date(heldAt.getTime() + 3_600_000).toISOString(),
        message: 'Released by customs',
      },
    ])
    // The window ends.
    await env.ctx.db
      .updateTable('scheduled_actions')
      .set({ run_at: new Date(Date.now() - 1000) })
      .where('merchant_id', '=', m.id)
      .where('task', '=', 'cases:watch')
      .execute()
    await runDueJobs(env.ctx, modules)
    expect((await casesOf(held.id)).map((c) => c.case_type)).toEqual(['customs_hold'])
    expect((await casesOf(cleared.id)).map((c) => [c.case_type, c.status])).toEqual([])
  })

  it('watches a second customs hold of a shipment after the first one cleared, and a replayed event arms no second watch', async () => {
    const s = await shipment('RM100000013GB')
    const t = Math.floor(Date.now() / 1000) * 1000 - 3 * 3_600_000
    const watchesOf = () =>
      env.ctx.db
        .selectFrom('scheduled_actions')
        .select(['state', 'run_at'])
        .where('merchant_id', '=', m.id)
        .where('key', '=', `case-watch:${s.id}:customs_hold`)
        .orderBy('created_at')
        .execute()
    const endWindows = async () => {
      await env.ctx.db
        .updateTable('scheduled_actions')
        .set({ run_at: new Date(Date.now() - 1000) })
        .where('merchant_id', '=', m.id)
        .where('key', '=', `case-watch:${s.id}:customs_hold`)
        .where('state', '=', 'scheduled')
        .execute()
      await runDueJobs(env.ctx, modules)
    }
    const holdEvents = async () =>
      (
        await env.ctx.db
          .selectFrom('outbox')
          .select(['id', 'merchant_id', 'type', 'subject_id', 'occurred_at', 'data'])
          .where('merchant_id', '=', m.id)
          .where('type', '=', 'shipment.status_changed')
          .where('subject_id', '=', s.id)
          .orderBy('id')
          .execute()
      )
        .filter((e) => e.data.status === 'customs_hold')
        .map((e) => ({
          ...e,
          type: 'shipment.status_changed' as const,
          occurred_at: e.occurred_at.toISOString(),
          data: e.data as StatusChanged,
        }))
    const replay = async (event: Awaited<ReturnType<typeof holdEvents>>[number]) =>
      env.ctx.db.transaction().execute((trx) => onShipmentStatusChanged(trx, event, new Date()))
    // The first hold clears within its window: its watch fires and opens nothing.
    await scan('RM100000013GB', [{ id: 'x1', status: 'customs_hold', occurred_at: new Date(t).toISOString() }])
    await scan('RM100000013GB', [
      { id: 'x2', status: 'in_transit', occurred_at: new Date(t + 3_600_000).toISOString() },
    ])
    await endWindows()
    expect((await watchesOf()).map((w) => w.state)).toEqual(['fired'])
    const [first] = await holdEvents()
    await replay(first!)
    expect((await watchesOf()).map((w) => w.state)).toEqual(['fired'])
    // A second hold is a new episode: watched again, once however often its event is delivered.
    const held = new Date(t + 2 * 3_600_000)
    await scan('RM100000013GB', [{ id: 'x3', status: 'customs_hold', occurred_at: held.toISOString() }])
    const second = (await holdEvents())[1]!
    await replay(second)
    await replay(first!)
    expect((await watchesOf()).map((w) => [w.state, w.run_at.toISOString()])).toEqual([
      ['fired', expect.any(String)],
      ['scheduled', new Date(held.getTime() + 24 * 3_600_000).toISOString()],
    ])
    await endWindows()
    expect((await casesOf(s.id)).map((c) => c.case_type)).toEqual(['customs_hold'])
    await replay(second)
    expect((await watchesOf()).map((w) => w.state)).toEqual(['fired', 'fired'])
  })

  it('puts a low-confidence signal on the review list instead of opening a case, and opens one when a person decides so', async () => {
    const s = await shipment('RM100000005GB')
    await env.ctx.db.transaction().execute((trx) =>
      onShipmentStatusChanged(
        trx,
        {
          id: '01970000-0000-7000-8000-00000000beef',
          merchant_id: m.id,
          type: 'shipment.status_changed',
          subject_id: s.id,
          occurred_at: '2026-11-05T08:00:00.000Z',
          data: {
            shipment_id: s.id,
            status: 'lost',
            confidence: 'low',
            review_reasons: ['delivered_event_after_lost'],
            status_at: '2026-11-05T08:00:00.000Z',
          } as StatusChanged,
        },
        new Date(),
      ),
    )
    expect(await casesOf(s.id)).toEqual([])
    const pending = (await api('GET', '/case-reviews')).json().data as {
      id: string
      shipment_id: string
      reasons: string[]
    }[]
    const review = pending.find((r) => r.shipment_id === s.id)!
    expect(review.reasons).toEqual(['delivered_event_after_lost'])
    const decided = await api('POST', `/case-reviews/${review.id}/decision`, { decision: 'open' })
    expect(decided.json()).toMatchObject({ state: 'opened', case_type: 'lost_parcel' })
    expect((await casesOf(s.id)).map((c) => c.id)).toEqual([decided.json().case_id])
    const again = await api('POST', `/case-reviews/${review.id}/decision`, { decision: 'dismiss' })
    expectError(again, 409, 'review_not_pending', { review_id: review.id, state: 'opened' })
  })

  it('follows a changed policy: a disabled rule opens nothing, and an unknown case type is refused', async () => {
    const current = (await api('GET', '/case-settings')).json()
    const rules = current.exception_policy.rules.map((r: { on: string }) =>
      r.on === 'damaged' ? { ...r, enabled: false } : r,
    )
    const put = await app.inject({
      method: 'PUT',
      url: '/api/v1/case-settings',
      headers: bearer(m.keys.admin),
      payload: { exception_policy: { ...current.exception_policy, rules } },
    })
    expect(put.statusCode).toBe(200)
    const s = await shipment('RM100000006GB')
    await scan('RM100000006GB', [{ id: 'd1', status: 'damaged', occurred_at: '2026-11-05T08:00:00Z' }])
    expect(await casesOf(s.id)).toEqual([])
    const bad = await app.inject({
      method: 'PUT',
      url: '/api/v1/case-settings',
      headers: bearer(m.keys.admin),
      payload: {
        exception_policy: { ...current.exception_policy, rules: [{ ...rules[0], case_type: 'no_such_type' }] },
      },
    })
    expect(bad.statusCode).toBe(400)
    expect(bad.json().error.details.errors[0]).toEqual({
      path: 'body/exception_policy/rules/0/case_type',
      message: 'no active case type no_such_type',
    })
    const viewer = await app.inject({
      method: 'PUT',
      url: '/api/v1/case-settings',
      headers: bearer(m.keys.viewer),
      payload: { reopen_window_hours: 1 },
    })
    expect(viewer.statusCode).toBe(403)
  })
})
