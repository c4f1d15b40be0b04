import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { startConsoleTest } from './browser.js'

const { base, browser, m } = await startConsoleTest()

// Chromium reports each refused script, style, image or request on the console.
async function openWatched(): Promise<{ page: Page; refused: string[] }> {
  const page = await (await browser.newContext()).newPage()
  const refused: string[] = []
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) refused.push(msg.text())
  })
  return { page, refused }
}

describe('pages under the Content-Security-Policy in Chromium', () => {
  it('renders the API explorer at /docs with nothing refused', async () => {
    const { page, refused } = await openWatched()
    const res = await page.goto(`${base}/docs/`)
    expect(res?.headers()['content-security-policy']).toContain("frame-ancestors 'none'")
    await page.getByRole('heading', { name: /Claimdesk API/ }).waitFor()
    await page.getByText('/api/v1/auth/login', { exact: true }).first().waitFor()
    expect(refused).toEqual([])
  })

  it('signs in to the console and opens the portal page with nothing refused', async () => {
    const { page, refused } = await openWatched()
    const res = await page.goto(`${base}/inbox`)
    expect(res?.headers()['x-frame-options']).toBe('DENY')
    await page.getByLabel('Email').fill(m.adminEmail)
    await page.getByLabel(/^Password/).fill(m.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'All open' }).waitFor()
    const portal = await page.goto(`${base}/portal/eyJtIjoiMDEiLCJjIjoiMDIifQ.c2lnbmF0dXJlLXRoYXQtaXMtd3Jvbmc`)
    expect(portal?.headers()['cache-control']).toBe('no-store')
    await page.getByRole('alert').waitFor() // a made-up link: the page explains, having run under the CSP
    expect(refused).toEqual([])
  })
})
