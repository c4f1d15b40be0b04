import type { RouteFixture } from './fixture-kit.js'

// Requests for the CSAT module's routes (issue 23), for the RBAC matrix and the fuzz test; the survey's own routes
// are public (a signed link is their credential) and tested in server/src/csat/csat.test.ts.
export const csatFixtures: Record<string, RouteFixture> = {
  'GET /api/v1/csat/settings': async () => ({}),
  'PUT /api/v1/csat/settings': async () => ({ body: { kind: 'csat', delay_minutes: 0, low_score_threshold: null } }),
  'GET /api/v1/csat/stats': async () => ({ query: { group_by: 'week' } }),
}
