import { beforeAll, describe, expect, it } from 'vitest'
import { createTestMerchant, startTestEnv } from '../../test/harness.js'
import { systemActor, systemContext, type Actor } from '../auth/actor.js'
import { createRole, loadGrants } from '../roles/service.js'
import { setExchangeRate } from './service.js'
import { assertWithinLimit } from './limits.js'

let capped: Actor

const env = await startTestEnv()
const m = await createTestMerchant(env.ctx)
beforeAll(async () => {
  const now = new Date('2026-06-01T00:00:00Z')
  const role = await env.ctx.db.transaction().execute(async (trx) => {
    await setExchangeRate(
      trx,
      systemContext(m.id),
      { base: 'EUR', quote: 'GBP', rate: '0.85', effectiveOn: '2026-01-01' },
      now,
    )
    return createRole(
      trx,
      systemContext(m.id),
      {
        name: 'Junior refunds',
        permissions: [{ permission: 'refunds.approve', limit: { amount_minor: 20000, currency: 'GBP' } }],
      },
      now,
    )
  })
  capped = {
    type: 'user',
    id: null,
    merchantId: m.id,
    name: 'Junior',
    roleId: role.id,
    grants: await loadGrants(env.ctx.db, m.id, role.id),
  }
})

describe('permission amount bounds', () => {
  it('allows up to the bound and refuses above it, naming the limit', async () => {
    await expect(
      assertWithinLimit(env.ctx.db, capped, 'refunds.approve', { amountMinor: 20000, currency: 'GBP' }, '2026-06-01'),
    ).resolves.toBeUndefined()
    await expect(
      assertWithinLimit(env.ctx.db, capped, 'refunds.approve', { amountMinor: 20001, currency: 'GBP' }, '2026-06-01'),
    ).rejects.toMatchObject({
      code: 'limit_exceeded',
      status: 403,
      details: { limit_amount_minor: 20000, limit_currency: 'GBP' },
    })
  })

  it('compares other currencies through the dated exchange rate', async () => {
    // 235.30 EUR × 0.85 = 200.005 GBP → 200.00 (ties to even): allowed; 235.31 EUR → 200.0135 → 200.01: refused
    await expect(
      assertWithinLimit(env.ctx.db, capped, 'refunds.approve', { amountMinor: 23530, currency: 'EUR' }, '2026-06-01'),
    ).resolves.toBeUndefined()
    await expect(
      assertWithinLimit(env.ctx.db, capped, 'refunds.approve', { amountMinor: 23531, currency: 'EUR' }, '2026-06-01'),
    ).rejects.toMatchObject({ code: 'limit_exceeded' })
    await expect(
      assertWithinLimit(env.ctx.db, capped, 'refunds.approve', { amountMinor: 100, currency: 'USD' }, '2026-06-01'),
    ).rejects.toMatchObject({ code: 'exchange_rate_missing' })
  })

  it('puts no bound on a built-in role and refuses an actor without the permission', async () => {
    await expect(
      assertWithinLimit(
        env.ctx.db,
        systemActor(m.id),
        'refunds.approve',
        { amountMinor: 10 ** 12, currency: 'GBP' },
        '2026-06-01',
      ),
    ).resolves.toBeUndefined()
    const none: Actor = { ...capped, grants: new Map() }
    await expect(
      assertWithinLimit(env.ctx.db, none, 'refunds.approve', { amountMinor: 1, currency: 'GBP' }, '2026-06-01'),
    ).rejects.toMatchObject({ code: 'forbidden' })
  })
})
