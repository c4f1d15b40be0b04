import { systemContext } from '../src/auth/actor.js'
import { openCase } from '../src/cases/service.js'
import { requestEvidence } from '../src/evidence-requests/service.js'
import { mintLink } from '../src/links/service.js'
import { upsertOrder } from '../src/orders/service.js'
import type { RouteFixture } from './fixture-kit.js'

// Requests for the stored links, evidence requests, required evidence and pack routes (issue 24), for the RBAC
// matrix and the fuzz test; the portal's own routes are public (the link is their credential) and tested in
// server/src/evidence-requests/portal.test.ts.

const storedLink = async (k: Parameters<RouteFixture>[0]) => {
  const caseId = await k.case()
  const link = await k.ctx.db.transaction().execute((trx) =>
    mintLink(
      trx,
      {
        merchantId: k.m.id,
        purpose: 'evidence_upload',
        subjectType: 'case',
        subjectId: caseId,
        expiresAt: new Date(Date.now() + 86_400_000),
        createdBy: systemContext(k.m.id).actor.id,
      },
      k.ctx,
      new Date(),
    ),
  )
  k.created.add(link.id)
  return link.id
}

const evidenceRequest = async (k: Parameters<RouteFixture>[0]) => {
  const caseId = await k.case()
  const r = await k.ctx.db
    .transaction()
    .execute((trx) =>
      requestEvidence(
        trx,
        systemContext(k.m.id),
        caseId,
        { types: ['damage_photo'], message: 'Photos please', dueAt: new Date(Date.now() + 86_400_000) },
        k.ctx,
        new Date(),
      ),
    )
  k.created.add(r.id)
  return r.id
}

// A case with an order: what a commercial invoice is built from.
const caseWithOrder = async (k: Parameters<RouteFixture>[0]) => {
  const sys = systemContext(k.m.id)
  const id = await k.ctx.db.transaction().execute(async (trx) => {
    const { order } = await upsertOrder(
      trx,
      sys,
      {
        source: 'test',
        externalId: k.unique('o'),
        currency: 'GBP',
        placedAt: new Date(),
        totalMinor: 2500,
        lines: [{ name: 'Fixture item', quantity: 1, unitPriceMinor: 2500 }],
      },
      new Date(),
    )
    return (await openCase(trx, sys, { caseType: 'damaged', subject: 'Broken', orderId: order.id }, new Date())).id
  })
  k.created.add(id)
  return id
}

export const evidenceRequestFixtures: Record<string, RouteFixture> = {
  'GET /api/v1/cases/{id}/links': async (k) => ({ params: { id: await k.case() } }),
  'POST /api/v1/links/{id}/revoke': async (k) => ({ params: { id: await storedLink(k) } }),
  'POST /api/v1/cases/{id}/evidence-requests': async (k) => {
    return {
      params: { id: await k.case() },
      body: { types: ['damage_photo'], message: 'Please show us the damage.', deadline_hours: 48 },
    }
  },
  'GET /api/v1/cases/{id}/evidence-requests': async (k) => {
    return { params: { id: await k.case() } }
  },
  'POST /api/v1/evidence-requests/{id}/cancel': async (k) => ({ params: { id: await evidenceRequest(k) } }),
  'GET /api/v1/evidence/requirements': async () => ({}),
  'PUT /api/v1/evidence/requirements': async () => ({ body: { actions: { carrier_claim: ['damage_photo'] } } }),
  'GET /api/v1/cases/{id}/evidence/pack': async (k) => {
    return { params: { id: await k.case() } }
  },
  'POST /api/v1/cases/{id}/evidence/pack/email': async (k) => {
    return {
      params: { id: await k.case() },
      body: { to: [{ address: 'claims@carrier.example' }], text: 'Our evidence for the claim is attached.' },
    }
  },
  'POST /api/v1/cases/{id}/evidence/commercial-invoice': async (k) => {
    return { params: { id: await caseWithOrder(k) } }
  },
  'GET /api/v1/cases/{id}/evidence/check': async (k) => {
    return { params: { id: await k.case() }, query: { for: 'case' } }
  },
}
