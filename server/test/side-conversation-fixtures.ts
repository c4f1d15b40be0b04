import { systemContext } from '../src/auth/actor.js'
import { mailSetupOf } from '../src/messaging/service.js'
import { openSideConversation } from '../src/messaging/side/service.js'
import type { FixtureKitShape as FixtureKit, RouteFixture } from './fixture-kit.js'

// Requests for the side conversations' routes (issue 23), for the RBAC matrix and the fuzz test.

/** A side conversation with a carrier on a fresh case of the kit's workspace. */
async function side(k: FixtureKit): Promise<string> {
  const caseId = await k.case()
  const { sideConversation } = await k.ctx.db
    .transaction()
    .execute((trx) =>
      openSideConversation(
        trx,
        systemContext(k.m.id),
        caseId,
        { counterpartyKind: 'carrier', to: [{ address: 'claims@carrier.example' }], subject: 'Parcel', text: 'Where?' },
        { mail: mailSetupOf(k.ctx.config), render: k.ctx },
        new Date(),
      ),
    )
  k.created.add(sideConversation.id)
  return sideConversation.id
}

export const sideConversationFixtures: Record<string, RouteFixture> = {
  'GET /api/v1/cases/{id}/side-conversations': async (k) => ({ params: { id: await k.case() } }),
  'POST /api/v1/cases/{id}/side-conversations': async (k) => ({
    params: { id: await k.case() },
    body: {
      counterparty_kind: 'warehouse',
      counterparty_name: 'Main 3PL',
      to: [{ address: 'ops@3pl.example' }],
      subject: 'Please check stock',
      text: 'Was the parcel packed complete?',
    },
    ownStatus: 201,
  }),
  'GET /api/v1/side-conversations/{id}': async (k) => ({ params: { id: await side(k) } }),
  'POST /api/v1/side-conversations/{id}/messages': async (k) => ({
    params: { id: await side(k) },
    body: { text: 'Any news?' },
    ownStatus: 201,
  }),
  'POST /api/v1/side-conversations/{id}/close': async (k) => ({ params: { id: await side(k) } }),
  'POST /api/v1/side-conversations/{id}/reopen': async (k) => ({ params: { id: await side(k) } }),
}
