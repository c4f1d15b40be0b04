import { sql } from 'kysely'
import { simpleParser } from 'mailparser'
import { afterAll, describe, expect, it } from 'vitest'
import { expectError, startTestApp } from '../../../test/harness.js'
import { systemContext } from '../../auth/actor.js'
import { mailSetup, renderForCase } from './service.js'
import { startSmtpSink } from '../email/testing/smtp-sink.js'
import { caseWithOrder } from './testing.js'

const sink = await startSmtpSink()
afterAll(() => sink.close())
const { env, m, call } = await startTestApp({
  config: { smtpUrl: sink.url, publicUrl: 'https://claimdesk.example.com' },
})

const draft = {
  purpose: 'delivery_delay',
  locale: 'en',
  name: 'Delivery delay',
  subject: 'About your order {{ order.number }}',
  text: 'Hi {{ customer.first_name }}, your parcel is late. Follow it: {{ links.portal }}',
  html: '<p>Hi {{ customer.first_name }}, <a href="{{ links.portal }}">follow your parcel</a></p>',
}

async function created(body: Record<string, unknown> = {}) {
  const res = await call('POST', '/message-templates', {
    ...draft,
    purpose: `p_${Math.random().toString(36).slice(2, 10)}`,
    ...body,
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { id: string; purpose: string }
}

describe('template defaults', () => {
  it('gives a new workspace the six default templates, each live as version 1 approved by the system', async () => {
    const res = await call('GET', '/message-templates?channel=email&locale=en', undefined, 'agent')
    expect(res.statusCode).toBe(200)
    const defaults = (res.json().data as { purpose: string; live_version: number }[]).filter((t) =>
      ['acknowledgement', 'update', 'resolution', 'return_instructions', 'damage_ack', 'customs_hold'].includes(
        t.purpose,
      ),
    )
    expect(defaults.map((t) => [t.purpose, t.live_version]).sort()).toEqual([
      ['acknowledgement', 1],
      ['customs_hold', 1],
      ['damage_ack', 1],
      ['resolution', 1],
      ['return_instructions', 1],
      ['update', 1],
    ])
    const ack = (res.json().data as { id: string; purpose: string }[]).find((t) => t.purpose === 'acknowledgement')!
    const one = (await call('GET', `/message-templates/${ack.id}`)).json()
    expect(one.versions).toEqual([
      expect.objectContaining({ version: 1, approved_by: null, approved_at: expect.any(String), live: true }),
    ])
  })

  it('lists the documented variables for the editor', async () => {
    const res = await call('GET', '/message-templates/variables', undefined, 'agent')
    expect(res.statusCode).toBe(200)
    const names = (res.json().data as { name: string }[]).map((v) => v.name)
    expect(names).toEqual(
      expect.arrayContaining([
        'customer.name',
        'order.number',
        'order.lines',
        'shipment.tracking_url',
        'shipment.eta',
        'case.status',
        'links.portal',
        'brand.name',
      ]),
    )
  })
})

describe('staging', () => {
  it('saves immutable versions, lets a manager (not an agent) approve one and make it live', async () => {
    const t = await created()
    const saved = await call('POST', `/message-templates/${t.id}/versions`)
    expect(saved.statusCode, saved.body).toBe(201)
    expect(saved.json().versions).toEqual([expect.objectContaining({ version: 1, approved_at: null, live: false })])
    expectError(await call('POST', `/message-templates/${t.id}/versions`), 409, 'template_unchanged', { version: 1 })

    expectError(await call('POST', `/message-templates/${t.id}/versions/1/approval`, {}, 'agent'), 403, 'forbidden', {
      permission: 'templates.approve',
    })
    expectError(
      await call('POST', `/message-templates/${t.id}/versions/1/live`),
      409,
      'template_version_not_approved',
      {
        template_id: t.id,
        version: 1,
      },
    )
    const approved = await call(
      'POST',
      `/message-templates/${t.id}/versions/1/approval`,
      { make_live: true },
      'manager',
    )
    expect(approved.statusCode, approved.body).toBe(200)
    expect(approved.json()).toMatchObject({
      live_version: 1,
      versions: [{ version: 1, live: true, approved_by: expect.any(String) }],
    })
    expectError(
      await call('POST', `/message-templates/${t.id}/versions/1/approval`, {}, 'manager'),
      409,
      'template_version_approved',
      {
        template_id: t.id,
        version: 1,
      },
    )

    // Editing the draft changes no version; the live one stays what was approved.
    const edited = await call('PATCH', `/message-templates/${t.id}`, { subject: 'Changed {{ case.number }}' })
    expect(edited.json()).toMatchObject({
      draft: { subject: 'Changed {{ case.number }}' },
      live_version: 1,
      versions: [{ subject: draft.subject }],
    })
    const v2 = await call('POST', `/message-templates/${t.id}/versions`)
    expect(v2.json().versions.map((v: { version: number; live: boolean }) => [v.version, v.live])).toEqual([
      [2, false],
      [1, true],
    ])
  })

  it("lists each template's draft state against its newest version: none saved, changed, saved, approved", async () => {
    const t = await created()
    const state = async () => {
      const list = (await call('GET', `/message-templates?purpose=${t.purpose}`, undefined, 'agent')).json().data
      const { latest_version, latest_approved, draft_changed, live_version } = list[0]
      return { latest_version, latest_approved, draft_changed, live_version }
    }
    expect(await state()).toEqual({
      latest_version: null,
      latest_approved: false,
      draft_changed: true,
      live_version: null,
    })
    await call('POST', `/message-templates/${t.id}/versions`)
    expect(await state()).toEqual({
      latest_version: 1,
      latest_approved: false,
      draft_changed: false,
      live_version: null,
    })
    await call('POST', `/message-templates/${t.id}/versions/1/approval`, { make_live: true }, 'manager')
    await call('PATCH', `/message-templates/${t.id}`, { html: null })
    expect(await state()).toEqual({ latest_version: 1, latest_approved: true, draft_changed: true, live_version: 1 })
    expect((await call('GET', `/message-templates/${t.id}`)).json()).toMatchObject({
      latest_version: 1,
      latest_approved: true,
      draft_changed: true,
    })
  })

  it('refuses, in the database, to change or delete a saved version (immutability is a SQL-level guarantee)', async () => {
    const t = await created()
    await call('POST', `/message-templates/${t.id}/versions`)
    await expect(
      sql`update message_template_versions set subject = 'tampered' where template_id = ${t.id}`.execute(env.ctx.db),
    ).rejects.toThrow(/immutable/)
    await expect(
      sql`delete from message_template_versions where template_id = ${t.id}`.execute(env.ctx.db),
    ).rejects.toThrow(/immutable/)
    await call('POST', `/message-templates/${t.id}/versions/1/approval`, {}, 'manager')
    await expect(
      sql`update message_template_versions set approved_at = now() where template_id = ${t.id}`.execute(env.ctx.db),
    ).rejects.toThrow(/immutable/)
  })

  it('sends automatically only the live version: a draft or an unapproved version is never what goes out', async () => {
    const t = await created()
    const { caseId } = await caseWithOrder(env.ctx, m.id, 'st1')
    const live = () =>
      env.ctx.db
        .transaction()
        .execute((trx) =>
          renderForCase(
            trx,
            systemContext(m.id),
            caseId,
            { templateId: t.id, app: env.ctx, preview: true },
            new Date(),
          ),
        )
    await expect(live()).rejects.toMatchObject({ code: 'template_not_live' })
    await call('POST', `/message-templates/${t.id}/versions`)
    await expect(live()).rejects.toMatchObject({ code: 'template_not_live' })
    await call('POST', `/message-templates/${t.id}/versions/1/approval`, { make_live: true }, 'manager')
    await call('PATCH', `/message-templates/${t.id}`, { subject: 'Draft only {{ case.number }}' })
    const r = await live()
    expect(r).toMatchObject({ version: 1, subject: 'About your order #12345', problems: [] })
  })

  it('refuses to save a draft that does not render (unknown variable), with the problems', async () => {
    const t = await created({ text: 'Hi {{ customer.nmae }}' })
    const res = await call('POST', `/message-templates/${t.id}/versions`)
    expectError(res, 422, 'template_invalid', {
      problems: [{ code: 'undefined_variable', detail: expect.stringContaining('customer.nmae') }],
    })
  })

  it('audits every change', async () => {
    const t = await created()
    await call('PATCH', `/message-templates/${t.id}`, { name: 'Renamed' })
    await call('POST', `/message-templates/${t.id}/versions`)
    await call('POST', `/message-templates/${t.id}/versions/1/approval`, { make_live: true }, 'manager')
    await call('POST', `/message-templates/${t.id}/archive`)
    const actions = await env.ctx.db
      .selectFrom('audit_entries')
      .select('action')
      .where('entity_id', '=', t.id)
      .orderBy('occurred_at')
      .execute()
    expect(actions.map((a) => a.action).sort()).toEqual(
      [
        'message_template.archived',
        'message_template.created',
        'message_template.draft_updated',
        'message_template.made_live',
        'message_template.version_approved',
        'message_template.version_saved',
      ].sort(),
    )
  })
})

describe('locales', () => {
  it("renders in the customer's language when there is a template for it, else the workspace's default locale", async () => {
    const de = await call('POST', '/message-templates', {
      purpose: 'acknowledgement',
      locale: 'de',
      name: 'Eingangsbestätigung',
      subject: 'Wir haben Ihre Anfrage ({{ case.number }})',
      text: 'Hallo {{ customer.first_name }}',
    })
    expect(de.statusCode, de.body).toBe(201)
    await call('POST', `/message-templates/${de.json().id}/versions`)
    await call('POST', `/message-templates/${de.json().id}/versions/1/approval`, { make_live: true })
    const { caseId } = await caseWithOrder(env.ctx, m.id, 'loc1')
    const render = (locale?: string) =>
      env.ctx.db
        .transaction()
        .execute((trx) =>
          renderForCase(
            trx,
            systemContext(m.id),
            caseId,
            { purpose: 'acknowledgement', locale, app: env.ctx, preview: true },
            new Date(),
          ),
        )
    expect((await render('de-AT')).locale).toBe('de')
    expect((await render('de-AT')).subject).toMatch(/^Wir haben Ihre Anfrage \(CD-\d+\)$/)
    expect((await render('fr')).locale).toBe('en')
    await call('PUT', '/email-settings', { default_locale: 'de' })
    expect((await render('fr')).locale).toBe('de')
    await call('PUT', '/email-settings', { default_locale: 'en' })
  })
})

describe('email settings', () => {
  it('shows the reply domain, the mail server and DKIM from config beside the settings, never the DKIM key', async () => {
    const res = await call('GET', '/email-settings')
    expect(res.statusCode, res.body).toBe(200)
    const domain = env.ctx.config.email.inboundDomain
    expect(res.json().mail).toEqual({
      reply_domain: domain,
      reply_address: `reply+<token>@${domain}`,
      mail_server: true,
      dkim: null,
    })
    const put = await call('PUT', '/email-settings', { from_name: 'Northwind Support' })
    expect(put.json()).toMatchObject({ from_name: 'Northwind Support', mail: res.json().mail })
    const dkim = { domainName: 'shop.example', keySelector: 's1', privateKey: '-----BEGIN PRIVATE KEY-----' }
    expect(mailSetup({ email: { ...env.ctx.config.email, dkim } }).dkim).toEqual({
      domain: 'shop.example',
      selector: 's1',
    })
  })
})

describe('preview and QA', () => {
  it('previews against a real case, reporting links that would be held', async () => {
    const t = await created({
      html: '<a href="http://shop.example/x">a</a> <a href="https://evil.example/y">b</a> <a href="{{ shipment.tracking_url }}">c</a> {{ "{{" }} raw',
    })
    const { caseId } = await caseWithOrder(env.ctx, m.id, 'pv1')
    const res = await call('POST', `/message-templates/${t.id}/preview`, { case_id: caseId }, 'agent')
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json().subject).toBe('About your order #12345')
    expect(res.json().version).toBeNull()
    expect(
      res
        .json()
        .problems.map((p: { code: string }) => p.code)
        .sort(),
    ).toEqual(['host_not_allowed', 'not_https', 'unrendered'])
  })

  it('flags an empty variable in a link in the sample preview, and allows a domain once the settings allow it', async () => {
    const t = await created({ html: '<a href="https://shop.example/orders/{{ order.number }}">order</a>' })
    const codes = async () =>
      ((await call('POST', `/message-templates/${t.id}/preview`, {})).json().problems as { code: string }[]).map(
        (p) => p.code,
      )
    expect(await codes()).toEqual(['host_not_allowed'])
    await call('PUT', '/email-settings', { allowed_link_domains: ['Shop.Example'] })
    expect(await codes()).toEqual([])
    const empty = await created({
      html: '<a href="https://shop.example/{{ customer.email | remove: customer.email }}x">',
    })
    expect((await call('POST', `/message-templates/${empty.id}/preview`, {})).json().problems).toEqual([
      { code: 'empty_variable', detail: expect.stringContaining('html') },
    ])
  })

  it("previews an editor's unsaved parts in place of the saved draft, with a case or the sample data, saving nothing", async () => {
    const t = await created()
    const unsaved = {
      subject: 'Case {{ case.number }}',
      text: 'Hi {{ customer.first_name }}',
      html: '<a href="https://evil.example/{{ order.number }}">x</a>',
    }
    const sample = await call('POST', `/message-templates/${t.id}/preview`, { draft: unsaved }, 'agent')
    expect(sample.statusCode, sample.body).toBe(200)
    expect(sample.json()).toMatchObject({ subject: expect.stringMatching(/^Case /), version: null })
    expect(sample.json().problems.map((p: { code: string }) => p.code)).toEqual(['host_not_allowed'])
    const { caseId } = await caseWithOrder(env.ctx, m.id, 'pv2')
    const withCase = await call('POST', `/message-templates/${t.id}/preview`, {
      case_id: caseId,
      draft: { ...unsaved, html: null },
    })
    expect(withCase.json()).toMatchObject({ subject: expect.stringMatching(/^Case CD-\d+$/), html: null, problems: [] })
    expect((await call('GET', `/message-templates/${t.id}`)).json().draft).toEqual({
      subject: draft.subject,
      text: draft.text,
      html: draft.html,
    })
    expectError(
      await call('POST', `/message-templates/${t.id}/preview`, { version: 'live', draft: unsaved }),
      400,
      'validation_failed',
      { errors: [{ path: 'body/draft', message: "only with version 'draft'" }] },
    )
    expectError(
      await call('POST', `/message-templates/${t.id}/preview`, { draft: { subject: 'x' } }),
      400,
      'validation_failed',
      expect.anything(),
    )
  })

  it('refuses a case of another workspace or an unknown one', async () => {
    const t = await created()
    expectError(
      await call('POST', `/message-templates/${t.id}/preview`, { case_id: '01930000-0000-7000-8000-000000000000' }),
      404,
      'case_not_found',
      { case_id: '01930000-0000-7000-8000-000000000000' },
    )
  })
})

describe('test send', () => {
  it('sends the rendered preview, marked as a test, to the chosen address through SMTP', async () => {
    const t = await created()
    const { caseId } = await caseWithOrder(env.ctx, m.id, 'ts1')
    const res = await call('POST', `/message-templates/${t.id}/test-sends`, {
      to: 'editor@example.com',
      case_id: caseId,
    })
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ to: 'editor@example.com', subject: 'About your order #12345', problems: [] })
    const mails = await Promise.all(sink.deliveries.map((d) => simpleParser(d.raw)))
    const mail = mails.find((msg) => msg.messageId?.includes(res.json().message_id))
    expect(mail?.subject).toBe('[Test] About your order #12345')
    expect(mail?.to).toMatchObject({ value: [{ address: 'editor@example.com' }] })
    expect(mail?.text).toMatch(
      /^Hi Robin, your parcel is late\. Follow it: https:\/\/claimdesk\.example\.com\/portal\//,
    )
    expect(mail?.headers.get('auto-submitted')).toBe('auto-generated')
  })

  it('is for template editors only', async () => {
    const t = await created()
    expectError(
      await call('POST', `/message-templates/${t.id}/test-sends`, { to: 'a@example.com' }, 'agent'),
      403,
      'forbidden',
      {
        permission: 'templates.manage',
      },
    )
  })
})

describe('bad input', () => {
  it('answers 4xx with a machine-readable code, and writes nothing', async () => {
    const before = (await call('GET', '/message-templates')).json().data.length
    expectError(
      await call('POST', '/message-templates', { ...draft, purpose: 'Bad Purpose' }),
      400,
      'validation_failed',
      expect.anything(),
    )
    expectError(
      await call('POST', '/message-templates', { ...draft, locale: 'english' }),
      400,
      'validation_failed',
      expect.anything(),
    )
    expectError(
      await call('POST', '/message-templates', { ...draft, purpose: 'acknowledgement' }),
      409,
      'template_exists',
      {
        purpose: 'acknowledgement',
        channel: 'email',
        locale: 'en',
      },
    )
    expectError(
      await call('PATCH', '/message-templates/01930000-0000-7000-8000-000000000000', { name: 'x' }),
      404,
      'template_not_found',
      {
        template_id: '01930000-0000-7000-8000-000000000000',
      },
    )
    expectError(
      await call('POST', '/message-templates/not-a-uuid/versions'),
      400,
      'validation_failed',
      expect.anything(),
    )
    expectError(
      await call('PUT', '/email-settings', { allowed_link_domains: ['not a domain'] }),
      400,
      'validation_failed',
      expect.anything(),
    )
    expect((await call('GET', '/message-templates')).json().data.length).toBe(before)
  })

  it('refuses to change an archived template', async () => {
    const t = await created()
    await call('POST', `/message-templates/${t.id}/archive`)
    expectError(await call('PATCH', `/message-templates/${t.id}`, { name: 'x' }), 409, 'template_archived', {
      template_id: t.id,
    })
  })
})
