import { createHash } from 'node:crypto'
import path from 'node:path'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { readZip } from '../../server/src/evidence-requests/testing-http.js'
import { accessibilityProblems, outputDir, startConsoleTest } from './browser.js'

const { base, browser, signIn, call: api } = await startConsoleTest()

const photo = (hue: number) =>
  sharp({ create: { width: 900, height: 600, channels: 3, background: { r: 150 + hue, g: 110, b: 70 } } })
    .jpeg({ quality: 85 })
    .toBuffer()
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

/** A damaged-parcel case of a customer with an email; its case type wants photos of the damage and packaging and an invoice. */
async function damagedCase() {
  const customer = await api('POST', '/customers', {
    source: 'test',
    external_id: `c-${Date.now()}`,
    name: 'Ada Byrne',
    email: 'ada@example.com',
  })
  const c = await api('POST', '/cases', {
    case_type: 'damaged',
    subject: 'Lamp arrived broken',
    customer_id: customer.json().id,
  })
  expect(c.statusCode).toBe(201)
  return c.json().id as string
}

describe('evidence on a phone and in the console', () => {
  it('collects damage photos from a phone, turns the checklist complete and downloads a pack with correct checksums', async () => {
    const caseId = await damagedCase()
    const asked = await api('POST', `/cases/${caseId}/evidence-requests`, {
      types: ['damage_photo', 'packaging_photo'],
      message: 'Please send a photo of the lamp and one of the box it came in.',
      deadline_hours: 48,
    })
    expect(asked.statusCode).toBe(201)

    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    const page = await phone.newPage()
    // The link as the customer's message carries it, on this test's server.
    await page.goto(new URL(new URL(asked.json().url).pathname, base).href)
    await page.getByRole('heading', { name: 'Please send us a few files' }).waitFor()
    await page.getByText('Please send a photo of the lamp and one of the box it came in.').waitFor()
    expect(await accessibilityProblems(page)).toEqual([])
    await page.screenshot({ path: path.join(outputDir, 'evidence-request-phone.png'), fullPage: true })

    const damage = page.getByRole('form', { name: 'Damage photo' })
    const [one, two] = [await photo(0), await photo(40)]
    await damage.locator('input[type=file]').setInputFiles([
      { name: 'lamp-1.jpg', mimeType: 'image/jpeg', buffer: one },
      { name: 'lamp-2.jpg', mimeType: 'image/jpeg', buffer: two },
    ])
    await damage.getByRole('button', { name: 'Send 2 files' }).tap()
    await damage.getByText('Received').waitFor()

    // A text file named as a photo is refused, said why, and nothing is kept.
    const packaging = page.getByRole('form', { name: 'Packaging photo' })
    await packaging.locator('input[type=file]').setInputFiles({
      name: 'box.jpg',
      mimeType: 'image/jpeg',
      buffer: Buffer.from('not a photo at all'),
    })
    await packaging.getByRole('button', { name: 'Send' }).tap()
    await packaging.getByRole('alert').waitFor()
    expect(await page.getByRole('heading', { name: 'Please send us a few files' }).isVisible()).toBe(true)

    const box = await photo(80)
    await packaging.locator('input[type=file]').setInputFiles({ name: 'box.jpg', mimeType: 'image/jpeg', buffer: box })
    await packaging.getByRole('button', { name: 'Send' }).tap()
    await page.getByRole('heading', { name: 'Thank you: we have everything we asked for' }).waitFor()
    expect(await accessibilityProblems(page)).toEqual([])
    // Nothing wider than the phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
    await page.screenshot({ path: path.join(outputDir, 'evidence-upload-phone.png'), fullPage: true })
    // The request is complete: its link takes nothing more.
    await page.reload()
    await page.getByRole('heading', { name: 'Thank you: we have everything we asked for' }).waitFor()
    await phone.close()

    // The agent adds the invoice in the console: the checklist turns complete.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const agent = await context.newPage()
    await signIn(agent)
    await agent.goto(`${base}/cases/${caseId}`)
    const panel = agent.getByRole('region', { name: 'Evidence' })
    const checklist = panel.getByRole('list', { name: 'Required evidence' })
    await checklist.getByRole('listitem').filter({ hasText: 'Invoice' }).getByText('Missing').waitFor()
    const invoice = await import('pdf-lib').then(async ({ PDFDocument }) => {
      const doc = await PDFDocument.create()
      doc.addPage().drawText('Invoice INV-1001: lamp, GBP 89.00')
      return Buffer.from(await doc.save())
    })
    await panel.getByRole('button', { name: 'Upload' }).click()
    const dialog = agent.getByRole('dialog', { name: 'Upload evidence' })
    await dialog.getByRole('combobox', { name: 'Type' }).click()
    await agent.getByRole('option', { name: 'Invoice', exact: true }).click()
    await dialog
      .getByLabel('File')
      .setInputFiles({ name: 'INV-1001.pdf', mimeType: 'application/pdf', buffer: invoice })
    await dialog.getByRole('button', { name: 'Upload' }).click()
    await panel.getByText('All required evidence is in.').waitFor()
    // Thumbnails of the customer's photos load.
    const thumb = panel.getByRole('img', { name: /Damage photo: lamp-1\.jpg/ })
    await thumb.waitFor()
    await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0)
    expect(await accessibilityProblems(agent, 'section[aria-label="Evidence"]')).toEqual([])
    await agent.screenshot({ path: path.join(outputDir, 'evidence-panel.png'), fullPage: true })

    const check = await api('GET', `/cases/${caseId}/evidence/check?for=case`)
    expect(check.json()).toMatchObject({ complete: true, missing: [] })

    // The pack, as the console's link downloads it: every file's SHA-256 matches the manifest and the upload.
    const pack = await agent.request.get(`${base}/api/v1/cases/${caseId}/evidence/pack`)
    expect(pack.status()).toBe(200)
    expect(pack.headers()['content-type']).toBe('application/zip')
    const files = readZip(Buffer.from(await pack.body()))
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'))
    expect(manifest.files).toHaveLength(4)
    for (const f of manifest.files) expect(sha(files.get(f.file)!)).toBe(f.sha256)
    // A PDF is kept byte for byte (photos are re-encoded, their metadata stripped).
    expect(manifest.files.map((f: { sha256: string }) => f.sha256)).toContain(sha(invoice))
    expect(files.get('summary.pdf')!.subarray(0, 5).toString()).toBe('%PDF-')
    await context.close()
  })

  it('lets a manager change how long damage photos are kept and what a carrier claim needs', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    const page = await context.newPage()
    await signIn(page)
    await page.goto(`${base}/admin?tab=retention`)
    const form = page.getByRole('form', { name: 'Retention policies' })
    const days = form.getByLabel('Days to keep Evidence: Damage photo')
    expect(await days.inputValue()).toBe('365')
    await days.fill('200')
    await form.getByRole('button', { name: 'Save retention policies' }).click()
    await page.getByText('Retention policies saved.').waitFor()
    await page.getByRole('heading', { name: 'Recent purges' }).waitFor()
    expect(await accessibilityProblems(page)).toEqual([])
    const policies = (await api('GET', '/retention/policies')).json().data
    expect(policies.find((p: { scope: string }) => p.scope === 'damage_photo')).toMatchObject({
      keep_days: 200,
      source: 'workspace',
    })

    // What a carrier claim needs, set in Admin → Evidence, is what the case's check asks for.
    await page.goto(`${base}/admin?tab=evidence`)
    const required = page.getByRole('form', { name: 'Required evidence' })
    await required.getByLabel('Filing a carrier claim').click()
    await page.getByRole('option', { name: 'Proof of postage' }).click()
    await page.keyboard.press('Escape')
    await required.getByRole('button', { name: 'Save required evidence' }).click()
    await page.getByText('Required evidence saved.').waitFor()
    expect(await accessibilityProblems(page)).toEqual([])
    expect((await api('GET', '/evidence/requirements')).json().actions).toEqual({ carrier_claim: ['proof_of_postage'] })
    await context.close()
  })

  it('explains a bad link on the upload page', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true })
    const page = await phone.newPage()
    await page.goto(`${base}/portal/evidence/not-a-token.abc`)
    await page.getByRole('alert').getByText('This link does not work').waitFor()
    expect(await accessibilityProblems(page)).toEqual([])
    await phone.close()
  })
})
