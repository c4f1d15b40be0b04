import { systemContext } from '../src/auth/actor.js'
import { placeHold } from '../src/retention/service/holds.js'
import type { FixtureKitShape as FixtureKit, RouteFixture } from './fixture-kit.js'

// Requests for the retention module's routes (issue 24: legal holds, retention policies, purge runs), for the RBAC
// matrix and the fuzz test; their behaviour is tested in server/src/retention/*.test.ts.
async function hold(k: FixtureKit): Promise<string> {
  const caseId = await k.case()
  const h = await k.ctx.db
    .transaction()
    .execute((trx) =>
      placeHold(trx, systemContext(k.m.id), { subjectType: 'case', subjectId: caseId, reason: 'Fixture' }, new Date()),
    )
  k.created.add(h.id)
  return h.id
}

export const retentionFixtures: Record<string, RouteFixture> = {
  'POST /api/v1/holds': async (k) => ({
    body: { subject_type: 'case', subject_id: await k.case(), reason: 'Carrier dispute' },
  }),
  'POST /api/v1/holds/{id}/release': async (k) => ({ params: { id: await hold(k) }, body: { reason: 'Settled' } }),
  'GET /api/v1/holds': async () => ({ query: { active: 'true' } }),
  'GET /api/v1/retention/policies': async () => ({}),
  'PUT /api/v1/retention/policies': async () => ({
    body: { policies: [{ kind: 'message_bodies', keep_days: 730, after: 'case_closed' }] },
  }),
  'GET /api/v1/retention/runs': async () => ({ query: { kind: 'message_bodies' } }),
}
