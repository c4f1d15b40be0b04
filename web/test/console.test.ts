import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { bearer } from '../../server/test/harness.js'
import { systemContext } from '../../server/src/auth/actor.js'
import { runDueJobs } from '../../server/test/jobs.js'
import { seedConnection, signedHeaders } from '../../server/src/intake/testing.js'
import { upsertOrder } from '../../server/src/orders/service.js'
import { modules } from '../../server/src/registry.js'
import { upsertShipment } from '../../server/src/shipments/service.js'
import { createUser } from '../../server/src/users/service.js'
import { accessibilityProblems, outputDir, startConsoleTest } from './browser.js'

let viewer: { email: string; password: string }
let agent: { email: string; password: string }

const { env, app, m, base, browser, signIn } = await startConsoleTest()
beforeAll(async () => {
  viewer = { email: `viewer@${m.slug}.example`, password: 'viewer-password-1' }
  agent = { email: `bob@${m.slug}.example`, password: 'agent-password-1' }
  await env.ctx.db.transaction().execute(async (trx) => {
    await createUser(
      trx,
      systemContext(m.id),
      { ...viewer, name: 'Vera Viewer', roleId: m.roleIds.viewer! },
      new Date(),
    )
    await createUser(trx, systemContext(m.id), { ...agent, name: 'Bob Baker', roleId: m.roleIds.agent! }, new Date())
  })
  mkdirSync(outputDir, { recursive: true })
})

// A lost-parcel scan from a carrier, posted over HTTP in the generic signed format, then processed.
async function lostParcel(trackingNumber: string) {
  const feed = await seedConnection(env.ctx, m.id, { source: 'carriers' })
  await env.ctx.db.transaction().execute(async (trx) => {
    const { order } = await upsertOrder(
      trx,
      systemContext(m.id),
      {
        source: 'shop',
        externalId: `o-${trackingNumber}`,
        currency: 'GBP',
        placedAt: new Date('2026-11-01T10:00:00Z'),
        totalMinor: 18_000,
        customer: { externalId: `c-${trackingNumber}`, email: 'casey@example.com', name: 'Casey Jones' },
        lines: [{ name: 'Walking boots', sku: 'BOOT-42', quantity: 1, unitPriceMinor: 18_000 }],
      },
      new Date(),
    )
    await upsertShipment(
      trx,
      systemContext(m.id),
      {
        source: 'shop',
        externalId: `s-${trackingNumber}`,
        orderId: order.id,
        carrier: 'Royal Mail',
        trackingNumber,
        shippedAt: new Date('2026-11-02T10:00:00Z'),
      },
      new Date(),
    )
  })
  const body = JSON.stringify({
    type: 'tracking.updated',
    data: {
      carrier: 'royal_mail',
      tracking_number: trackingNumber,
      events: [
        {
          id: `${trackingNumber}-1`,
          status: 'in_transit',
          occurred_at: '2026-11-03T08:00:00Z',
          message: 'Item received at Swindon mail centre',
        },
        {
          id: `${trackingNumber}-2`,
          status: 'lost',
          occurred_at: '2026-11-09T08:00:00Z',
          message: 'Item lost in network',
        },
      ],
    },
  })
  const res = await fetch(`${base}/webhooks/carriers/generic/${feed.id}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...signedHeaders(feed.secret, body) },
  })
  expect(res.status).toBe(200)
  await runDueJobs(env.ctx, modules)
}

describe('the agent console in Chromium', () => {
  it("works a case end to end: a carrier exception appears live, then note, assign, resolve, reopen, and the customer's status page on a phone", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await signIn(page, m.adminEmail, m.password)
    await page.getByLabel('Live updates: live').waitFor({ state: 'attached' })

    // No reload: the webhook opens a case through the exception policy and the stream brings it in.
    await lostParcel('RM900000001GB')
    const row = page.getByRole('link', { name: 'Lost parcel RM900000001GB' })
    await row.waitFor()
    await page.screenshot({ path: path.join(outputDir, 'inbox.png'), fullPage: true })
    expect(await accessibilityProblems(page)).toEqual([])

    await row.click()
    await page.getByRole('heading', { name: 'Lost parcel RM900000001GB' }).waitFor()
    const tracking = page.getByLabel('Tracking timeline')
    await tracking.getByText('Item lost in network').waitFor()
    await tracking.getByText('Item received at Swindon mail centre').waitFor()
    await page.getByText('Walking boots').waitFor()
    expect(await accessibilityProblems(page)).toEqual([])

    // A colleague opens the same case, then starts writing: the page says so, live.
    const other = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const bob = await other.newPage()
    await signIn(bob, agent.email, agent.password)
    await bob.goto(page.url())
    const banner = page.getByRole('status', { name: 'Others on this case' })
    await banner.getByText('Bob Baker is viewing it too').waitFor()
    await bob.getByRole('combobox', { name: 'Internal note' }).fill('Checking the depot')
    await banner.getByText('Bob Baker is writing on this case').waitFor()
    await bob.goto('about:blank')
    await banner.getByText('Bob Baker').waitFor({ state: 'detached' })
    await other.close()

    await page.getByRole('combobox', { name: 'Internal note' }).fill('Raised a trace with Royal Mail, ref 55-1234')
    await page.getByRole('button', { name: 'Add note' }).click()
    await page.getByLabel('Case timeline').getByText('Raised a trace with Royal Mail, ref 55-1234').waitFor()

    await page.getByRole('button', { name: 'Assign to me' }).click()
    await expect.poll(() => page.getByRole('combobox', { name: 'Owner' }).inputValue()).toBe('Ada Admin')

    await page.getByRole('button', { name: 'Resolve', exact: true }).click()
    const dialog = page.getByRole('dialog', { name: 'Resolve case' })
    await dialog.getByLabel(/^Resolution/).click()
    await page.getByRole('option', { name: 'Reshipped' }).click()
    await dialog.getByRole('button', { name: 'Resolve' }).click()
    await page.getByLabel('Status: Resolved').waitFor()
    await dialog.waitFor({ state: 'hidden' })
    await page.screenshot({ path: path.join(outputDir, 'case.png'), fullPage: true })

    await page.getByRole('button', { name: 'Reopen' }).click()
    await page.getByLabel('Status: Open').waitFor()

    // What the browser did is what the API holds.
    const caseId = page.url().split('/cases/')[1]!
    const stored = await env.ctx.db
      .selectFrom('cases')
      .select(['status', 'reopen_count', 'assignee_id'])
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow()
    expect(stored).toEqual({ status: 'open', reopen_count: 1, assignee_id: m.adminUserId })
    const types = (
      await env.ctx.db
        .selectFrom('case_timeline')
        .select('type')
        .where('case_id', '=', caseId)
        .orderBy('created_at')
        .execute()
    ).map((e) => e.type)
    expect(types).toEqual(
      expect.arrayContaining(['carrier_event', 'case.opened', 'note', 'assigned', 'status_changed', 'reopened']),
    )

    // Tags are edited in place.
    await page.getByPlaceholder('Add tag').fill('vip')
    await page.getByPlaceholder('Add tag').press('Enter')
    await expect
      .poll(
        async () =>
          (
            await env.ctx.db
              .selectFrom('cases')
              .select('tags')
              .where('tracking_number', '=', 'RM900000001GB')
              .executeTakeFirstOrThrow()
          ).tags,
      )
      .toEqual(['vip'])

    // The customer behind the case: purchases with their parcels, and every case.
    await page.getByRole('link', { name: 'Casey Jones' }).click()
    await page.getByRole('heading', { name: 'Casey Jones' }).waitFor()
    await page.getByLabel('Purchase timeline').getByText('1 × Walking boots').waitFor()
    await page.getByLabel('Purchase timeline').getByText('RM900000001GB', { exact: true }).waitFor()
    await page
      .getByRole('table', { name: "Customer's cases" })
      .getByRole('link', { name: 'Lost parcel RM900000001GB' })
      .click()
    await page.getByRole('heading', { name: 'Lost parcel RM900000001GB' }).waitFor()

    // The customer's status page, from the link an agent hands out, on a phone.
    await page.getByRole('button', { name: 'Customer link' }).click()
    const link = new URL(await page.getByLabel('Customer status link').inputValue())
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
    })
    const portal = await phone.newPage()
    await portal.goto(`${base}${link.pathname}`)
    await portal.getByRole('heading', { name: 'We are working on it' }).waitFor()
    await portal.getByRole('heading', { name: 'Reported lost by the carrier' }).waitFor()
    await portal.getByLabel('Parcel tracking').getByText('Item received at Swindon mail centre').waitFor()
    expect(await portal.getByText('Raised a trace with Royal Mail').count()).toBe(0)
    // Nothing wider than the phone's screen.
    expect(await portal.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await portal.screenshot({ path: path.join(outputDir, 'portal-phone.png'), fullPage: true })
    expect(await accessibilityProblems(portal)).toEqual([])
    await phone.close()
    await context.close()
  })

  it('holds live news behind a button while rows are selected, and gives managers the dashboard, shipments, carrier connections and admin', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await signIn(page, m.adminEmail, m.password)

    // While the agent has rows selected, news waits behind a button instead of moving the rows.
    await page
      .getByRole('checkbox', { name: /^Select CD-/ })
      .first()
      .check()
    await lostParcel('RM900000002GB')
    const news = page.getByRole('button', { name: /\d+ new or changed cases?/ })
    await news.waitFor()
    expect(await page.getByRole('link', { name: 'Lost parcel RM900000002GB' }).count()).toBe(0)
    await news.click()
    await page.getByRole('link', { name: 'Lost parcel RM900000002GB' }).waitFor()

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click()
    await page.getByRole('heading', { name: 'Operations' }).waitFor()
    // Charts are drawn (recharts renders SVG) from the case figures: the lost parcel of the first test is open.
    await page.locator('.recharts-surface').first().waitFor()
    await page.getByText('Lost Parcel').first().waitFor()
    await page.screenshot({ path: path.join(outputDir, 'dashboard.png'), fullPage: true })

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Shipments' }).click()
    await page.getByLabel('Tracking number').fill('RM900000001GB')
    await page.getByLabel('Tracking number').press('Enter')
    const shipments = page.getByRole('table', { name: 'Shipments' })
    // The search narrows the list to that one parcel (the second test's parcel is lost too).
    await expect.poll(() => shipments.getByRole('row').count()).toBe(2)
    await shipments
      .getByRole('row', { name: /RM900000001GB/ })
      .getByText('Lost')
      .waitFor()
    await page.getByRole('combobox', { name: 'Carrier status' }).click()
    await page.getByRole('option', { name: 'Delivered' }).click()
    await page.getByText('No shipments here').waitFor()

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Carrier connections' }).click()
    const card = page.getByLabel(/^Connection /).first()
    expect(await card.getByLabel('Webhook URL').inputValue()).toMatch(/\/webhooks\/carriers\/generic\//)
    await card.getByText('Deliveries, 24 h').waitFor()
    await card.getByRole('button', { name: 'Rotate secret' }).click()
    await card.getByText('New webhook secret (shown once)').waitFor()

    // Administration: people, case types, and the exception policy that opened the first test's case.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click()
    await page.getByRole('tab', { name: 'People' }).waitFor()
    await page.getByText('Bob Baker').waitFor()
    await page.getByRole('tab', { name: 'Case types' }).click()
    await page.getByText('Lost Parcel').first().waitFor()
    await page.getByRole('tab', { name: 'Exception policy' }).click()
    await page.getByRole('button', { name: /^Save/ }).first().waitFor()
    expect(await accessibilityProblems(page)).toEqual([])
    await page.screenshot({ path: path.join(outputDir, 'admin-policy.png'), fullPage: true })
    await context.close()
  })

  it("shows a viewer no actions, and the API refuses the viewer's writes", async () => {
    const opened = await app.inject({
      method: 'POST',
      url: '/api/v1/cases',
      headers: bearer(m.keys.admin),
      payload: { case_type: 'damaged', subject: 'Mug arrived in pieces' },
    })
    const someCase = opened.json() as { id: string }
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 } })
    const page = await context.newPage()
    await signIn(page, viewer.email, viewer.password)
    await page.goto(`${base}/cases/${someCase.id}`)
    await page.getByLabel('Case timeline').waitFor()
    expect(await page.getByRole('toolbar', { name: 'Case actions' }).count()).toBe(0)
    expect(await page.getByRole('combobox', { name: 'Internal note' }).count()).toBe(0)
    expect(await page.getByRole('checkbox', { name: 'Select all' }).count()).toBe(0)

    // A tablet held upright: the navigation folds behind its button and nothing runs off the side.
    await page.setViewportSize({ width: 768, height: 1024 })
    await page.goto(`${base}/inbox`)
    await page.getByRole('table', { name: 'Cases' }).waitFor()
    await page.getByRole('button', { name: 'Toggle navigation' }).waitFor()
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(768)
    await page.screenshot({ path: path.join(outputDir, 'inbox-tablet.png') })

    // The profile page switches to the dark theme, which keeps its contrast.
    await page.getByRole('button', { name: 'Account' }).click()
    await page.getByRole('menuitem', { name: 'Profile and password' }).click()
    await page.locator('label', { hasText: /^Dark$/ }).click()
    await expect
      .poll(() => page.evaluate(() => document.documentElement.getAttribute('data-mantine-color-scheme')))
      .toBe('dark')
    // Email digests, on until the person turns them off here; the server keeps the choice.
    const digest = page.getByRole('switch', { name: 'Email me a digest of unread notifications' })
    await expect.poll(() => digest.isChecked()).toBe(true)
    await page.locator('label', { hasText: 'Email me a digest of unread notifications' }).click()
    await expect
      .poll(async () => (await (await page.request.get(`${base}/api/v1/notifications/email-digest`)).json()).enabled)
      .toBe(false)
    expect(await accessibilityProblems(page, 'section[aria-label="Email digest"]')).toEqual([])
    await page.goto(`${base}/cases/${someCase.id}`)
    await page.getByLabel('Case timeline').waitFor()
    expect(await accessibilityProblems(page)).toEqual([])
    await page.screenshot({ path: path.join(outputDir, 'case-dark-viewer.png') })

    const session = (await (await page.request.get(`${base}/api/v1/auth/session`)).json()) as { csrf_token: string }
    const refused = await page.request.post(`${base}/api/v1/cases/${someCase.id}/notes`, {
      data: { body: 'sneaky' },
      headers: { 'x-csrf-token': session.csrf_token },
    })
    expect(refused.status()).toBe(403)
    expect(await refused.json()).toEqual({
      error: { code: 'forbidden', message: expect.any(String), details: { permission: 'cases.write' } },
    })
    await context.close()
  })
})
