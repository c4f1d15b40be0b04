import { describe, expect, it } from 'vitest'
import { startServiceTest } from '../../test/harness.js'
import { getCustomer } from '../customers/service.js'
import { recordRefund, upsertOrder } from './service.js'
import { sampleOrder as order, T0 } from './testing.js'

const { env, m, ctx, tx } = await startServiceTest()

describe('orders', () => {
  it('creates the order, its lines, its payment and its customer, once per source id', async () => {
    const first = await tx((trx) => upsertOrder(trx, ctx, order(), T0))
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
      upsertOrder(trx, ctx, order({ status: 'closed', sourceUpdatedAt: new Date(T0.getTime() + 60_000) }), T0),
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
    const res = await tx((trx) => upsertOrder(trx, ctx, order({ status: 'closed', sourceUpdatedAt: later }), T0))
    expect(res.outcome).toBe('unchanged')
    const after = await env.ctx.db
      .selectFrom('audit_entries')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    expect(after.n).toBe(before.n)
    // An update from between the two source times is now stale, even though the repeat changed nothing.
    const between = await tx((trx) =>
      upsertOrder(trx, ctx, order({ status: 'cancelled', sourceUpdatedAt: new Date(T0.getTime() + 90_000) }), T0),
    )
    expect(between.outcome).toBe('stale')
  })

  it('ignores an update older than the one it has (out-of-order webhooks)', async () => {
    const res = await tx((trx) =>
      upsertOrder(trx, ctx, order({ status: 'cancelled', sourceUpdatedAt: new Date(T0.getTime() - 1) }), T0),
    )
    expect(res.outcome).toBe('stale')
    expect(res.order.status).toBe('closed')
  })

  it('never refunds more than was captured', async () => {
    const { order: o } = await tx((trx) => upsertOrder(trx, ctx, order({ externalId: 'refund-test' }), T0))
    const paymentId = o.payments[0]!.id
    const part = await tx((trx) => recordRefund(trx, ctx, { orderId: o.id, paymentId, amountMinor: 3998 }, T0))
    expect(part).toMatchObject({ refunded_amount_minor: 3998, refundable_amount_minor: 2000 })
    await expect(
      tx((trx) => recordRefund(trx, ctx, { orderId: o.id, paymentId, amountMinor: 2001 }, T0)),
    ).rejects.toMatchObject({ code: 'refund_exceeds_captured', details: { refundable_amount_minor: 2000 } })
    await expect(
      tx((trx) =>
        upsertOrder(
          trx,
          ctx,
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
    const { order: o } = await tx((trx) => upsertOrder(trx, ctx, order({ externalId: 'refund-once' }), T0))
    const refund = {
      orderId: o.id,
      paymentId: o.payments[0]!.id,
      amountMinor: 1000,
      source: 'shopify',
      externalId: 'refund-tx-1',
    }
    await tx((trx) => recordRefund(trx, ctx, refund, T0))
    const again = await tx((trx) => recordRefund(trx, ctx, refund, T0))
    expect(again.refunded_amount_minor).toBe(1000)
    const second = await tx((trx) => recordRefund(trx, ctx, { ...refund, externalId: 'refund-tx-2' }, T0))
    expect(second.refunded_amount_minor).toBe(2000)
  })

  it('refuses an unknown currency', async () => {
    await expect(
      tx((trx) => upsertOrder(trx, ctx, order({ externalId: 'xyz', currency: 'XYZ' }), T0)),
    ).rejects.toMatchObject({ code: 'currency_unknown' })
  })
})
