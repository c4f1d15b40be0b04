import { describe, expect, it } from 'vitest'
import { startTestApp } from '../../test/harness.js'
import { systemContext } from '../auth/actor.js'
import { runDueJobs } from '../../test/jobs.js'
import { upsertOrder } from '../orders/service.js'
import { modules } from '../registry.js'

const { env, m, other, call } = await startTestApp({ other: true })

const found = async (q: string, key = m.keys.admin) =>
  ((await call('GET', `/cases?q=${encodeURIComponent(q)}`, undefined, key)).json().data as { id: string }[]).map(
    (c) => c.id,
  )

async function order(merchantId: string, number: string, customer: { name: string; email: string }) {
  const { order: o } = await env.ctx.db.transaction().execute((trx) =>
    upsertOrder(
      trx,
      systemContext(merchantId),
      {
        source: 'shop',
        externalId: `shop-${number}`,
        orderNumber: `#${number}`,
        currency: 'GBP',
        placedAt: new Date('2026-11-01T10:00:00Z'),
        totalMinor: 4_500,
        customer: { externalId: `cust-${number}`, ...customer },
        lines: [{ name: 'Rain jacket', quantity: 1, unitPriceMinor: 4_500 }],
      },
      new Date(),
    ),
  )
  return o
}

describe('finding cases by their order and customer', () => {
  it("finds a case by its linked order number, with or without #, and by the customer's name and email", async () => {
    const o = await order(m.id, '3966', { name: 'Priya Raman', email: 'priya.raman@example.com' })
    const res = await call('POST', '/cases', {
      case_type: 'wrong_item',
      subject: 'Sent the wrong size',
      order_id: o.id,
      customer_id: o.customer_id,
    })
    expect(res.statusCode).toBe(201)
    const id = res.json().id as string
    const unrelated = (await call('POST', '/cases', { case_type: 'other', subject: 'Question about 39 and 66' })).json()
      .id as string
    for (const q of ['#3966', '3966', 'Priya Raman', 'raman', 'priya.raman@example.com'])
      expect([q, await found(q)]).toEqual([q, [id]])
    expect(await found('3966', other.keys.admin)).toEqual([])
    expect(await found('Question')).toEqual([unrelated])
  })

  it("keeps the customer's words current: a renamed customer is found by the new name, an erased one by neither name nor email", async () => {
    const o = await order(m.id, '4100', { name: 'Tom Hardwick', email: 'tom.hardwick@example.com' })
    const id = (
      await call('POST', '/cases', {
        case_type: 'damaged',
        subject: 'Torn seam',
        order_id: o.id,
        customer_id: o.customer_id,
      })
    ).json().id as string
    expect(await found('hardwick')).toEqual([id])

    expect((await call('PATCH', `/customers/${o.customer_id}`, { name: 'Tom Ashdown' })).statusCode).toBe(200)
    await runDueJobs(env.ctx, modules)
    expect(await found('ashdown')).toEqual([id])
    expect(await found('hardwick')).toEqual([])

    expect((await call('DELETE', `/customers/${o.customer_id}`)).statusCode).toBe(200)
    await runDueJobs(env.ctx, modules)
    expect(await found('ashdown')).toEqual([])
    expect(await found('tom.hardwick@example.com')).toEqual([])
    // The case is still found by its order, which erasure keeps.
    expect(await found('#4100')).toEqual([id])
    const link = await env.ctx.db
      .selectFrom('case_links')
      .select('summary')
      .where('case_id', '=', id)
      .where('entity_type', '=', 'customer')
      .executeTakeFirstOrThrow()
    expect(JSON.stringify(link.summary)).not.toContain('hardwick')
  })
})

describe('GET /orders?number=', () => {
  it('finds an order by its number, with or without #, in this workspace only', async () => {
    const o = await order(m.id, '5120', { name: 'Ann Lee', email: 'ann.lee@example.com' })
    await order(other.id, '5120', { name: 'Ann Lee', email: 'ann.lee@example.com' })
    for (const n of ['5120', '#5120']) {
      const res = await call('GET', `/orders?number=${encodeURIComponent(n)}`)
      expect(res.statusCode).toBe(200)
      expect(res.json().data.map((x: { id: string }) => x.id)).toEqual([o.id])
    }
    expect((await call('GET', '/orders?number=9999999')).json().data).toEqual([])
  })
})
