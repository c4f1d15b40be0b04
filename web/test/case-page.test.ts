import path from 'node:path'
import { mkdirSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { sessionHeaders } from '../../server/test/harness.js'
import { systemContext } from '../../server/src/auth/actor.js'
import { runDueJobs } from '../../server/test/jobs.js'
import { seedConnection, signedHeaders } from '../../server/src/intake/testing.js'
import { upsertOrder } from '../../server/src/orders/service.js'
import { modules } from '../../server/src/registry.js'
import { upsertShipment } from '../../server/src/shipments/service.js'
import { createTeam } from '../../server/src/teams/service.js'
import { createUser, type User } from '../../server/src/users/service.js'
import { accessibilityProblems, outputDir, startConsoleTest } from './browser.js'

let bob: User
let ana: User
let team: { id: string }
let feed: { id: string; secret: string }

const { env, app, m, base, browser, signIn, call: api } = await startConsoleTest()
beforeAll(async () => {
  feed = await seedConnection(env.ctx, m.id, { source: 'carriers' })
  await env.ctx.db.transaction().execute(async (trx) => {
    const agent = (name: string) => ({
      email: `${name.split(' ')[0]!.toLowerCase()}@${m.slug}.example`,
      password: 'agent-password-1',
      name,
      roleId: m.roleIds.agent!,
    })
    bob = await createUser(trx, systemContext(m.id), agent('Bob Baker'), new Date())
    ana = await createUser(trx, systemContext(m.id), agent('Ana Ruiz'), new Date())
    team = await createTeam(trx, systemContext(m.id), { name: 'Returns team' }, new Date())
  })
  mkdirSync(outputDir, { recursive: true })
})

// A carrier's scan in the generic signed format, posted over HTTP, then processed.
async function scan(trackingNumber: string, id: string, status: string, at: string, message: string) {
  const events = [{ id, status, occurred_at: at, message }]
  const data = { carrier: 'royal_mail', tracking_number: trackingNumber, events }
  const body = JSON.stringify({ type: 'tracking.updated', data })
  const headers = { 'content-type': 'application/json', ...signedHeaders(feed.secret, body) }
  const res = await fetch(`${base}/webhooks/carriers/generic/${feed.id}`, { method: 'POST', body, headers })
  expect(res.status).toBe(200)
  await runDueJobs(env.ctx, modules)
}

async function shipment(trackingNumber: string) {
  return env.ctx.db.transaction().execute(async (trx) => {
    const { order } = await upsertOrder(
      trx,
      systemContext(m.id),
      {
        source: 'shop',
        externalId: `o-${trackingNumber}`,
        currency: 'GBP',
        placedAt: new Date('2026-11-01T10:00:00Z'),
        totalMinor: 18_000,
        customer: { externalId: `c-${trackingNumber}`, email: 'casey@example.com', name: 'Casey' },
        lines: [{ name: 'Walking boots', sku: 'BOOT-42', quantity: 1, unitPriceMinor: 18_000 }],
      },
      new Date(),
    )
    const input = {
      source: 'shop',
      externalId: `s-${trackingNumber}`,
      orderId: order.id,
      carrier: 'Royal Mail',
      trackingNumber,
      shippedAt: new Date('2026-11-02T10:00:00Z'),
    }
    return (await upsertShipment(trx, systemContext(m.id), input, new Date())).shipment
  })
}

const openCase = async (body: Record<string, unknown>) => (await api('POST', '/cases', body)).json() as { id: string }
const notificationsOf = async (userId: string) =>
  env.ctx.db.selectFrom('notifications').select(['cause', 'case_id']).where('user_id', '=', userId).execute()

describe('the case page in Chromium', () => {
  it('mentions a colleague picked from the list after @, who is notified, and shows the mention as @Name', async () => {
    const c = await openCase({ case_type: 'damaged', subject: 'Mug arrived in pieces' })
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await signIn(page)
    await page.goto(`${base}/cases/${c.id}`)
    const note = page.getByRole('combobox', { name: 'Internal note' })
    await note.pressSequentially('Can you check this? @Bo')
    const list = page.getByRole('listbox', { name: 'People to mention' })
    await list.getByRole('option', { name: /Bob Baker/ }).waitFor()
    expect(await list.getByRole('option', { name: /Ana Ruiz/ }).count()).toBe(0)
    expect(await accessibilityProblems(page)).toEqual([])
    await note.press('Enter')
    await list.waitFor({ state: 'detached' })
    await note.pressSequentially('thanks')
    expect(await note.inputValue()).toBe('Can you check this? @Bob Baker thanks')
    await page.getByRole('button', { name: 'Add note' }).click()
    const timeline = page.getByLabel('Case timeline')
    await timeline.getByText('Ada Admin wrote an internal note').waitFor()
    await timeline.getByText('@Bob Baker').waitFor()
    expect(await timeline.getByText(bob.id).count()).toBe(0)
    expect(await notificationsOf(bob.id)).toEqual([{ cause: 'mention', case_id: c.id }])

    // A click picks too.
    await note.pressSequentially('Over to @an')
    await page.getByRole('option', { name: /Ana Ruiz/ }).click()
    await page.getByRole('button', { name: 'Add note' }).click()
    await timeline.getByText('@Ana Ruiz').waitFor()
    await expect.poll(() => notificationsOf(ana.id)).toEqual([{ cause: 'mention', case_id: c.id }])
    await context.close()
  })

  it("shows the linked shipment's live status: delivered after the carrier says so", async () => {
    const s = await shipment('RM900000101GB')
    await scan('RM900000101GB', 'd1', 'in_transit', '2026-11-03T08:00:00Z', 'At Swindon mail centre')
    const c = await openCase({ case_type: 'late_delivery', subject: 'Boots not here yet', shipment_id: s.id })
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await signIn(page)
    await page.goto(`${base}/cases/${c.id}`)
    await page.getByLabel('Shipment status: In transit').waitFor()
    await scan('RM900000101GB', 'd2', 'delivered', '2026-11-04T08:00:00Z', 'Left at the front door')
    await page.reload()
    await page.getByLabel('Tracking timeline').getByText('Left at the front door').waitFor()
    await page.getByLabel('Shipment status: Delivered').waitFor()
    await context.close()
  })

  it('tells the timeline in sentences: who did what, to whom, and what changed', async () => {
    const c = await openCase({ case_type: 'damaged', subject: 'Jacket torn' })
    const as = await sessionHeaders(app, m.adminEmail, m.password)
    expect((await api('PATCH', `/cases/${c.id}`, { priority: 'high', add_tags: ['vip'] }, as)).statusCode).toBe(200)
    const assign = { assignee_id: ana.id, team_id: team.id }
    expect((await api('POST', `/cases/${c.id}/assign`, assign, as)).statusCode).toBe(200)
    expect((await api('POST', `/cases/${c.id}/status`, { status: 'waiting_carrier' }, as)).statusCode).toBe(200)
    const resolve = {
      status: 'resolved',
      resolution_code: 'refunded',
      root_cause: 'carrier',
      resolution_note: 'Refunded in full',
    }
    expect((await api('POST', `/cases/${c.id}/status`, resolve, as)).statusCode).toBe(200)
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await signIn(page)
    await page.goto(`${base}/cases/${c.id}`)
    const timeline = page.getByLabel('Case timeline')
    for (const sentence of [
      'An API key opened the case through the API',
      'Ada Admin changed the priority from Normal to High',
      'Ada Admin added the tag vip',
      'Ada Admin assigned the case to Ana Ruiz (Returns team)',
      'Ada Admin changed the status to Waiting on carrier',
      'Ada Admin resolved the case: Refunded — root cause: carrier',
    ])
      await timeline.getByText(sentence, { exact: true }).waitFor()
    await timeline.getByText('Refunded in full', { exact: true }).waitFor()
    expect(await timeline.getByText(/waiting_carrier|Fields changed|Resolved: refunded/).count()).toBe(0)
    await page.screenshot({ path: path.join(outputDir, 'case-timeline.png'), fullPage: true })
    await context.close()
  })

  it("names the store by its brand on the customer's page, and tells a bad link's holder what to do", async () => {
    const names = { name: 'Northwind Outfitters Ltd', brand_name: 'Northwind' }
    expect((await api('PATCH', '/merchant', names)).statusCode).toBe(200)
    const c = await openCase({ case_type: 'other', subject: 'Question' })
    const link = new URL((await api('POST', `/cases/${c.id}/portal-links`, {})).json().url)
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })
    const page = await context.newPage()
    await page.goto(`${base}${link.pathname}`)
    await page.getByText('Northwind', { exact: true }).waitFor()
    expect(await page.getByText('Northwind Outfitters Ltd').count()).toBe(0)

    await page.goto(`${base}${link.pathname.slice(0, -4)}abcd`)
    const alert = page.getByRole('alert')
    await alert.getByText('This link does not work').waitFor()
    await alert.getByText(/ask the store that sent it to you for a new link/).waitFor()
    expect(await alert.getByText(/reply to our last message/i).count()).toBe(0)
    await context.close()
  })
})
