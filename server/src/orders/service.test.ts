import type { Transaction } from 'kysely'
import type { Database } from '../db/schema.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestEnv, createTestMerchant, type TestEnv, type TestMerchant } from '../../test/harness.js'
import type { AuditActor } from '../audit/service.js'
import { getCustomer, redactCustomer, upsertCustomer } from '../customers/service.js'
import { mergeCustomers } from '../customers/service/merge-customers.js'
import { resolveCarrier } from '../shipments/carriers.js'
import { upsertShipment } from '../shipments/service.js'
import { listOrders, recordRefund, upsertOrder, type OrderInput } from './service.js'

let env: TestEnv
let m: TestMerchant
const actor: AuditActor = { type: 'system', id: null }
const T0 = new Date('2026-04-01T10:00:00Z')
const tx = <T>(fn: (trx: Transaction<Database>) => Promise<T>) => env.ctx.db.transaction().execute(fn)

beforeAll(async () => {
  env = await createTestEnv()
  m = await createTestMerchant(env.ctx)
})
afterAll(async () => env.close())

const order = (over: Partial<OrderInput> = {}): OrderInput => ({
  source: 'shopify',
  externalId: '820982911946154508',
  orderNumber: '#1001',
  currency: 'GBP',
  placedAt: T0,
  totalMinor: 5998,
  customer: { externalId: '115310627314723954', name: 'Jane Doe', email: 'Jane@Example.com', phone: '+44 7700 900123' },
  lines: [
    {
      externalId: 'l1',
      sku: 'TEE-BLK-M',
      name: 'Black tee, M',
      category: 'apparel',
      quantity: 2,
      unitPriceMinor: 1999,
      taxMinor: 666,
    },
    { externalId: 'l2', sku: 'CAP-RED', name: 'Red cap', quantity: 1, unitPriceMinor: 2000 },
  ],
  payments: [{ provider: 'shopify_payments', reference: 'tx-1', capturedMinor: 5998 }],
  sourceUpdatedAt: T0,
  ...over,
})

describe('orders', () => {
  it('creates the order, its lines, its payment and its customer, once per source id', async () => {
    const first = await tx((trx) => upsertOrder(trx, m.id, actor, order(), T0))
    expect(first.outcome).toBe('created')
    expect(first.order).toMatchObject({ currency: 'GBP', total_amount_minor: 5998, subtotal_amount_minor: 5998 })
    expect(first.order.lines.map((l) => [l.position, l.sku, l.quantity])).toEqual([
      [0, 'TEE-BLK-M', 2],
      [1, 'CAP-RED', 1],
    ])
    expect(first.order.payments[0]).toMatchObject({
      captured_amount_minor: 5998,
      refunded_amount_minor: 0,
      refundable_amount_minor: 5998,
    })
    const customer = await getCustomer(env.ctx.db, m.id, first.order.customer_id!)
    expect(customer).toMatchObject({
      email: 'Jane@Example.com',
      phone: '+447700900123',
      external_ids: [{ source: 'shopify', external_id: '115310627314723954' }],
    })

    const again = await tx((trx) =>
      upsertOrder(trx, m.id, actor, order({ status: 'closed', sourceUpdatedAt: new Date(T0.getTime() + 60_000) }), T0),
    )
    expect(again.outcome).toBe('updated')
    expect(again.order.id).toBe(first.order.id)
    expect(again.order.lines.map((l) => l.id)).toEqual(first.order.lines.map((l) => l.id)) // lines keep their ids
    const events = await env.ctx.db
      .selectFrom('outbox')
      .select('type')
      .where('subject_id', '=', first.order.id)
      .orderBy('id')
      .execute()
    expect(events.map((e) => e.type)).toEqual(['order.created', 'order.updated'])
  })

  it('writes, audits and announces nothing for a repeat of what it holds, but advances the source clock', async () => {
    const later = new Date(T0.getTime() + 120_000)
    const before = await env.ctx.db
      .selectFrom('audit_entries')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    const res = await tx((trx) =>
      upsertOrder(trx, m.id, actor, order({ status: 'closed', sourceUpdatedAt: later }), T0),
    )
    expect(res.outcome).toBe('unchanged')
    const after = await env.ctx.db
      .selectFrom('audit_entries')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    expect(after.n).toBe(before.n)
    // An update from between the two source times is now stale, even though the repeat changed nothing.
    const between = await tx((trx) =>
      upsertOrder(
        trx,
        m.id,
        actor,
        order({ status: 'cancelled', sourceUpdatedAt: new Date(T0.getTime() + 90_000) }),
        T0,
      ),
    )
    expect(between.outcome).toBe('stale')
  })

  it('ignores an update older than the one it has (out-of-order webhooks)', async () => {
    const res = await tx((trx) =>
      upsertOrder(trx, m.id, actor, order({ status: 'cancelled', sourceUpdatedAt: new Date(T0.getTime() - 1) }), T0),
    )
    expect(res.outcome).toBe('stale')
    expect(res.order.status).toBe('closed')
  })

  it('never refunds more than was captured', async () => {
    const { order: o } = await tx((trx) => upsertOrder(trx, m.id, actor, order({ externalId: 'refund-test' }), T0))
    const paymentId = o.payments[0]!.id
    const part = await tx((trx) => recordRefund(trx, m.id, actor, { orderId: o.id, paymentId, amountMinor: 3998 }, T0))
    expect(part).toMatchObject({ refunded_amount_minor: 3998, refundable_amount_minor: 2000 })
    await expect(
      tx((trx) => recordRefund(trx, m.id, actor, { orderId: o.id, paymentId, amountMinor: 2001 }, T0)),
    ).rejects.toMatchObject({ code: 'refund_exceeds_captured', details: { refundable_amount_minor: 2000 } })
    await expect(
      tx((trx) =>
        upsertOrder(
          trx,
          m.id,
          actor,
          order({
            externalId: 'bad-pay',
            payments: [{ provider: 'x', reference: 'y', capturedMinor: 10, refundedMinor: 11 }],
          }),
          T0,
        ),
      ),
    ).rejects.toMatchObject({ code: 'refund_exceeds_captured' })
  })

  it('applies a source refund once, however often it arrives (unique per payment and source id)', async () => {
    const { order: o } = await tx((trx) => upsertOrder(trx, m.id, actor, order({ externalId: 'refund-once' }), T0))
    const refund = {
      orderId: o.id,
      paymentId: o.payments[0]!.id,
      amountMinor: 1000,
      source: 'shopify',
      externalId: 'refund-tx-1',
    }
    await tx((trx) => recordRefund(trx, m.id, actor, refund, T0))
    const again = await tx((trx) => recordRefund(trx, m.id, actor, refund, T0))
    expect(again.refunded_amount_minor).toBe(1000)
    const second = await tx((trx) => recordRefund(trx, m.id, actor, { ...refund, externalId: 'refund-tx-2' }, T0))
    expect(second.refunded_amount_minor).toBe(2000)
  })

  it('refuses an unknown currency', async () => {
    await expect(
      tx((trx) => upsertOrder(trx, m.id, actor, order({ externalId: 'xyz', currency: 'XYZ' }), T0)),
    ).rejects.toMatchObject({ code: 'currency_unknown' })
  })
})

describe('customers', () => {
  it('matches a guest order to the same customer by email, and a phone in any common format', async () => {
    const a = await tx((trx) =>
      upsertCustomer(trx, m.id, actor, { source: 'import', email: 'guest@example.com', name: 'Guest' }, T0),
    )
    const b = await tx((trx) =>
      upsertCustomer(trx, m.id, actor, { source: 'shopify', externalId: 'c-9', email: 'GUEST@example.com' }, T0),
    )
    expect(b.customer.id).toBe(a.customer.id)
    const p1 = await tx((trx) => upsertCustomer(trx, m.id, actor, { source: 'import', phone: '0044 20 7946 0958' }, T0))
    const p2 = await tx((trx) =>
      upsertCustomer(trx, m.id, actor, { source: 'import', phone: '+44 (20) 7946-0958' }, T0),
    )
    expect(p2.customer.id).toBe(p1.customer.id)
    await expect(
      tx((trx) => upsertCustomer(trx, m.id, actor, { source: 'import', phone: '07946 0958' }, T0)),
    ).rejects.toMatchObject({ code: 'phone_invalid' })
  })

  it('merges a duplicate: its source ids and orders follow the survivor, and both are audited', async () => {
    const keep = await tx((trx) =>
      upsertCustomer(
        trx,
        m.id,
        actor,
        { source: 'shopify', externalId: 'keep-1', email: 'kim@example.com', name: 'Kim' },
        T0,
      ),
    )
    const dup = await tx((trx) =>
      upsertCustomer(
        trx,
        m.id,
        actor,
        { source: 'import', externalId: 'dup-1', phone: '+447700900999', locale: 'en-GB' },
        T0,
      ),
    )
    const { order: o } = await tx((trx) =>
      upsertOrder(
        trx,
        m.id,
        actor,
        order({ externalId: 'dup-order', customer: null, customerId: dup.customer.id }),
        T0,
      ),
    )
    const merged = await tx((trx) => mergeCustomers(trx, m.id, actor, keep.customer.id, dup.customer.id, T0))
    expect(merged).toMatchObject({ email: 'kim@example.com', phone: '+447700900999', locale: 'en-GB' })
    expect(merged.external_ids.map((e) => e.external_id).sort()).toEqual(['dup-1', 'keep-1'])
    expect(
      (await listOrders(env.ctx.db, m.id, { customerId: keep.customer.id, limit: 10 })).map((x) => x.id),
    ).toContain(o.id)
    const again = await tx((trx) =>
      upsertCustomer(trx, m.id, actor, { source: 'import', externalId: 'dup-1', name: 'Kim Lee' }, T0),
    )
    expect(again.customer.id).toBe(keep.customer.id) // a later import of the duplicate lands on the survivor
    const audit = await env.ctx.db
      .selectFrom('audit_entries')
      .select(['action', 'entity_id'])
      .where('action', 'like', 'customer.merged%')
      .execute()
    expect(audit.map((a) => a.action).sort()).toEqual(['customer.merged', 'customer.merged_into'])
  })

  it('redacts personal data but keeps the customer and its orders', async () => {
    const { order: o } = await tx((trx) =>
      upsertOrder(
        trx,
        m.id,
        actor,
        order({
          externalId: 'redact-order',
          customer: { externalId: 'r-1', email: 'erase@example.com', name: 'Eve Rase' },
        }),
        T0,
      ),
    )
    const redacted = await tx((trx) => redactCustomer(trx, m.id, actor, o.customer_id!, T0))
    expect(redacted).toMatchObject({ name: null, email: null, phone: null, redacted_at: T0 })
    const audit = await env.ctx.db
      .selectFrom('audit_entries')
      .select('changes')
      .where('entity_id', '=', o.customer_id!)
      .execute()
    expect(JSON.stringify(audit)).not.toContain('erase@example.com')
  })
})

describe('shipments', () => {
  it('maps free-text carrier names to known codes and keeps unknown ones, flagged', async () => {
    expect(resolveCarrier('Royal Mail')).toEqual({ code: 'royal_mail', name: 'Royal Mail', known: true })
    expect(resolveCarrier('  HERMES uk ')).toEqual({ code: 'evri', name: 'HERMES uk', known: true })
    expect(resolveCarrier('dhl_express')).toMatchObject({ code: 'dhl_express', known: true })
    expect(resolveCarrier("Bob's Vans")).toEqual({ code: null, name: "Bob's Vans", known: false })
  })

  it('ships lines of an order by position, with declared value and promised date', async () => {
    const { order: o } = await tx((trx) =>
      upsertOrder(trx, m.id, actor, order({ externalId: 'ship-order', shippingCountry: 'fr' }), T0),
    )
    const { shipment, outcome } = await tx((trx) =>
      upsertShipment(
        trx,
        m.id,
        actor,
        {
          source: 'shopify',
          externalId: 'f-1',
          orderExternalId: 'ship-order',
          carrier: 'Colissimo',
          trackingNumber: '6A12345678901',
          shippedAt: T0,
          declaredValue: { amountMinor: 3998, currency: 'GBP' },
          promisedDeliveryOn: '2026-04-04',
          lines: [{ position: 0, quantity: 2 }],
        },
        T0,
      ),
    )
    expect(outcome).toBe('created')
    expect(shipment).toMatchObject({
      order_id: o.id,
      carrier: { code: 'colissimo', name: 'Colissimo', known: true },
      status: 'shipped',
      destination_country: 'FR',
      declared_value: { amount_minor: 3998, currency: 'GBP' },
      promised_delivery_on: '2026-04-04',
      lines: [{ order_line_id: o.lines[0]!.id, quantity: 2 }],
    })
    await expect(
      tx((trx) =>
        upsertShipment(
          trx,
          m.id,
          actor,
          { source: 'shopify', externalId: 'f-2', orderId: o.id, lines: [{ position: 7, quantity: 1 }] },
          T0,
        ),
      ),
    ).rejects.toMatchObject({ code: 'order_line_unknown' })
  })
})
