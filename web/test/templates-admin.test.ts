import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemContext } from '../../server/src/auth/actor.js'
import { startSmtpSink } from '../../server/src/messaging/email/testing/smtp-sink.js'
import { caseWithOrder } from '../../server/src/messaging/templates/testing.js'
import { createUser } from '../../server/src/users/service.js'
import { startConsoleTest } from './browser.js'

// One app for the three people of the staging story: an editor, a manager who approves, an agent.
const sink = await startSmtpSink()
afterAll(() => sink.close())
const { env, m, base, browser, signIn, call: api } = await startConsoleTest({ config: { smtpUrl: sink.url } })

const password = 'templates-password-1'
const people = {
  editor: { email: `edie@${m.slug}.example`, name: 'Edie Editor' },
  manager: { email: `max@${m.slug}.example`, name: 'Max Manager' },
  agent: { email: `bob@${m.slug}.example`, name: 'Bob Baker' },
}
let templateId = ''

beforeAll(async () => {
  // A template editor who may not approve: what templates.manage without templates.approve looks like.
  const role = await api('POST', '/roles', {
    name: 'Template editor',
    permissions: ['messages.send', 'templates.manage', 'cases.read', 'users.read', 'merchant.read'].map(
      (permission) => ({ permission }),
    ),
  })
  expect(role.statusCode, role.body).toBe(201)
  const roles = { editor: role.json().id as string, manager: m.roleIds.manager!, agent: m.roleIds.agent! }
  await env.ctx.db.transaction().execute(async (trx) => {
    for (const [key, p] of Object.entries(people))
      await createUser(
        trx,
        systemContext(m.id),
        { ...p, password, roleId: roles[key as keyof typeof roles] },
        new Date(),
      )
  })
  const created = await api('POST', '/message-templates', {
    purpose: 'delivery_delay',
    locale: 'en',
    name: 'Delivery delay',
    subject: 'About case {{ case.number }}',
    text: 'Hi {{ customer.first_name }}, your parcel is late.',
  })
  expect(created.statusCode, created.body).toBe(201)
  templateId = created.json().id
})

async function openTemplate(page: Page, as: keyof typeof people) {
  await signIn(page, people[as].email, password)
  await page.goto(`${base}/admin?tab=templates`)
  await page.getByRole('button', { name: 'Open Delivery delay' }).click()
  const dialog = page.getByRole('dialog', { name: 'Delivery delay' })
  await dialog.getByRole('textbox', { name: 'HTML' }).waitFor({ timeout: 30_000 })
  return dialog
}

describe('templates, approval and macros in Chromium', () => {
  it('lets an editor find a link QA problem, fix it, send a test and save a version, but not approve it', {
    timeout: 120_000,
  }, async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    const dialog = await openTemplate(page, 'editor')
    const html = dialog.getByRole('textbox', { name: 'HTML' })
    // Mantine names an alert by its title: the QA list is found by its words.
    const qa = dialog.getByRole('alert').filter({ hasText: /^QA/ })

    await html.fill('<p>Hi {{ customer.first_name }}, <a href="https://evil.example/track">follow your parcel</a></p>')
    await dialog.getByText('Unsaved changes', { exact: true }).waitFor()
    // The preview is live: QA finds the link before anything is saved.
    await qa.getByText('Link to a host that is not allowed').waitFor({ timeout: 30_000 })
    await qa.getByText(/evil\.example/).waitFor()

    // The fix: a carrier's tracking page (always allowed), put in through the variable list at the cursor.
    await html.fill('<p>Hi {{ customer.first_name }}, <a href="">follow your parcel</a></p>')
    await html.evaluate((el: HTMLTextAreaElement) => {
      const at = el.value.indexOf('""') + 1
      el.focus()
      el.setSelectionRange(at, at)
    })
    await dialog.getByRole('button', { name: 'Insert shipment.tracking_url' }).click()
    await expect.poll(() => html.inputValue()).toContain('<a href="{{ shipment.tracking_url }}">')
    await dialog.getByText(/^QA found no problems/).waitFor({ timeout: 30_000 })
    const rendered = dialog.getByRole('document', { name: 'Rendered HTML' })
    expect(await rendered.getByRole('link', { name: 'follow your parcel' }).getAttribute('href')).toMatch(
      /^https:\/\/www\.ups\.com\/track/,
    )

    // A test send (of the saved draft) to an address the editor types, through the real SMTP sink.
    await dialog.getByRole('button', { name: 'Save draft' }).click()
    await dialog.getByText('Not saved as a version yet').waitFor({ timeout: 30_000 })
    await dialog.getByRole('textbox', { name: 'Send a test to' }).fill('edie@example.com')
    await dialog.getByRole('button', { name: 'Send test' }).click()
    await dialog
      .getByRole('status')
      .getByText(/Test sent to edie@example\.com/)
      .waitFor({ timeout: 30_000 })
    expect(sink.deliveries.some((d) => d.to.includes('edie@example.com'))).toBe(true)

    await dialog.getByRole('button', { name: 'Save as new version' }).click()
    const v1 = dialog.getByRole('row', { name: 'Version 1' })
    await v1.getByText('Awaiting approval').waitFor({ timeout: 30_000 })
    await v1.getByText(/^Edie Editor ·/).waitFor()
    expect(await dialog.getByRole('button', { name: /^Approve/ }).count()).toBe(0)
    expect((await api('GET', `/message-templates/${templateId}`)).json()).toMatchObject({
      live_version: null,
      latest_version: 1,
      draft_changed: false,
      versions: [{ version: 1, html: expect.stringContaining('{{ shipment.tracking_url }}'), approved_at: null }],
    })
    await context.close()
  })

  it('lets a manager approve the version and make it live', { timeout: 120_000 }, async () => {
    const context = await browser.newContext()
    const page = await context.newPage()
    const dialog = await openTemplate(page, 'manager')
    const v1 = dialog.getByRole('row', { name: 'Version 1' })
    await v1.getByRole('button', { name: 'Approve and make live' }).click()
    await v1.getByText('Live', { exact: true }).waitFor({ timeout: 30_000 })
    await v1.getByText(/^Max Manager ·/).waitFor()
    await dialog.getByRole('button', { name: 'Close' }).click()
    await page.getByRole('row', { name: 'Template Delivery delay' }).getByText('Live: v1').waitFor({ timeout: 30_000 })
    await page.getByRole('row', { name: 'Template Delivery delay' }).getByText('Saved as v1').waitFor()
    await context.close()
  })

  it('lets an agent preview a macro on a case and apply it from the composer in one step', {
    timeout: 120_000,
  }, async () => {
    const macro = await api('POST', '/macros', {
      name: 'Delay: ask to wait',
      template_id: templateId,
      actions: [
        { type: 'set_status', status: 'waiting_customer' },
        { type: 'add_tag', tag: 'delayed' },
      ],
    })
    expect(macro.statusCode, macro.body).toBe(201)
    // A case about a UPS parcel: the template's tracking link renders, so QA passes and the message is queued.
    const { caseId: id } = await caseWithOrder(env.ctx, m.id, 'macro1')

    const context = await browser.newContext()
    const page = await context.newPage()
    await signIn(page, people.agent.email, password)
    await page.goto(`${base}/cases/${id}`)
    const composer = page.getByRole('form', { name: /^Composer/ })
    await composer.locator('label', { hasText: 'Reply to customer' }).click()
    await composer.getByRole('combobox', { name: 'Macro' }).click()
    await page.getByRole('option', { name: 'Delay: ask to wait' }).click()
    const preview = composer.getByLabel('Macro preview')
    await preview.getByText(/^About case CD-\d+$/).waitFor({ timeout: 30_000 })
    await preview.getByText(/→ waiting_customer/).waitFor()
    await preview.getByText('tag delayed').waitFor()
    await preview.getByRole('button', { name: 'Apply macro' }).click()

    await composer
      .getByRole('status')
      .getByText(/Macro applied: message queued/)
      .waitFor({ timeout: 30_000 })
    await page.getByLabel('Status: Waiting on customer').waitFor({ timeout: 30_000 })
    await page
      .getByRole('list', { name: 'Conversation' })
      .getByRole('listitem', { name: /^Reply to customer: About case CD-\d+$/ })
      .waitFor({ timeout: 30_000 })
    const after = (await api('GET', `/cases/${id}`)).json()
    expect(after).toMatchObject({ status: 'waiting_customer', tags: ['delayed'] })
    const sent = (await api('GET', `/cases/${id}/messages`)).json().data
    expect(sent).toMatchObject([{ template_id: templateId, template_version: 1, visibility: 'public' }])
    await context.close()
  })

  it('lets an admin read the mail setup, allow a link domain, and see and edit the macros', {
    timeout: 120_000,
  }, async () => {
    // A team for the macro to move cases to (made before the console reads the teams).
    const team = await api('POST', '/teams', { name: 'Claims desk' })
    expect(team.statusCode, team.body).toBe(201)
    const context = await browser.newContext()
    const page = await context.newPage()
    await signIn(page)
    await page.goto(`${base}/admin?tab=email`)
    const setup = page.getByLabel('Mail setup')
    await setup.getByText(`reply+<token>@${env.ctx.config.email.inboundDomain}`).waitFor({ timeout: 30_000 })
    await setup.getByText(/^Not configured \(DKIM_DOMAIN/).waitFor()
    await setup.getByText('Configured', { exact: true }).waitFor()
    const domains = page.getByRole('combobox', { name: 'Allowed link domains' })
    await domains.fill('shop.example')
    await domains.press('Enter')
    await page.getByRole('button', { name: 'Save email settings' }).click()
    await page.getByText('Email settings saved.').waitFor({ timeout: 30_000 })
    expect((await api('GET', '/email-settings')).json().allowed_link_domains).toEqual(['shop.example'])

    await page.getByRole('tab', { name: 'Macros' }).click()
    const row = page.getByRole('row', { name: 'Macro Delay: ask to wait' })
    await row.getByText('Delivery delay').waitFor({ timeout: 30_000 })
    await row.getByText('Set status: Waiting on customer').waitFor()
    await row.getByText('Tag: delayed').waitFor()

    // Editing the macro in the console: it now moves the case to a team too.
    await row.getByRole('button', { name: 'Edit Delay: ask to wait' }).click()
    const edit = page.getByRole('dialog', { name: 'Edit Delay: ask to wait' })
    await edit.getByRole('combobox', { name: 'Move to team' }).click()
    await page.getByRole('option', { name: 'Claims desk' }).click()
    await edit.getByRole('button', { name: 'Save macro' }).click()
    await row.getByText('Team: Claims desk').waitFor({ timeout: 30_000 })
    const saved = (await api('GET', '/macros')).json().data[0]
    expect(saved.actions).toEqual([
      { type: 'set_status', status: 'waiting_customer' },
      { type: 'add_tag', tag: 'delayed' },
      { type: 'assign_team', team_id: team.json().id },
    ])
    await context.close()
  })
})
