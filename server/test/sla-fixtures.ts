import { systemContext } from '../src/auth/actor.js'
import { createPolicy } from '../src/sla/policies/service.js'
import type { FixtureKitShape as FixtureKit, RouteFixture } from './fixture-kit.js'

// Requests for the SLA policies' and case clocks' routes (issue 22), for the RBAC matrix and the fuzz test.

const definition = {
  tier: 'medium' as const,
  conditions: [{ field: 'channel' as const, op: 'in' as const, values: ['email'] }],
  targets: [{ target: 'resolution', minutes: 1440, calendar_id: null }],
  alert_calendar_id: null,
}

async function policy(k: FixtureKit): Promise<string> {
  const p = await k.ctx.db
    .transaction()
    .execute((trx) => createPolicy(trx, systemContext(k.m.id), { name: k.unique('Policy'), definition }, new Date()))
  k.created.add(p.id)
  return p.id
}

export const slaFixtures: Record<string, RouteFixture> = {
  'GET /api/v1/sla/policies': async () => ({}),
  'POST /api/v1/sla/policies': async (k) => ({ body: { name: k.unique('Policy'), ...definition } }),
  'POST /api/v1/sla/policies/preview': async (k) => ({ body: { case_id: await k.case() } }),
  'GET /api/v1/sla/policies/{id}': async (k) => ({ params: { id: await policy(k) } }),
  'PUT /api/v1/sla/policies/{id}': async (k) => ({
    params: { id: await policy(k) },
    body: { draft: { ...definition, tier: 'high' } },
  }),
  'DELETE /api/v1/sla/policies/{id}': async (k) => ({ params: { id: await policy(k) } }),
  'POST /api/v1/sla/policies/{id}/publish': async (k) => {
    const id = await policy(k)
    await k.ctx.db
      .updateTable('sla_policies')
      .set({ draft: JSON.stringify({ ...definition, tier: 'low' }) })
      .where('id', '=', id)
      .execute()
    return { params: { id } }
  },
  'GET /api/v1/sla/policies/{id}/versions': async (k) => ({ params: { id: await policy(k) } }),
  'GET /api/v1/sla/policies/{id}/versions/{version}': async (k) => ({
    params: { id: await policy(k), version: '1' },
  }),
  'GET /api/v1/sla/settings': async () => ({}),
  'PUT /api/v1/sla/settings': async () => ({ body: { pause_statuses: ['waiting_customer', 'waiting_carrier'] } }),
  'GET /api/v1/sla/reports/attainment': async () => ({ query: { group_by: 'carrier' } }),
  'GET /api/v1/cases/{id}/sla': async (k) => ({ params: { id: await k.case() } }),
  'POST /api/v1/cases/{id}/sla/apply': async (k) => ({ params: { id: await k.case() }, body: {} }),
  'PUT /api/v1/cases/{id}/sla/targets/{target}': async (k) => ({
    params: { id: await k.case(), target: 'resolution' },
    body: { minutes: 1440, business: false },
  }),
}
