import { mkdirSync } from 'node:fs'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { systemContext } from '../../server/src/auth/actor.js'
import { modules } from '../../server/src/registry.js'
import { createUser } from '../../server/src/users/service.js'
import { runDueJobs } from '../../server/test/jobs.js'
import { accessibilityProblems, outputDir, startConsoleTest } from './browser.js'

// Automation rules in Chromium: a manager pastes the issue's rules, sees a broken one marked where it breaks, tests a
// rule on the workspace's history, saves it in shadow and turns it on; a real event then shows in the log and on the
// case's timeline. One app for the file.

const { env, m, base, browser, signIn, call: api } = await startConsoleTest()
const manager = { email: `marcus@${m.slug}.example`, password: 'manager-password-1' }
const agent = { email: `ana@${m.slug}.example`, password: 'agent-password-1' }

let customers = 0
const openDamagedCase = async (subject: string) => {
  const n = ++customers
  const customer = await api('POST', '/customers', {
    source: 'test',
    external_id: `c-${n}`,
    name: 'Ada Byrne',
    email: `ada-${n}@example.com`,
  })
  expect(customer.statusCode, customer.body).toBe(201)
  const c = await api('POST', '/cases', { case_type: 'damaged', subject, customer_id: customer.json().id })
  expect(c.statusCode, c.body).toBe(201)
  await runDueJobs(env.ctx, modules)
  return c.json() as { id: string; number: string }
}

beforeAll(async () => {
  mkdirSync(outputDir, { recursive: true })
  await env.ctx.db.transaction().execute(async (trx) => {
    const sys = systemContext(m.id)
    await createUser(trx, sys, { ...manager, name: 'Marcus Obi', roleId: m.roleIds.manager! }, new Date())
    await createUser(trx, sys, { ...agent, name: 'Ana Ruiz', roleId: m.roleIds.agent! }, new Date())
  })
  // History for the test run: a damaged-parcel case opened before the rule exists.
  await openDamagedCase('Mug arrived in pieces')
})

// The issue's three rules, character for character, and the triggers each is inferred to run on.
const issueRules: [string, string[]][] = [
  [
    "IF carrier_event = 'Undeliverable' AND value > 100 GBP THEN create_case(type='Lost Parcel', priority='High') AND set_SLA(24h) AND notify(agent_group='HighValue').",
    ['Carrier status changes'],
  ],
  [
    "IF case_type='Damaged' THEN send_template('Damage Ack') TO customer AND request_attachment('photo') WITH 48h deadline.",
    ['Case opened', 'Case changed'],
  ],
  ["IF SLA_elapsed >= 75% THEN auto-notify(team_lead) AND add_tag('escalating').", ['SLA threshold']],
]
const damageRule = issueRules[1]![0]

const newPage = async (as = manager) => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } })
  const page = await context.newPage()
  await signIn(page, as.email, as.password)
  return { page, close: () => context.close() }
}
const triggersShown = (page: Page) =>
  page
    .getByRole('region', { name: 'What the rule does' })
    .getByRole('list', { name: 'Triggers' })
    .getByRole('listitem')
    .allTextContents()

describe('automation rules in the console', () => {
  it("accepts the issue's rules as pasted, marks a broken one where it breaks, tests on history, saves in shadow and turns it on", async () => {
    const { page, close } = await newPage()
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rules' }).click()
    await page.getByRole('heading', { name: 'Rules', exact: true }).waitFor()
    await page.getByRole('link', { name: 'New rule' }).click()
    const text = page.getByRole('textbox', { name: 'Rule' })

    for (const [source, triggers] of issueRules) {
      await text.fill(source)
      await expect.poll(() => triggersShown(page)).toEqual(triggers)
      expect(await page.getByRole('list', { name: 'Problems' }).count()).toBe(0)
      expect(await text.getAttribute('aria-invalid')).toBe('false')
    }

    // An unknown action on the second line: its line and column in the list, its words marked in the text.
    await text.fill("IF case_type = 'Damaged'\nTHEN add_tagg('x')")
    const problems = page.getByRole('list', { name: 'Problems' })
    await problems.getByText(/^Line 2, column 6: /).waitFor()
    expect(await text.getAttribute('aria-invalid')).toBe('true')
    expect(await page.locator('mark[data-problem="0"]').textContent()).toMatch(/^add_tagg/)
    expect(await accessibilityProblems(page)).toEqual([])
    await page.screenshot({ path: path.join(outputDir, 'rule-editor-problem.png'), fullPage: true })

    await text.fill(damageRule)
    await expect.poll(() => triggersShown(page)).toEqual(['Case opened', 'Case changed'])
    await page.getByLabel('Name').fill('Damage acknowledgement')

    // Before publishing: what it would have done over the last 30 days, the case opened before it included.
    const testing = page.getByRole('region', { name: 'Test on history' })
    await testing.getByRole('button', { name: 'Run test' }).click()
    const result = testing.getByLabel('Test result')
    await result.waitFor()
    const count = async (label: string) =>
      Number(await result.locator('dt', { hasText: label }).locator('xpath=following-sibling::dd').textContent())
    expect(await count('Events scanned')).toBeGreaterThan(0)
    expect(await count('Matched')).toBeGreaterThan(0)
    await result.getByRole('list', { name: 'Sample matches' }).getByRole('listitem').first().waitFor()
    expect(await accessibilityProblems(page)).toEqual([])
    await page.screenshot({ path: path.join(outputDir, 'rule-editor-test.png'), fullPage: true })

    await page.getByRole('button', { name: 'Save rule' }).click()
    await page.getByRole('heading', { name: 'Damage acknowledgement' }).waitFor()
    await page.getByRole('button', { name: 'Turn on' }).waitFor()
    await page.getByRole('tab', { name: 'Versions' }).click()
    await page.getByRole('list', { name: 'Versions' }).getByText(damageRule).waitFor()

    await page.getByRole('link', { name: 'All rules' }).click()
    const row = page.getByRole('row').filter({ hasText: 'Damage acknowledgement' })
    await row.getByText('Shadow', { exact: true }).waitFor()
    await row.getByRole('button', { name: 'Change the mode of Damage acknowledgement' }).click()
    await page.getByRole('menuitem', { name: 'Turn on' }).click()
    await row.getByText('Active', { exact: true }).waitFor()
    await page.getByRole('menu').waitFor({ state: 'detached' })
    expect(await accessibilityProblems(page)).toEqual([])
    await page.screenshot({ path: path.join(outputDir, 'rules-list.png'), fullPage: true })
    await close()
  })

  it('lists what the rule did on a real event in the log, and on the case timeline', async () => {
    const c = await openDamagedCase('Vase cracked')
    const { page, close } = await newPage()
    await page.goto(`${base}/rules/log`)
    await page.getByRole('heading', { name: 'Rule execution log' }).waitFor()
    await page.getByRole('combobox', { name: 'Outcome' }).click()
    await page.getByRole('option', { name: 'Fired', exact: true }).click()
    const run = page
      .getByRole('list', { name: 'Executions' })
      .getByRole('listitem')
      .filter({ hasText: 'Damage acknowledgement (v1)' })
      .filter({ hasText: c.number })
    await run.waitFor()
    await run.getByRole('table', { name: 'Conditions' }).getByText('case_type').waitFor()
    await run.getByRole('list', { name: 'Actions' }).getByText("send_template('Damage Ack') TO customer").waitFor()
    expect(await accessibilityProblems(page)).toEqual([])
    await page.screenshot({ path: path.join(outputDir, 'rule-log.png'), fullPage: true })

    await run.getByRole('link', { name: c.number }).click()
    const entry = page.locator('[data-entry-type="rule"]')
    await entry.getByText(/^Rule “Damage acknowledgement” \(v1\) fired: /).waitFor()
    // Its own change of the case's status does not run it again: one execution, one acknowledgement.
    expect(await entry.count()).toBe(1)
    await page.screenshot({ path: path.join(outputDir, 'rule-on-timeline.png'), fullPage: true })
    await entry.getByRole('link', { name: 'Open the rule' }).click()
    await page.getByRole('heading', { name: 'Damage acknowledgement' }).waitFor()
    await close()
  })

  it('exports the rules file and imports it back after a dry run that changes nothing', async () => {
    const { page, close } = await newPage()
    await page.goto(`${base}/rules`)
    const exported = await page.request.get(`${base}/api/v1/rules/export`)
    expect(exported.status()).toBe(200)
    const file = await exported.text()
    expect(file).toContain(damageRule)
    await page.getByRole('button', { name: 'Import' }).click()
    const dialog = page.getByRole('dialog', { name: 'Import rules' })
    await dialog
      .locator('input[type=file]')
      .setInputFiles({ name: 'rules.txt', mimeType: 'text/plain', buffer: Buffer.from(file) })
    await dialog.getByRole('button', { name: 'Check file' }).click()
    const summary = dialog.getByRole('list', { name: 'Import summary' })
    await summary.getByText(/^0 created/).waitFor()
    await summary.getByText(/^0 updated/).waitFor()
    expect(await accessibilityProblems(page)).toEqual([])
    await dialog.getByRole('button', { name: 'Apply import' }).click()
    await dialog.getByText('Imported').waitFor()
    expect(await accessibilityProblems(page)).toEqual([])
    await close()
  })

  it('lets an agent read the rules and their log but change nothing', async () => {
    const { page, close } = await newPage(agent)
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rules' }).click()
    await page.getByRole('link', { name: 'Damage acknowledgement' }).click()
    await page.getByRole('heading', { name: 'Damage acknowledgement' }).waitFor()
    expect(await page.getByRole('textbox', { name: 'Rule' }).getAttribute('readonly')).not.toBeNull()
    for (const name of ['Save new version', 'Turn on', 'Disable', 'Delete rule'])
      expect(await page.getByRole('button', { name }).count()).toBe(0)
    await page.getByRole('link', { name: 'All rules' }).click()
    await page.getByRole('table', { name: 'Rules' }).waitFor()
    expect(await page.getByRole('link', { name: 'New rule' }).count()).toBe(0)
    expect(await page.getByRole('button', { name: /^Change the mode of / }).count()).toBe(0)
    await close()
  })
})
