import { systemContext } from '../src/auth/actor.js'
import { createRule } from '../src/rules/service/rules.js'
import type { FixtureKitShape as FixtureKit, RouteFixture } from './fixture-kit.js'

// Requests for the automation rules' routes (issue 25), for the RBAC matrix and the fuzz test.

const source = "IF case_type = 'Damaged' THEN add_tag('fragile')."

async function rule(k: FixtureKit): Promise<string> {
  const r = await k.ctx.db
    .transaction()
    .execute((trx) => createRule(trx, systemContext(k.m.id), { name: k.unique('Rule'), source }, new Date()))
  k.created.add(r.id)
  return r.id
}

const range = { from: '2026-11-01T00:00:00.000Z', to: '2026-11-08T00:00:00.000Z' }

export const ruleFixtures: Record<string, RouteFixture> = {
  'GET /api/v1/rules': async () => ({}),
  'POST /api/v1/rules': async (k) => ({ body: { name: k.unique('Rule'), source } }),
  'POST /api/v1/rules/validate': async () => ({ body: { source } }),
  'POST /api/v1/rules/test': async (k) => ({ body: { rule_id: await rule(k), ...range } }),
  'GET /api/v1/rules/export': async () => ({}),
  'POST /api/v1/rules/import': async (k) => ({
    raw: { contentType: 'text/plain', payload: `# name: ${k.unique('Imported')}\n${source}\n` },
  }),
  'GET /api/v1/rules/{id}': async (k) => ({ params: { id: await rule(k) } }),
  'PATCH /api/v1/rules/{id}': async (k) => ({ params: { id: await rule(k) }, body: { mode: 'active' } }),
  'DELETE /api/v1/rules/{id}': async (k) => ({ params: { id: await rule(k) } }),
  'GET /api/v1/rules/{id}/versions': async (k) => ({ params: { id: await rule(k) } }),
  'GET /api/v1/rules/{id}/versions/{version}': async (k) => ({ params: { id: await rule(k), version: '1' } }),
  'GET /api/v1/rule-executions': async () => ({}),
  'GET /api/v1/rule-settings': async () => ({}),
  'PATCH /api/v1/rule-settings': async () => ({ body: { repeat_limit: 5 } }),
}
