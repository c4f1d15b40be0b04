import { beforeAll, describe, expect, it } from 'vitest'
import { systemContext } from '../../server/src/auth/actor.js'
import { runDueJobs } from '../../server/test/jobs.js'
import { notifyUsers } from '../../server/src/cases/service.js'
import { seedConnection, signedHeaders } from '../../server/src/intake/testing.js'
import { upsertOrder } from '../../server/src/orders/service.js'
import { modules } from '../../server/src/registry.js'
import { upsertShipment } from '../../server/src/shipments/service.js'
import { createUser } from '../../server/src/users/service.js'
import { accessibilityProblems, startConsoleTest } from './browser.js'

const people = {
  agent: { email: '', password: 'agent-password-1', name: 'Bartholomew Featherstonehaugh', id: '' },
  finance: { email: '', password: 'finance-password-1', name: 'Fiona Finance', id: '' },
  viewer: { email: '', password: 'viewer-password-1', name: 'Vera Viewer', id: '' },
}

const { env, m, base, browser, signIn, call: api } = await startConsoleTest()
beforeAll(async () => {
  await env.ctx.db.transaction().execute(async (trx) => {
    for (const [role, p] of Object.entries(people)) {
      p.email = `${role}@${m.slug}.example`
      p.id = (
        await createUser(
          trx,
          systemContext(m.id),
          { email: p.email, password: p.password, name: p.name, roleId: m.roleIds[role]! },
          new Date(),
        )
      ).id
    }
  })
})

let seq = 0
async function order(opts: {
  number: string
  placedAt: string
  refundedMinor?: number
  customer?: { name: string; email: string }
}) {
  const { order: o } = await env.ctx.db.transaction().execute((trx) =>
    upsertOrder(
      trx,
      systemContext(m.id),
      {
        source: 'shop',
        externalId: `o-${opts.number}`,
        orderNumber: `#${opts.number}`,
        currency: 'GBP',
        placedAt: new Date(opts.placedAt),
        totalMinor: 6_000,
        customer: {
          externalId: `c-${opts.customer?.email ?? ++seq}`,
          ...(opts.customer ?? { name: 'Casey Jones', email: `casey${seq}@example.com` }),
        },
        lines: [{ name: 'Rain jacket', quantity: 1, unitPriceMinor: 6_000 }],
        payments: [
          {
            provider: 'stripe',
            reference: `pay-${opts.number}`,
            capturedMinor: 6_000,
            refundedMinor: opts.refundedMinor ?? 0,
          },
        ],
      },
      new Date(),
    ),
  )
  return o
}

describe("the console's rough edges, in Chromium", () => {
  it('finds a case by its order number and customer from the header search, and CD-number then Enter opens the case', async () => {
    const o = await order({
      number: '3966',
      placedAt: '2026-11-01T10:00:00Z',
      customer: { name: 'Priya Raman', email: 'priya.raman@example.com' },
    })
    const c = (
      await api('POST', '/cases', {
        case_type: 'wrong_item',
        subject: 'Sent the wrong size',
        order_id: o.id,
        customer_id: o.customer_id,
      })
    ).json() as { id: string; number: string }
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await signIn(page, m.adminEmail, m.password)
    const search = page.getByRole('searchbox', { name: 'Search cases' }).or(page.getByLabel('Search cases'))
    for (const q of ['#3966', 'priya.raman@example.com']) {
      await search.fill(q)
      await search.press('Enter')
      await page.getByRole('heading', { name: `Search: ${q}` }).waitFor()
      await page.getByRole('table', { name: 'Cases' }).getByRole('link', { name: 'Sent the wrong size' }).waitFor()
    }
    await search.fill(c.number)
    await search.press('Enter')
    await page.getByRole('heading', { name: 'Sent the wrong size' }).waitFor()
    expect(new URL(page.url()).pathname).toBe(`/cases/${c.id}`)
    await context.close()
  })

  it('offers as owners only people who can work cases, and bulk-assigns to another agent or a team', async () => {
    const made = [] as { id: string; number: string }[]
    for (const subject of ['Parcel soaked', 'Box crushed'])
      made.push((await api('POST', '/cases', { case_type: 'damaged', subject })).json())
    const team = (await api('POST', '/teams', { name: 'Returns desk', member_ids: [people.agent.id] })).json() as {
      id: string
    }
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await signIn(page, m.adminEmail, m.password)

    await page.goto(`${base}/cases/${made[0]!.id}`)
    await page.getByRole('combobox', { name: 'Owner' }).click()
    await page.getByRole('option', { name: people.agent.name }).waitFor()
    const offered = await page.getByRole('option').allInnerTexts()
    expect(offered).not.toContain(people.finance.name)
    expect(offered).not.toContain(people.viewer.name)
    await page.keyboard.press('Escape')

    await page.goto(`${base}/inbox`)
    await page.getByRole('checkbox', { name: `Select ${made[0]!.number}` }).check()
    const bar = page.getByRole('region', { name: 'Bulk actions' })
    await bar.getByRole('combobox', { name: 'Assign selected to' }).click()
    await page.getByRole('option', { name: people.agent.name }).click()
    await expect
      .poll(
        async () =>
          (
            await env.ctx.db
              .selectFrom('cases')
              .select('assignee_id')
              .where('id', '=', made[0]!.id)
              .executeTakeFirstOrThrow()
          ).assignee_id,
      )
      .toBe(people.agent.id)

    await page.getByRole('checkbox', { name: `Select ${made[1]!.number}` }).check()
    await bar.getByRole('combobox', { name: 'Assign selected to' }).click()
    await page.getByRole('option', { name: 'Team: Returns desk' }).click()
    await expect
      .poll(
        async () =>
          (
            await env.ctx.db
              .selectFrom('cases')
              .select('team_id')
              .where('id', '=', made[1]!.id)
              .executeTakeFirstOrThrow()
          ).team_id,
      )
      .toBe(team.id)
    await context.close()
  })

  it('shows who is writing with readable contrast, and notifications newest first', async () => {
    const c = (await api('POST', '/cases', { case_type: 'other', subject: 'Gift wrap missing' })).json() as {
      id: string
    }
    // Written in this order, happened in another: the newest happening comes first.
    for (const [title, at] of [
      ['Older news', '2026-11-20T10:00:00Z'],
      ['Newest news', '2026-11-22T10:00:00Z'],
      ['Oldest news', '2026-11-19T10:00:00Z'],
    ] as const) {
      await env.ctx.db
        .transaction()
        .execute((trx) => notifyUsers(trx, m.id, [m.adminUserId], { caseId: c.id, cause: title, title }, new Date(at)))
    }
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'dark' })
    const page = await context.newPage()
    await signIn(page, m.adminEmail, m.password)
    await page.getByRole('button', { name: /^Notifications, / }).click()
    await page.getByText('Oldest news').waitFor()
    const titles = await page.getByText(/^(Older|Newest|Oldest) news$/).allInnerTexts()
    expect(titles).toEqual(['Newest news', 'Older news', 'Oldest news'])
    await page.keyboard.press('Escape')

    await page.goto(`${base}/cases/${c.id}`)
    const other = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const agent = await other.newPage()
    await signIn(agent, people.agent.email, people.agent.password)
    await agent.goto(`${base}/cases/${c.id}`)
    await agent.getByRole('combobox', { name: 'Internal note' }).fill('Checking the packing station')
    const banner = page.getByRole('status', { name: 'Others on this case' })
    await banner.getByText(`${people.agent.name} is writing on this case`).waitFor()
    const within = '[aria-label="Others on this case"]'
    expect(await accessibilityProblems(page, within)).toEqual([])
    await page.emulateMedia({ colorScheme: 'light' })
    await expect
      .poll(() => page.evaluate(() => document.documentElement.getAttribute('data-mantine-color-scheme')))
      .toBe('light')
    expect(await accessibilityProblems(page, within)).toEqual([])
    await other.close()
    await context.close()
  })

  it('says a connection with no events yet is waiting for its first, and shipments never contradict their carrier or leave a column unnamed', async () => {
    await seedConnection(env.ctx, m.id, { source: 'carriers', name: 'Brand new feed' })
    const o = await order({ number: '4001', placedAt: '2026-10-01T10:00:00Z' })
    await env.ctx.db.transaction().execute((trx) =>
      upsertShipment(
        trx,
        systemContext(m.id),
        {
          source: 'shop',
          externalId: 's-4001',
          orderId: o.id,
          carrier: 'Royal Mail',
          trackingNumber: 'RM400100000GB',
          shippedAt: new Date('2026-10-02T10:00:00Z'),
          deliveredAt: new Date('2026-10-05T10:00:00Z'),
        },
        new Date(),
      ),
    )
    const feed = await seedConnection(env.ctx, m.id, { source: 'carriers', name: 'Royal Mail feed' })
    const body = JSON.stringify({
      type: 'tracking.updated',
      data: {
        carrier: 'royal_mail',
        tracking_number: 'RM400100000GB',
        events: [
          { id: 'lost-1', status: 'lost', occurred_at: '2026-10-09T08:00:00Z', message: 'Item lost in network' },
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

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await signIn(page, m.adminEmail, m.password)
    await page.goto(`${base}/connections`)
    const fresh = page.getByLabel('Connection Brand new feed')
    await fresh.getByText('Waiting for first event').waitFor()
    expect(await fresh.getByText(/^healthy$/i).count()).toBe(0)
    await page
      .getByLabel('Connection Royal Mail feed')
      .getByText(/^healthy$/i)
      .waitFor()

    await page.goto(`${base}/shipments?tracking_number=RM400100000GB`)
    const table = page.getByRole('table', { name: 'Shipments' })
    const row = table.getByRole('row', { name: /RM400100000GB/ })
    await row.getByText('Lost').waitFor()
    expect(await row.textContent()).not.toMatch(/delivered/i)
    const headers = await table.locator('thead th').allInnerTexts()
    expect(headers.filter((h) => !h.trim())).toEqual([])
    await context.close()
  })

  it('dates a customer from their first order and reads refunded orders as refunded', async () => {
    const customer = { name: 'Rowan Refund', email: 'rowan@example.com' }
    const first = await order({ number: '3001', placedAt: '2026-08-01T10:00:00Z', refundedMinor: 6_000, customer })
    await order({ number: '3002', placedAt: '2026-09-01T10:00:00Z', refundedMinor: 1_000, customer })
    await order({ number: '3003', placedAt: '2026-10-01T10:00:00Z', customer })
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await signIn(page, m.adminEmail, m.password)
    await page.goto(`${base}/customers/${first.customer_id}`)
    await page.getByRole('heading', { name: 'Rowan Refund' }).waitFor()
    const since = await page.evaluate(() =>
      new Date('2026-08-01T10:00:00Z').toLocaleDateString(undefined, { dateStyle: 'medium' }),
    )
    await page.getByText(`Customer since ${since}`).waitFor()
    const timeline = page.getByLabel('Purchase timeline')
    await timeline.getByText('Order #3003').waitFor()
    const state = async (n: string) =>
      await timeline.locator('.mantine-Timeline-item', { hasText: `Order #${n}` }).textContent()
    expect(await state('3001')).toMatch(/· Refunded/)
    expect(await state('3002')).toMatch(/· Partially refunded/)
    expect(await state('3003')).toMatch(/· Open/)
    await context.close()
  })

  it('fits the inbox at 1280 px: a cell too narrow for its text ends in an ellipsis and names it in full on hover', async () => {
    const c = (
      await api('POST', '/cases', { case_type: 'lost_parcel', subject: 'Where is it', assignee_id: people.agent.id })
    ).json() as { id: string }
    expect((await api('POST', `/cases/${c.id}/status`, { status: 'waiting_customer' })).statusCode).toBe(200)
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await signIn(page, m.adminEmail, m.password)
    const row = page.locator(`tr[data-case-id="${c.id}"]`)
    await row.waitFor()
    const clipped = await row.evaluate((tr) =>
      [...tr.querySelectorAll('td, td *')]
        .filter(
          (el) =>
            el.scrollWidth > el.clientWidth + 1 && (el.tagName === 'TD' || getComputedStyle(el).overflow !== 'visible'),
        )
        .filter((el) => !(el.closest('[title]')?.getAttribute('title') ?? '').includes((el.textContent ?? '').trim()))
        .map((el) => el.textContent),
    )
    expect(clipped).toEqual([])
    await context.close()
  })

  it('serves a favicon, linked from the page', async () => {
    const icon = await fetch(`${base}/favicon.ico`)
    expect(icon.status).toBe(200)
    expect(icon.headers.get('content-type')).toMatch(/^image\//)
    const html = await (await fetch(`${base}/inbox`)).text()
    expect(html).toMatch(/<link rel="icon"[^>]*href="\/favicon/)
  })
})
