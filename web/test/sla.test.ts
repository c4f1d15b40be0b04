import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { systemContext } from '../../server/src/auth/actor.js'
import { modules } from '../../server/src/registry.js'
import { runDueJobs } from '../../server/test/jobs.js'
import { createUser } from '../../server/src/users/service.js'
import { accessibilityProblems, outputDir, startConsoleTest } from './browser.js'

// The SLA screens in Chromium: a manager edits a policy and a calendar, the case header counts down and pauses,
// and the inbox's "Breaching soon" view lists what is due first. One app for the file; each case its own.

const { env, m, base, browser, signIn, call: api } = await startConsoleTest()
const manager = { email: `marcus@${m.slug}.example`, password: 'manager-password-1' }
beforeAll(async () => {
  mkdirSync(outputDir, { recursive: true })
  await env.ctx.db
    .transaction()
    .execute((trx) =>
      createUser(trx, systemContext(m.id), { ...manager, name: 'Marcus Obi', roleId: m.roleIds.manager! }, new Date()),
    )
})

type Policy = { id: string; name: string; live_version: number; live: { targets: Record<string, unknown>[] } }
const policies = async () => ((await api('GET', '/sla/policies')).json() as { data: Policy[] }).data
const openCase = async (body: Record<string, unknown>) => {
  const c = (await api('POST', '/cases', { case_type: 'damaged', ...body })).json() as { id: string; number: string }
  await runDueJobs(env.ctx, modules) // the SLA module applies its policy on case.opened
  return c
}
const page = async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } })
  const p = await context.newPage()
  return { p, close: () => context.close() }
}

describe('the SLA screens in Chromium', () => {
  it("a manager sets a policy's first response to 2 hours with a 75 % step for the team lead, publishes, and the preview names it for a case", async () => {
    const { p, close } = await page()
    await signIn(p, manager.email, manager.password)
    await p.goto(`${base}/admin?tab=sla`)
    await p.getByRole('button', { name: 'Edit Urgent' }).click()
    const first = p.getByRole('group', { name: 'Target First response' })
    await first.getByLabel('First response within').fill('2')
    await first.getByRole('radio', { name: 'hours' }).check({ force: true })
    await first.getByLabel('First response step 1 at').fill('75')
    await first.getByLabel('First response step 1 action 1 who').click()
    await p.getByRole('option', { name: 'the team lead' }).click()
    await p.screenshot({ path: path.join(outputDir, 'sla-policy-editor.png'), fullPage: true })
    await p.getByRole('button', { name: 'Publish as new version' }).click()
    await p.getByRole('dialog').waitFor({ state: 'detached' })
    const urgent = (await policies()).find((x) => x.name === 'Urgent')!
    expect(urgent.live_version).toBe(2)
    expect(urgent.live.targets[0]).toMatchObject({
      target: 'first_response',
      minutes: 120,
      steps: [{ percent: 75, actions: [{ type: 'notify', to: 'team_lead' }] }, { percent: 100 }],
    })
    await p
      .getByRole('row', { name: /Urgent/ })
      .getByText('v2')
      .waitFor()

    // Which policy applies to this case? A high-priority case: not high value, so Urgent, with each condition judged.
    const c = await openCase({ subject: 'Lamp shade crushed', priority: 'high' })
    await p.getByRole('button', { name: 'Which policy applies to a case?' }).click()
    await p.getByLabel('Find cases').fill(c.number)
    await p.getByRole('checkbox', { name: new RegExp(c.number) }).check()
    await p.getByRole('button', { name: /^Check/ }).click()
    const preview = p.getByRole('region', { name: 'Policy preview' })
    await preview.getByText(/Urgent.*applies/).waitFor()
    await preview.getByText('No match').first().waitFor() // High value: the case has no value at stake
    expect(await accessibilityProblems(p)).toEqual([])
    await close()
  })

  it("shows the server's refusal of a draft beside the field it names: a custom milestone without its event", async () => {
    const { p, close } = await page()
    await signIn(p, manager.email, manager.password)
    await p.goto(`${base}/admin?tab=sla`)
    await p.getByRole('button', { name: 'Edit Standard' }).click()
    await p.getByRole('combobox', { name: 'Add a target' }).click()
    await p.getByRole('option', { name: 'Custom milestone' }).click()
    await p.getByRole('button', { name: 'Save draft' }).click()
    // body/draft/targets/N/milestone_event, under the milestone's own target, not in the catch-all list.
    const milestone = p.getByRole('group', { name: 'Target Milestone' })
    await milestone.getByText('a custom milestone names the event that meets it').waitFor()
    expect(await p.getByText('The policy is not valid').count()).toBe(0)
    await close()
  })

  it('saves a calendar with a yearly holiday, and shows the server refusing a shift that ends before it starts', async () => {
    const { p, close } = await page()
    await signIn(p, manager.email, manager.password)
    await p.goto(`${base}/admin?tab=calendars`)
    await p.getByRole('button', { name: 'New calendar' }).click()
    const dialog = p.getByRole('dialog')
    await dialog.getByLabel('Name').fill('Support hours')
    await dialog.getByLabel('Monday shift 1 end').fill('08:00')
    await dialog.getByRole('button', { name: 'Add holiday' }).click()
    await dialog.getByLabel('Holiday 1 date').fill('2026-12-25')
    await dialog.getByLabel('Holiday 1 name').fill('Christmas Day')
    await dialog.getByRole('checkbox', { name: 'Every year' }).check()
    await dialog.getByRole('button', { name: 'Create calendar' }).click()
    await dialog.getByText('the end must be after the start').waitFor()
    await dialog.getByLabel('Monday shift 1 end').fill('17:30')
    await dialog.getByRole('button', { name: 'Create calendar' }).click()
    await dialog.waitFor({ state: 'detached' })
    const row = p.getByRole('row', { name: /Support hours/ })
    await row.getByText(/^Mon 09:00–17:30; Tue 09:00–17:00/).waitFor() // Monday's hours differ from the rest
    const saved = (
      (await api('GET', '/sla/calendars')).json() as {
        data: { name: string; holidays: unknown[]; weekly: unknown[] }[]
      }
    ).data.find((x) => x.name === 'Support hours')!
    expect(saved.holidays).toEqual([{ date: '2026-12-25', yearly: true, name: 'Christmas Day' }])
    expect(saved.weekly).toHaveLength(5)
    await close()
  })

  it("sets a team's business hours in the team admin, shown on its card", async () => {
    const cal = await api('POST', '/sla/calendars', {
      name: 'Desk hours',
      time_zone: 'Europe/London',
      weekly: [{ day: 1, start: '09:00', end: '17:00' }],
    })
    expect(cal.statusCode, cal.body).toBe(201)
    const team = (await api('POST', '/teams', { name: 'Returns desk' })).json() as { id: string }
    const { p, close } = await page()
    await signIn(p, manager.email, manager.password)
    await p.goto(`${base}/admin?tab=teams`)
    await p.getByRole('button', { name: 'Edit Returns desk' }).click()
    const dialog = p.getByRole('dialog')
    await dialog.getByRole('combobox', { name: 'Business hours' }).click()
    await p.getByRole('option', { name: 'Desk hours' }).click()
    await dialog.getByRole('button', { name: 'Save' }).click()
    await dialog.waitFor({ state: 'detached' })
    await p.getByLabel('Team Returns desk').getByText('Desk hours').waitFor()
    expect((await api('GET', `/teams/${team.id}`)).json().calendar_id).toBe(cal.json().id)
    expect(await accessibilityProblems(p)).toEqual([])
    await close()
  })

  it('counts the case down in its header, pauses while it waits on the customer, and lists the case due first under Breaching soon', async () => {
    const c = await openCase({ subject: 'Kettle lid cracked' })
    const { p, close } = await page()
    await signIn(p)
    await p.goto(`${base}/cases/${c.id}`)
    const clock = p.locator('[data-sla-target="first_response"]')
    const countdown = clock.locator('[data-countdown]')
    await countdown.waitFor()
    const seconds = async () => {
      const [h, mi, s] = ((await countdown.textContent()) ?? '')
        .replace(/^due in /, '')
        .split(':')
        .map(Number)
      return h! * 3600 + mi! * 60 + s!
    }
    const before = await seconds()
    await expect.poll(seconds, { timeout: 5000 }).toBeLessThan(before)
    expect(await clock.getAttribute('data-sla-state')).toBe('active')

    await p.getByRole('button', { name: 'Set status' }).click()
    await p.getByRole('menuitem', { name: 'Waiting on customer' }).click()
    await p.getByLabel('Status: Waiting on customer').waitFor()
    await runDueJobs(env.ctx, modules) // the SLA module pauses the clocks; the live feed refreshes the header
    await p.locator('[data-sla-target="first_response"][data-sla-state="paused"]').waitFor()
    expect(await clock.textContent()).toMatch(/paused \d+ s, .* left/)
    await p.screenshot({ path: path.join(outputDir, 'sla-case-header.png') })
    expect(await accessibilityProblems(p, '[aria-label="SLA"]')).toEqual([])

    // Two running cases: the one with 30 minutes to its first response is due first, whatever the older one has.
    const later = await openCase({ subject: 'Toaster late' })
    const soon = await openCase({ subject: 'Sofa leg missing' })
    const target = { minutes: 30, business: false }
    expect((await api('PUT', `/cases/${soon.id}/sla/targets/first_response`, target)).statusCode).toBe(200)
    await p.getByRole('link', { name: 'Breaching soon' }).click()
    await p.getByRole('heading', { name: 'Breaching soon' }).waitFor()
    const rows = p.getByRole('table', { name: 'Cases' }).locator('tbody tr')
    await rows.first().getByText('Sofa leg missing').waitFor()
    expect(await rows.first().locator('[data-sla-state="active"]').textContent()).toMatch(/^00:(2\d|30):\d\d$/)
    expect(await p.getByText('Kettle lid cracked').count()).toBe(0) // paused: not breaching
    await p.mouse.move(0, 0) // the link just clicked is hovered, a state axe would judge
    expect(await accessibilityProblems(p)).toEqual([])
    await p.screenshot({ path: path.join(outputDir, 'sla-breaching-soon.png'), fullPage: true })
    // Within 24 hours also takes the default tier's 24-hour first response.
    await p.getByText('Due within 24 h').click()
    await p.getByText('Toaster late').waitFor()
    expect(later.id).not.toBe(soon.id)
    await close()
  })
})
