import { describe, expect, it } from 'vitest'
import { bearer, expectError, startTestApp } from '../../test/harness.js'
import { systemContext } from '../auth/actor.js'
import { runDueJobs } from '../../test/jobs.js'
import { seedConnection, signedHeaders } from '../intake/testing.js'
import { signLink } from '../links/signed-links.js'
import { upsertOrder } from '../orders/service.js'
import { modules } from '../registry.js'
import { upsertShipment } from '../shipments/service.js'
import { portalCase } from './service.js'

const { env, app, m, call: api } = await startTestApp()

const tokenOf = (url: string) => url.split('/portal/')[1]!

// A damaged parcel: a signed carrier webhook, and the exception policy opens the case.
async function damagedParcelCase(trackingNumber: string): Promise<string> {
  const shipment = await env.ctx.db.transaction().execute(async (trx) => {
    const { order } = await upsertOrder(
      trx,
      systemContext(m.id),
      {
        source: 'shop',
        externalId: `o-${trackingNumber}`,
        currency: 'GBP',
        placedAt: new Date('2026-11-01T10:00:00Z'),
        totalMinor: 4_500,
        customer: { externalId: `c-${trackingNumber}`, email: 'robin@example.com', name: 'Robin Fox' },
        lines: [{ name: 'Tea set', sku: 'TEA-1', quantity: 1, unitPriceMinor: 4_500 }],
      },
      new Date(),
    )
    return (
      await upsertShipment(
        trx,
        systemContext(m.id),
        {
          source: 'shop',
          externalId: `s-${trackingNumber}`,
          orderId: order.id,
          carrier: 'DPD',
          trackingNumber,
          shippedAt: new Date('2026-11-02T10:00:00Z'),
        },
        new Date(),
      )
    ).shipment
  })
  const feed = await seedConnection(env.ctx, m.id, { source: 'carriers' })
  const body = JSON.stringify({
    type: 'tracking.updated',
    data: {
      carrier: 'dpd',
      tracking_number: trackingNumber,
      events: [
        {
          id: `${trackingNumber}-1`,
          status: 'in_transit',
          occurred_at: '2026-11-03T08:00:00Z',
          message: 'At Hinckley hub',
          location: { city: 'Hinckley', country: 'GB' },
        },
        {
          id: `${trackingNumber}-2`,
          status: 'damaged',
          occurred_at: '2026-11-04T08:00:00Z',
          message: 'Parcel damaged in transit',
        },
      ],
    },
  })
  const res = await app.inject({
    method: 'POST',
    url: `/webhooks/carriers/generic/${feed.id}`,
    payload: body,
    headers: { 'content-type': 'application/json', ...signedHeaders(feed.secret, body) },
  })
  expect(res.statusCode).toBe(200)
  await runDueJobs(env.ctx, modules)
  return (await api('GET', `/cases?shipment_id=${shipment.id}`)).json().data[0].id as string
}

describe('the customer portal', () => {
  it("shows the case behind a signed link in the customer's words, and nothing internal", async () => {
    const caseId = await damagedParcelCase('15501234567890')
    await api('POST', `/cases/${caseId}/notes`, { body: 'Customer sounds like a serial claimer, check history' })
    const link = await api('POST', `/cases/${caseId}/portal-links`, { expires_in_days: 14 })
    expect(link.statusCode).toBe(201)
    expect(link.json().url).toMatch(/^http:\/\/127\.0\.0\.1:3000\/portal\/[\w-]+\.[\w-]+$/)

    const page = await app.inject({ url: `/api/v1/portal/${tokenOf(link.json().url)}/case` })
    expect(page.statusCode).toBe(200)
    expect(page.headers['cache-control']).toBe('no-store')
    const view = page.json()
    expect(view).toMatchObject({ topic: 'Damaged', status: 'open', status_text: 'We are working on it', outcome: null })
    expect(view.shipments).toHaveLength(1)
    expect(view.shipments[0]).toMatchObject({
      carrier: 'DPD',
      tracking_number: '15501234567890',
      status: 'damaged',
      status_text: 'Reported damaged by the carrier',
    })
    expect(view.shipments[0].events.map((e: { text: string; detail: string }) => [e.text, e.detail])).toEqual([
      ['Reported damaged by the carrier', 'Parcel damaged in transit'],
      ['On its way', 'At Hinckley hub'],
    ])
    expect(page.body).not.toContain('serial claimer')
    expect(page.body).not.toContain(m.adminEmail)

    await api('POST', `/cases/${caseId}/status`, { status: 'resolved', resolution_code: 'refunded' })
    expect((await app.inject({ url: `/api/v1/portal/${tokenOf(link.json().url)}/case` })).json()).toMatchObject({
      status: 'resolved',
      outcome: 'Refunded',
    })
    const audit = await env.ctx.db
      .selectFrom('audit_entries')
      .select('action')
      .where('entity_id', '=', caseId)
      .where('action', '=', 'case.portal_link_created')
      .where('actor_type', '<>', 'rule') // the default pack's acknowledgement carried a link of its own
      .execute()
    expect(audit).toHaveLength(1)
  })

  it("names the store by its brand, which admin says customers see, not by the workspace's legal name", async () => {
    const res = await app.inject({
      method: 'PATCH',
      url: '/api/v1/merchant',
      payload: { name: 'Northwind Outfitters Ltd', brand_name: 'Northwind' },
      headers: bearer(m.keys.admin),
    })
    expect(res.statusCode).toBe(200)
    const caseId = (await api('POST', '/cases', { case_type: 'other', subject: 'Question' })).json().id
    const url = (await api('POST', `/cases/${caseId}/portal-links`, {})).json().url
    expect((await app.inject({ url: `/api/v1/portal/${tokenOf(url)}/case` })).json().store).toBe('Northwind')
  })

  it('follows a merged case to its survivor', async () => {
    const survivor = (await api('POST', '/cases', { case_type: 'wrong_item', subject: 'Wrong colour' })).json().id
    const dup = (await api('POST', '/cases', { case_type: 'wrong_item', subject: 'Sent red' })).json().id
    const url = (await api('POST', `/cases/${dup}/portal-links`, {})).json().url
    await api('POST', `/cases/${survivor}/merge`, { duplicate_ids: [dup] })
    const view = (await app.inject({ url: `/api/v1/portal/${tokenOf(url)}/case` })).json()
    expect(view.number).toBe((await api('GET', `/cases/${survivor}`)).json().number)
  })

  it('refuses tampered and expired links (401), links minted for another page (403), and bad lifetimes (400)', async () => {
    const caseId = (await api('POST', '/cases', { case_type: 'other', subject: 'Question' })).json().id
    const token = tokenOf((await api('POST', `/cases/${caseId}/portal-links`, { expires_in_days: 1 })).json().url)
    const tampered = await app.inject({ url: `/api/v1/portal/${token.slice(0, -2)}xx/case` })
    expectError(tampered, 401, 'link_invalid')
    const later = new Date(Date.now() + 2 * 86_400_000)
    await expect(portalCase(env.ctx.db, env.ctx.keys.links, token, later)).rejects.toMatchObject({
      status: 401,
      code: 'link_expired',
    })
    const other = signLink(
      env.ctx.keys.links,
      {
        merchantId: m.id,
        purpose: 'evidence_upload',
        subjectType: 'case',
        subjectId: caseId,
        expiresAt: new Date(Date.now() + 86_400_000),
      },
      new Date(),
    )
    const misused = await app.inject({ url: `/api/v1/portal/${other}/case` })
    expectError(misused, 403, 'link_invalid')
    expect((await app.inject({ url: '/api/v1/portal/not-a-token/case' })).statusCode).toBe(400)
    expect((await api('POST', `/cases/${caseId}/portal-links`, { expires_in_days: 91 })).statusCode).toBe(400)
    expect((await api('POST', '/cases/01a20000-0000-7000-8000-000000000000/portal-links', {})).statusCode).toBe(404)
  })
})
