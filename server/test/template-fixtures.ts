import { systemContext } from '../src/auth/actor.js'
import { createMacro } from '../src/messaging/macros/service.js'
import { approveVersion, createTemplate, saveVersion } from '../src/messaging/templates/service.js'
import type { FixtureKitShape as FixtureKit, RouteFixture } from './fixture-kit.js'

// Requests for the templates', email settings' and macros' routes (issue 21), for the RBAC matrix and the fuzz test.

/** A template of the kit's workspace, with `versions` saved versions (the first approved when asked). */
async function template(k: FixtureKit, o: { versions?: number; approved?: boolean } = {}): Promise<string> {
  const now = new Date()
  const sys = systemContext(k.m.id)
  const purpose = k.unique('p').replace(/-/g, '_')
  const t = await k.ctx.db.transaction().execute(async (trx) => {
    const created = await createTemplate(
      trx,
      sys,
      { purpose, channel: 'email', locale: 'en', name: purpose, subject: 'About {{ case.number }}', text: 'Hello' },
      now,
    )
    if (o.versions) await saveVersion(trx, sys, created.id, now)
    if (o.approved) await approveVersion(trx, sys, created.id, 1, false, now)
    return created
  })
  k.created.add(t.id)
  return t.id
}

async function macro(k: FixtureKit): Promise<string> {
  const m = await k.ctx.db
    .transaction()
    .execute((trx) =>
      createMacro(
        trx,
        systemContext(k.m.id),
        { name: k.unique('Macro'), actions: [{ type: 'add_tag', tag: 'fixture' }] },
        new Date(),
      ),
    )
  k.created.add(m.id)
  return m.id
}

export const templateFixtures: Record<string, RouteFixture> = {
  'GET /api/v1/message-templates': async () => ({ query: { channel: 'email' } }),
  'GET /api/v1/message-templates/variables': async () => ({}),
  'GET /api/v1/message-templates/{id}': async (k) => ({ params: { id: await template(k) } }),
  'POST /api/v1/message-templates': async (k) => ({
    body: {
      purpose: k.unique('p').replace(/-/g, '_'),
      locale: 'en',
      name: 'Fixture',
      subject: 'Hi',
      text: 'Hello {{ customer.name }}',
    },
  }),
  'PATCH /api/v1/message-templates/{id}': async (k) => ({
    params: { id: await template(k) },
    body: { subject: 'Changed' },
  }),
  'POST /api/v1/message-templates/{id}/versions': async (k) => ({ params: { id: await template(k) } }),
  'POST /api/v1/message-templates/{id}/versions/{version}/approval': async (k) => ({
    params: { id: await template(k, { versions: 1 }), version: '1' },
    body: { make_live: true },
  }),
  'POST /api/v1/message-templates/{id}/versions/{version}/live': async (k) => ({
    params: { id: await template(k, { versions: 1, approved: true }), version: '1' },
  }),
  'POST /api/v1/message-templates/{id}/archive': async (k) => ({ params: { id: await template(k) } }),
  'POST /api/v1/message-templates/{id}/preview': async (k) => ({
    params: { id: await template(k) },
    body: { case_id: await k.case() },
  }),
  // No SMTP_URL in the matrix's app: the admin's own request is refused with 409 mail_server_not_configured.
  'POST /api/v1/message-templates/{id}/test-sends': async (k) => ({
    params: { id: await template(k) },
    body: { to: 'editor@example.com' },
    ownStatus: 409,
  }),
  'GET /api/v1/email-settings': async () => ({}),
  'PUT /api/v1/email-settings': async () => ({ body: { allowed_link_domains: ['shop.example.com'] } }),
  'GET /api/v1/macros': async () => ({}),
  'GET /api/v1/macros/{id}': async (k) => ({ params: { id: await macro(k) } }),
  'POST /api/v1/macros': async (k) => ({
    body: { name: k.unique('Macro'), actions: [{ type: 'add_tag', tag: 'vip' }] },
  }),
  'PATCH /api/v1/macros/{id}': async (k) => ({ params: { id: await macro(k) }, body: { name: k.unique('Renamed') } }),
  'DELETE /api/v1/macros/{id}': async (k) => ({ params: { id: await macro(k) } }),
  'POST /api/v1/cases/{id}/macros/{macroId}/preview': async (k) => ({
    params: { id: await k.case(), macroId: await macro(k) },
  }),
  'POST /api/v1/cases/{id}/macros/{macroId}/apply': async (k) => ({
    params: { id: await k.case(), macroId: await macro(k) },
  }),
}
