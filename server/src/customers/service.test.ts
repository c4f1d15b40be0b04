import { describe, expect, it } from 'vitest'
import { startServiceTest } from '../../test/harness.js'
import { listOrders, upsertOrder } from '../orders/service.js'
import { sampleOrder as order, T0 } from '../orders/testing.js'
import { mergeCustomers } from './service/merge-customers.js'
import { redactCustomer, upsertCustomer } from './service.js'

const { env, m, ctx, tx } = await startServiceTest()

describe('customers', () => {
  it('matches a guest order to the same customer by email, and a phone in any common format', async () => {
    const a = await tx((trx) =>
      upsertCustomer(trx, ctx, { source: 'import', email: 'guest@example.com', name: 'Guest' }, T0),
    )
    const b = await tx((trx) =>
      upsertCustomer(trx, ctx, { source: 'shopify', externalId: 'c-9', email: 'GUEST@example.com' }, T0),
    )
    expect(b.customer.id).toBe(a.customer.id)
    const p1 = await tx((trx) => upsertCustomer(trx, ctx, { source: 'import', phone: '0044 20 7946 0958' }, T0))
    const p2 = await tx((trx) => upsertCustomer(trx, ctx, { source: 'import', phone: '+44 (20) 7946-0958' }, T0))
    expect(p2.customer.id).toBe(p1.customer.id)
    await expect(
      tx((trx) => upsertCustomer(trx, ctx, { source: 'import', phone: '07946 0958' }, T0)),
    ).rejects.toMatchObject({ code: 'phone_invalid' })
  })

  it('merges a duplicate: its source ids and orders follow the survivor, and both are audited', async () => {
    const keep = await tx((trx) =>
      upsertCustomer(trx, ctx, { source: 'shopify', externalId: 'keep-1', email: 'kim@example.com', name: 'Kim' }, T0),
    )
    const dup = await tx((trx) =>
      upsertCustomer(trx, ctx, { source: 'import', externalId: 'dup-1', phone: '+447700900999', locale: 'en-GB' }, T0),
    )
    const { order: o } = await tx((trx) =>
      upsertOrder(trx, ctx, order({ externalId: 'dup-order', customer: null, customerId: dup.customer.id }), T0),
    )
    const merged = await tx((trx) => mergeCustomers(trx, ctx, keep.customer.id, dup.customer.id, T0))
    expect(merged).toMatchObject({ email: 'kim@example.com', phone: '+447700900999', locale: 'en-GB' })
    expect(merged.external_ids.map((e) => e.external_id).sort()).toEqual(['dup-1', 'keep-1'])
    expect(
      (await listOrders(env.ctx.db, m.id, { customerId: keep.customer.id, limit: 10 })).map((x) => x.id),
    ).toContain(o.id)
    const again = await tx((trx) =>
      upsertCustomer(trx, ctx, { source: 'import', externalId: 'dup-1', name: 'Kim Lee' }, T0),
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
        ctx,
        order({
          externalId: 'redact-order',
          customer: { externalId: 'r-1', email: 'erase@example.com', name: 'Eve Rase' },
        }),
        T0,
      ),
    )
    const redacted = await tx((trx) => redactCustomer(trx, ctx, o.customer_id!, T0))
    expect(redacted).toMatchObject({ name: null, email: null, phone: null, redacted_at: T0 })
    const audit = await env.ctx.db
      .selectFrom('audit_entries')
      .select('changes')
      .where('entity_id', '=', o.customer_id!)
      .execute()
    expect(JSON.stringify(audit)).not.toContain('erase@example.com')
  })
})
