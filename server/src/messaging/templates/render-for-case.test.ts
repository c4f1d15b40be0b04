import { describe, expect, it } from 'vitest'
import { startTestEnv } from '../../../test/harness.js'
import { createTestMerchant } from '../../../test/harness.js'
import { systemContext } from '../../auth/actor.js'
import { allowedLinkHosts, renderForCase } from './service.js'
import { caseWithOrder } from './testing.js'

const env = await startTestEnv({ publicUrl: 'https://claimdesk.example.com' })
const m = await createTestMerchant(env.ctx)
const now = new Date('2026-12-03T10:00:00Z')

const render = (caseId: string, opts: Partial<Parameters<typeof renderForCase>[3]> = {}) =>
  env.ctx.db
    .transaction()
    .execute((trx) => renderForCase(trx, systemContext(m.id), caseId, { app: env.ctx, ...opts }, now))

describe('renderForCase', () => {
  it("renders the live customs-hold default with the case's order, parcel and portal link, with no QA problems", async () => {
    const { caseId } = await caseWithOrder(env.ctx, m.id, 'a1')
    const r = await render(caseId, { purpose: 'customs_hold' })
    expect(r.problems).toEqual([])
    expect(r.version).toBe(1)
    expect(r.locale).toBe('en')
    expect(r.subject).toBe('A customs delay on #12345')
    expect(r.text).toContain("Hi Robin,\n\nWe've seen a delay with your order #12345 due to a customs hold.")
    expect(r.text).toContain('Track your parcel: https://www.ups.com/track?tracknum=1Za1')
    expect(r.html).toContain('<a href="https://www.ups.com/track?tracknum=1Za1">Track your parcel</a>')
  })

  it('signs a portal link to the case and documents every variable it fills', async () => {
    const { caseId } = await caseWithOrder(env.ctx, m.id, 'a2')
    const r = await render(caseId, { purpose: 'acknowledgement', preview: true })
    expect(r.problems).toEqual([])
    expect(r.text).toMatch(/Follow your case: https:\/\/claimdesk\.example\.com\/portal\/[\w.-]+\n/)
  })

  it('allows PUBLIC_URL, carriers and the email settings domains', async () => {
    const hosts = await allowedLinkHosts(env.ctx.db, m.id, env.ctx.config, now)
    expect(hosts).toEqual(expect.arrayContaining(['claimdesk.example.com', 'ups.com', 'royalmail.com']))
  })
})
