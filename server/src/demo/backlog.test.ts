import { describe, expect, it } from 'vitest'
import { createTestMerchant, startTestEnv } from '../../test/harness.js'
import { seedBacklog } from './backlog.js'

const env = await startTestEnv()
const m = await createTestMerchant(env.ctx)

const unresolved = async () =>
  Number(
    (
      await env.ctx.db
        .selectFrom('cases')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('merchant_id', '=', m.id)
        .where('status', 'in', ['new', 'open', 'waiting_customer', 'waiting_carrier', 'on_hold'])
        .executeTakeFirstOrThrow()
    ).n,
  )

describe('the demo backlog (--open-cases)', () => {
  it('tops the workspace up to the asked number of unresolved cases, in every open status, and adds nothing when it is there', async () => {
    expect(await seedBacklog(env.ctx, m.id, 120, new Date())).toBe(120)
    expect(await unresolved()).toBe(120)
    const byStatus = await env.ctx.db
      .selectFrom('cases')
      .select('status')
      .distinct()
      .where('merchant_id', '=', m.id)
      .execute()
    expect(byStatus.map((r) => r.status).sort()).toEqual([
      'new',
      'on_hold',
      'open',
      'waiting_carrier',
      'waiting_customer',
    ])
    expect(await seedBacklog(env.ctx, m.id, 100, new Date())).toBe(0)
    expect(await seedBacklog(env.ctx, m.id, 130, new Date())).toBe(10)
    expect(await unresolved()).toBe(130)
  })
})
