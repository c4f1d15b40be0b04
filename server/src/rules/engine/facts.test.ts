import { describe, expect, it } from 'vitest'
import { startTestApp } from '../../../test/harness.js'
import { systemContext } from '../../auth/actor.js'
import { changeStatus, openCase } from '../../cases/service.js'
import { newId } from '../../ids.js'
import type { DomainEvent } from '../../jobs/events.js'
import { recordMessage } from '../../messaging/service.js'
import { setSlaTarget } from '../../sla/clocks/service.js'
import { shippedOrder, statusChanged } from '../actions/testing.js'
import { buildFacts, caseIdsFor } from './facts.js'

const { env, m } = await startTestApp()
const db = env.ctx.db
const sys = systemContext(m.id)
const at = new Date('2026-11-10T09:00:00Z')
const minutes = (n: number, from = at) => new Date(from.getTime() + n * 60_000)

const onEvent = (event: DomainEvent) => ({ event, caseId: null, shipmentId: null, now: new Date(event.occurred_at) })
const clock = (name: string, on: { caseId?: string; shipmentId?: string }, now: Date) => ({
  event: null,
  type: `clock:${name}`,
  caseId: on.caseId ?? null,
  shipmentId: on.shipmentId ?? null,
  now,
})

const open = (shipmentId: string | null, caseType = 'damaged', when = at) =>
  db
    .transaction()
    .execute((trx) =>
      openCase(
        trx,
        sys,
        { caseType, subject: 'Boots', ...(shipmentId && { shipmentId }), tags: ['vip'], priority: 'high' },
        when,
      ),
    )

describe('buildFacts', () => {
  it("reads a status change from the event's own data: carrier, service, value at stake, order, customer, country", async () => {
    const s = await shippedOrder(env.ctx, m.id, { totalMinor: 25_500, category: 'electronics' })
    const event = statusChanged(m.id, s, 'customs_hold', at, { sub_status: 'customs_documents_required' })
    expect(await buildFacts(db, m.id, onEvent(event))).toEqual({
      event: 'shipment.status_changed',
      carrier_event: 'customs_hold',
      carrier_sub_status: 'customs_documents_required',
      carrier: 'royal_mail',
      service: 'Tracked 48',
      value: { amount_minor: 25_500, currency: 'GBP' },
      order_value: { amount_minor: 25_500, currency: 'GBP' },
      customer_segment: expect.any(String),
      case_type: null,
      priority: null,
      status: null,
      source: null,
      tags: [],
      sla_elapsed: null,
      sla_remaining: null,
      first_response_elapsed: null,
      first_response_remaining: null,
      product_category: 'electronics',
      sku: 'BOOT-42',
      fulfilment_centre: null,
      destination_country: 'FR',
      channel: null,
      evidence_count: null,
      time_since_carrier_update: 0,
      message_text: null,
      connection_status: null,
      connection_provider: null,
    })
  })

  it("takes the parcel's declared value first (in the order's currency when it names none)", async () => {
    const s = await shippedOrder(env.ctx, m.id)
    const event = statusChanged(m.id, s, 'lost', at, { declared_value: { amount_minor: 12_000, currency: null } })
    expect((await buildFacts(db, m.id, onEvent(event))).value).toEqual({ amount_minor: 12_000, currency: 'GBP' })
  })

  it('reads a case event: type, priority, status, channel, source, tags, evidence count, and its shipment', async () => {
    const s = await shippedOrder(env.ctx, m.id)
    const c = await open(s.shipmentId)
    const event: DomainEvent = {
      id: newId(),
      merchant_id: m.id,
      type: 'case.updated',
      subject_id: c.id,
      occurred_at: at.toISOString(),
      data: {
        case_id: c.id,
        number: 'CD-1',
        case_type: 'damaged',
        status: 'new',
        priority: 'urgent',
        assignee_id: null,
        team_id: null,
        changes: ['priority'],
      },
    }
    expect(await buildFacts(db, m.id, onEvent(event))).toMatchObject({
      event: 'case.updated',
      case_type: 'damaged',
      priority: 'urgent',
      status: 'new',
      channel: 'api',
      source: 'manual',
      tags: ['vip'],
      evidence_count: 0,
      carrier: 'royal_mail',
      carrier_event: null,
      value: { amount_minor: 18_000, currency: 'GBP' },
      destination_country: 'FR',
    })
  })

  it("gives the running resolution target's share spent and minutes left at the trigger's time", async () => {
    const c = await open(null)
    await db
      .transaction()
      .execute((trx) => setSlaTarget(trx, sys, c.id, 'resolution', { minutes: 48 * 60, business: false }, at))
    const facts = await buildFacts(db, m.id, clock('sla_threshold', { caseId: c.id }, minutes(36 * 60)))
    expect(facts).toMatchObject({ event: 'clock:sla_threshold', sla_elapsed: 75, sla_remaining: 12 * 60 })
    const overdue = await buildFacts(db, m.id, clock('sla_threshold', { caseId: c.id }, minutes(50 * 60)))
    expect(overdue).toMatchObject({ sla_remaining: -2 * 60 })
  })

  it('counts the minutes since the last carrier update: the shipment at a clock trigger, the event of a stale one', async () => {
    const s = await shippedOrder(env.ctx, m.id)
    const shipped = new Date('2026-11-02T10:00:00Z')
    const silent = await buildFacts(
      db,
      m.id,
      clock('carrier_silence', { shipmentId: s.shipmentId }, minutes(24 * 60, shipped)),
    )
    expect(silent).toMatchObject({ time_since_carrier_update: 24 * 60, carrier: 'royal_mail' })
    const stale: DomainEvent = {
      id: newId(),
      merchant_id: m.id,
      type: 'shipment.stale',
      subject_id: s.shipmentId,
      occurred_at: minutes(90, at).toISOString(),
      data: {
        shipment_id: s.shipmentId,
        order_id: s.orderId,
        carrier_code: 'royal_mail',
        carrier_name: 'Royal Mail',
        service: null,
        tracking_number: s.trackingNumber,
        tracking_status: 'in_transit',
        last_tracking_event_at: at.toISOString(),
        shipped_at: shipped.toISOString(),
        due_at: null,
        since: minutes(90, at).toISOString(),
      },
    }
    expect(await buildFacts(db, m.id, onEvent(stale))).toMatchObject({
      event: 'shipment.stale',
      carrier_event: 'in_transit',
      time_since_carrier_update: 90,
    })
  })

  it("reads a received message's text", async () => {
    const c = await open(null)
    const message = await db.transaction().execute((trx) =>
      recordMessage(
        trx,
        sys,
        {
          caseId: c.id,
          direction: 'in',
          channel: 'email',
          visibility: 'public',
          status: 'received',
          authorType: 'customer',
          from: { address: 'sam@example.com' },
          to: [{ address: 'help@shop.example' }],
          cc: [],
          subject: 'Where is it?',
          text: 'My order #1042 never came.',
        },
        at,
      ),
    )
    const event: DomainEvent = {
      id: newId(),
      merchant_id: m.id,
      type: 'message.received',
      subject_id: message.id,
      occurred_at: at.toISOString(),
      data: {
        message_id: message.id,
        case_id: c.id,
        channel: 'email',
        visibility: 'public',
        customer_id: null,
        robot: null,
        new_case: false,
      },
    }
    expect(await buildFacts(db, m.id, onEvent(event))).toMatchObject({
      event: 'message.received',
      message_text: 'My order #1042 never came.',
      case_type: 'damaged',
      channel: 'api',
    })
  })

  it('reads a connection alert: no case, its status and provider', async () => {
    const event: DomainEvent = {
      id: newId(),
      merchant_id: m.id,
      type: 'connection.unhealthy',
      subject_id: newId(),
      occurred_at: at.toISOString(),
      data: {
        connection_id: newId(),
        source: 'carriers',
        provider: 'easypost',
        reasons: ['silent'],
        last_received_at: null,
      },
    }
    expect(await buildFacts(db, m.id, onEvent(event))).toMatchObject({
      event: 'connection.unhealthy',
      connection_status: 'unhealthy',
      connection_provider: 'easypost',
      case_type: null,
      carrier: null,
    })
    expect(await caseIdsFor(db, m.id, event)).toEqual([])
  })
})

describe('caseIdsFor', () => {
  it("finds a shipment event's unresolved cases, and a case event's own case", async () => {
    const s = await shippedOrder(env.ctx, m.id)
    const first = await open(s.shipmentId, 'damaged')
    const second = await open(s.shipmentId, 'late_delivery', minutes(1))
    const done = await open(s.shipmentId, 'other', minutes(2))
    await db
      .transaction()
      .execute((trx) => changeStatus(trx, sys, done.id, { status: 'resolved', resolutionCode: 'no_action' }, at))
    const event = statusChanged(m.id, s, 'exception', at)
    expect(await caseIdsFor(db, m.id, event)).toEqual([first.id, second.id])
    expect(
      await caseIdsFor(db, m.id, {
        id: newId(),
        merchant_id: m.id,
        type: 'evidence.request_completed',
        subject_id: done.id,
        occurred_at: at.toISOString(),
        data: { case_id: done.id, request_id: newId() },
      }),
    ).toEqual([done.id])
  })
})
