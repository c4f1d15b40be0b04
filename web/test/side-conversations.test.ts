import { mkdirSync } from 'node:fs'
import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { systemContext } from '../../server/src/auth/actor.js'
import { receiveSideReply } from '../../server/src/messaging/side/service.js'
import { accessibilityProblems, outputDir, startConsoleTest } from './browser.js'

// Side conversations in Chromium: an agent starts one with the carrier from the composer with the carrier template,
// the carrier answers (recorded as the inbox drain records it), the header says so, and the agent answers and
// closes it from the panel.

const { env, m, base, browser, signIn, call: api } = await startConsoleTest()
beforeAll(() => mkdirSync(outputDir, { recursive: true }))

const answer = (sideId: string, text: string) =>
  env.ctx.db.transaction().execute((trx) =>
    receiveSideReply(
      trx,
      systemContext(m.id, 'email'),
      sideId,
      {
        direction: 'in',
        channel: 'email',
        status: 'received',
        from: { address: 'claims@dhl.example', name: 'DHL Claims' },
        to: [],
        cc: [],
        subject: 'Re: Parcel inquiry',
        text,
      },
      new Date(),
    ),
  )

describe('side conversations in Chromium', () => {
  it('starts one from a template, shows the answer in the header and the panel, answers and closes it', {
    timeout: 180_000,
  }, async () => {
    const customer = (await api('POST', '/customers', { name: 'Casey', email: 'casey@example.com' })).json()
    const c = (
      await api('POST', '/cases', { case_type: 'lost_parcel', subject: 'Parcel lost', customer_id: customer.id })
    ).json() as { id: string }
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } })
    const p = await context.newPage()
    await signIn(p)
    await p.goto(`${base}/cases/${c.id}`)
    const panel = p.getByRole('region', { name: 'Side conversations' })
    await panel.getByText('None yet').waitFor({ timeout: 30_000 })

    // From the composer: the dialog, the carrier template previewed for the case, then sent.
    await p
      .getByRole('form', { name: /^Composer/ })
      .getByRole('button', { name: 'New side conversation' })
      .click()
    const dialog = p.getByRole('dialog', { name: 'New side conversation' })
    await dialog.getByLabel('Name').fill('DHL claims desk')
    const to = dialog.getByRole('combobox', { name: 'To' })
    await to.fill('claims@dhl.example')
    await to.press('Enter')
    await dialog.getByRole('combobox', { name: 'Template' }).click()
    await p.getByRole('option', { name: /Carrier claim inquiry/ }).click()
    await dialog.getByRole('button', { name: 'Use template' }).click({ timeout: 30_000 })
    expect(await dialog.getByRole('textbox', { name: 'Email' }).inputValue()).toContain('We are investigating a parcel')
    expect(await accessibilityProblems(p, '[role="dialog"]')).toEqual([])
    await p.screenshot({ path: path.join(outputDir, 'side-conversation-dialog.png'), fullPage: true })
    await dialog.getByRole('button', { name: 'Send side email' }).click()
    await p.getByRole('dialog').waitFor({ state: 'detached', timeout: 30_000 })
    const item = panel.getByRole('listitem', { name: 'Side conversation with DHL claims desk: Waiting on them' })
    await item.waitFor({ timeout: 30_000 })
    await p.getByRole('button', { name: '1 side conversation' }).waitFor()

    // The carrier answers: the header counts it, and its badge brings the panel up.
    const list = (await api('GET', `/cases/${c.id}/side-conversations`)).json()
    await answer(list.data[0].id, 'The parcel is lost. Claim CL-99 is open.')
    await p.reload()
    const badge = p.getByRole('button', { name: '1 side conversation · 1 answered' })
    await badge.click({ timeout: 30_000 })
    await expect.poll(() => p.evaluate(() => document.activeElement?.id)).toBe('side-conversations')
    const answered = panel.getByRole('listitem', { name: 'Side conversation with DHL claims desk: Answered' })
    await answered.getByRole('button', { expanded: false }).click()
    const thread = answered.getByRole('list', { name: 'Thread with DHL claims desk' })
    await thread.getByText('Claim CL-99 is open.').waitFor({ timeout: 30_000 })
    expect(await thread.getByRole('listitem').count()).toBe(2)
    expect(await accessibilityProblems(p, '#side-conversations')).toEqual([])
    await p.screenshot({ path: path.join(outputDir, 'side-conversation-thread.png'), fullPage: true })

    // The agent answers: waiting on them again; then closes it.
    await answered.getByRole('textbox', { name: 'Reply to DHL claims desk' }).fill('Please send the claim form.')
    await answered.getByRole('button', { name: 'Send to DHL claims desk' }).click()
    const waiting = panel.getByRole('listitem', { name: 'Side conversation with DHL claims desk: Waiting on them' })
    await waiting.waitFor({ timeout: 30_000 })
    await waiting.getByRole('button', { name: 'Close' }).click()
    const closed = panel.getByRole('listitem', { name: 'Side conversation with DHL claims desk: Closed' })
    await closed.waitFor({ timeout: 30_000 })
    await closed.getByRole('button', { name: 'Reopen' }).waitFor()
    // No badge counts a closed conversation.
    await p
      .getByRole('button', { name: /side conversation/ })
      .filter({ hasText: /^\d/ })
      .waitFor({ state: 'detached' })
    await context.close()
  })
})
