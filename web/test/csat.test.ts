import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { runDueJobs } from '../../server/test/jobs.js'
import { systemContext } from '../../server/src/auth/actor.js'
import { changeStatus, openCase } from '../../server/src/cases/service.js'
import { surveyToken } from '../../server/src/csat/service.js'
import { fireDueActions } from '../../server/src/jobs/clock-runner.js'
import { clockHandlers } from '../../server/src/jobs/worker.js'
import { modules } from '../../server/src/registry.js'
import { accessibilityProblems, outputDir, startConsoleTest } from './browser.js'

const { env, m, base, browser, signIn, call: api } = await startConsoleTest()
const db = env.ctx.db
const ctx = systemContext(m.id)

/** A case of a customer with an email, resolved now: its survey's link, as the email carries it. */
async function surveyLink(caseType = 'lost_parcel') {
  const customer = await api('POST', '/customers', {
    source: 'test',
    external_id: `c-${caseType}-${Date.now()}`,
    name: 'Sam Reed',
    email: 'sam@example.com',
  })
  const now = new Date()
  const c = await db
    .transaction()
    .execute((trx) => openCase(trx, ctx, { caseType, subject: 'Where is it?', customerId: customer.json().id }, now))
  await db
    .transaction()
    .execute((trx) => changeStatus(trx, ctx, c.id, { status: 'resolved', resolutionCode: 'refunded' }, now))
  await runDueJobs(env.ctx, modules)
  await fireDueActions(env.ctx, clockHandlers(modules), () => new Date())
  const survey = await db.selectFrom('csat_surveys').selectAll().where('case_id', '=', c.id).executeTakeFirstOrThrow()
  return `${base}/survey/${surveyToken(env.ctx.keys.links, survey, now)}`
}

describe('CSAT in the console and on the phone', () => {
  it('takes one answer on a phone: five large targets, a comment, thanks; a second answer and a bad link are explained', async () => {
    const link = await surveyLink()
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    const page = await phone.newPage()
    await page.goto(link)
    await page.getByRole('heading', { name: 'How satisfied are you with how we handled your request?' }).waitFor()
    const scores = page.getByRole('radio')
    expect(await scores.count()).toBe(5)
    // Large enough to tap, and all on the screen without scrolling sideways.
    for (const box of await Promise.all((await scores.all()).map((s) => s.boundingBox()))) {
      expect(box!.height).toBeGreaterThanOrEqual(44)
      expect(box!.x + box!.width).toBeLessThanOrEqual(390)
    }
    expect(await accessibilityProblems(page)).toEqual([])
    await page.screenshot({ path: path.join(outputDir, 'csat-survey-question.png'), fullPage: true })

    // The same link open in a second tab, answered there after this one.
    const other = await phone.newPage()
    await other.goto(link)
    await other.getByRole('radio', { name: /^5/ }).waitFor()

    await page.getByRole('radio', { name: '4' }).tap()
    expect(await page.getByRole('radio', { name: '4' }).getAttribute('aria-checked')).toBe('true')
    await page.getByLabel(/Anything you would like to add/).fill('Quick refund, thanks')
    await page.getByRole('button', { name: 'Send my answer' }).tap()
    await page.getByRole('status').getByText('You gave us 4 out of 5.').waitFor()
    expect(await accessibilityProblems(page)).toEqual([])
    await page.screenshot({ path: path.join(outputDir, 'csat-survey-phone.png'), fullPage: true })

    await other.getByRole('radio', { name: /^1/ }).tap()
    await other.getByRole('button', { name: 'Send my answer' }).tap()
    await other.getByRole('alert').getByText('You have answered this survey already. Thank you!').waitFor()

    await page.goto(`${link.slice(0, -4)}abcd`)
    await page.getByRole('alert').getByText('This link does not work').waitFor()
    expect(await accessibilityProblems(page)).toEqual([])
    await phone.close()
  })

  it('shows the CSAT card on the dashboard and changes the survey settings in admin', async () => {
    for (const [type, score] of [
      ['damaged', 5],
      ['damaged', 2],
    ] as const) {
      const token = (await surveyLink(type)).split('/survey/')[1]
      expect((await api('POST', `/surveys/${token}/answer`, { score }, {})).statusCode).toBe(200)
    }
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await signIn(page)
    await page.goto(`${base}/dashboard`)
    const card = page.getByLabel('Customer satisfaction', { exact: true })
    // Three answers in all (4, 5 and 2): two of them 4 or 5.
    await card.getByTestId('csat-score').getByText('67%').waitFor()
    const byType = card.getByRole('table', { name: 'Customer satisfaction by type' })
    await byType.getByRole('row', { name: /Damaged 2 100% 3.5 50%/ }).waitFor()
    await card.getByText('Week', { exact: true }).click()
    await card.getByRole('table', { name: 'Customer satisfaction by week' }).waitFor()
    expect(await accessibilityProblems(page, '[aria-label="Customer satisfaction"]')).toEqual([])

    await page.goto(`${base}/admin?tab=csat`)
    const form = page.getByRole('form', { name: 'Survey settings' })
    await form.getByText('NPS: how likely to recommend, 0–10').click()
    expect(await form.getByLabel('Low score: at or under').inputValue()).toBe('6')
    await form.getByLabel('Send after (minutes)').fill('30')
    await form.getByRole('button', { name: 'Save survey settings' }).click()
    await page.getByText('Survey settings saved.').waitFor()
    expect(await accessibilityProblems(page)).toEqual([])
    expect((await api('GET', '/csat/settings')).json()).toMatchObject({
      kind: 'nps',
      delay_minutes: 30,
      low_score_threshold: 6,
    })
    await context.close()

    // Asked as NPS from now on: eleven targets, in rows still wide enough to tap.
    expect((await api('PUT', '/csat/settings', { delay_minutes: 0 })).statusCode).toBe(200)
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    const survey = await phone.newPage()
    await survey.goto(await surveyLink('other'))
    await survey
      .getByRole('heading', { name: 'How likely are you to recommend us to a friend or colleague?' })
      .waitFor()
    expect(await survey.getByRole('radio').count()).toBe(11)
    for (const box of await Promise.all((await survey.getByRole('radio').all()).map((r) => r.boundingBox())))
      expect(Math.min(box!.width, box!.height)).toBeGreaterThanOrEqual(44)
    expect(await accessibilityProblems(survey)).toEqual([])
    await survey.screenshot({ path: path.join(outputDir, 'csat-nps-phone.png'), fullPage: true })
    await phone.close()
  })
})
