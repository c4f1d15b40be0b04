import { simpleParser } from 'mailparser'
import { afterAll, describe, expect, it } from 'vitest'
import { expectError, sessionHeaders, startTestApp } from '../../../test/harness.js'
import { runDueJobs } from '../../../test/jobs.js'
import { systemContext } from '../../auth/actor.js'
import { addNote } from '../../cases/service.js'
import { modules } from '../../registry.js'
import { createUser } from '../../users/service.js'
import { startSmtpSink } from '../email/testing/smtp-sink.js'
import { sendDigests } from './service.js'

const sink = await startSmtpSink()
afterAll(() => sink.close())
const publicUrl = 'https://claimdesk.example.com'
const { env, app, m, call } = await startTestApp({ config: { smtpUrl: sink.url, publicUrl } })
const { ctx } = env

let seq = 0
/** A person who can be mentioned, with a session of their own. */
async function agent() {
  const email = `agent${++seq}@${m.slug}.example`
  const user = await ctx.db
    .transaction()
    .execute((trx) =>
      createUser(
        trx,
        systemContext(m.id),
        { email, name: `Agent ${seq}`, password: m.password, roleId: m.roleIds.agent! },
        new Date(),
      ),
    )
  return { ...user, session: await sessionHeaders(app, email, m.password) }
}

const minutesFromNow = (n: number) => new Date(Date.now() + n * 60_000)

/** A note on a new case mentioning the person (`minutesAgo` back in time, as the service takes `now`). */
async function mention(userId: string, words: string, minutesAgo = 0) {
  const c = (await call('POST', '/cases', { case_type: 'other', subject: `About ${words}` })).json()
  const body = `@[Someone](${userId}) ${words}`
  await ctx.db
    .transaction()
    .execute((trx) => addNote(trx, systemContext(m.id), c.id, { body }, minutesFromNow(-minutesAgo)))
  await runDueJobs(ctx, modules)
  return c as { id: string; number: string }
}
const mailTo = (address: string) => sink.deliveries.filter((d) => d.to.includes(address))

describe('agent email digests', () => {
  it('sends two mentions as one digest with links to the cases, plain text and HTML', async () => {
    const bo = await agent()
    const first = await mention(bo.id, 'can you call the courier?')
    const second = await mention(bo.id, 'the customer sent photos')

    // Too fresh: someone reading the console right now gets no email.
    expect(await sendDigests(ctx, new Date())).toBe(0)
    expect(await sendDigests(ctx, minutesFromNow(2))).toBe(1)
    const [mail] = mailTo(bo.email)
    expect(mailTo(bo.email)).toHaveLength(1)
    const parsed = await simpleParser(mail!.raw)
    expect(parsed.subject).toMatch(/: 2 notifications in Claimdesk$/)
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated')
    expect(parsed.replyTo).toBeUndefined()
    for (const c of [first, second]) {
      expect(parsed.text).toContain(`${publicUrl}/cases/${c.id}`)
      expect(parsed.html).toContain(`href="${publicUrl}/cases/${c.id}"`)
      expect(parsed.text).toContain(`Mentioned on ${c.number}`)
    }
    expect(parsed.text).toContain('@Someone the customer sent photos')
    expect(parsed.text).toContain(`${publicUrl}/profile`)
    // Nothing about digests is a message on a case.
    expect(await ctx.db.selectFrom('messages').select('id').where('merchant_id', '=', m.id).execute()).toEqual([])

    // The same notifications are never mailed again.
    expect(await sendDigests(ctx, minutesFromNow(60))).toBe(0)
  })

  it('respects the interval: at most one digest per person in it, the rest in the next', async () => {
    const cy = await agent()
    await call('PUT', '/notifications/email-digest', { interval_minutes: 15 }, cy.session)
    await mention(cy.id, 'one', 20)
    expect(await sendDigests(ctx, minutesFromNow(-18))).toBe(1)
    await mention(cy.id, 'two', 10)
    expect(await sendDigests(ctx, minutesFromNow(-8))).toBe(0)
    expect(mailTo(cy.email)).toHaveLength(1)
    expect(await sendDigests(ctx, new Date())).toBe(1)
    const later = await simpleParser(mailTo(cy.email)[1]!.raw)
    expect(later.subject).toMatch(/: 1 notification in Claimdesk$/)
    expect(later.text).toContain('@Someone two')
    expect(later.text).not.toContain('@Someone one')
  })

  it('sends nothing to a person who turned digests off, nor for a notification already read', async () => {
    const di = await agent()
    const off = await call('PUT', '/notifications/email-digest', { enabled: false }, di.session)
    expect(off.json()).toEqual({ enabled: false, interval_minutes: 30, last_sent_at: null })
    await mention(di.id, 'while off')
    expect(await sendDigests(ctx, minutesFromNow(2))).toBe(0)
    expect(mailTo(di.email)).toEqual([])

    const ed = await agent()
    await mention(ed.id, 'read at once')
    expect((await call('POST', '/notifications/read', { all: true }, ed.session)).statusCode).toBe(200)
    expect(await sendDigests(ctx, minutesFromNow(2))).toBe(0)
    expect(mailTo(ed.email)).toEqual([])
  })

  it('sends one digest when two workers run at once (row lock on the settings row), none without SMTP_URL', async () => {
    const fa = await agent()
    await mention(fa.id, 'race')
    const noSmtp = { ...ctx, config: { ...ctx.config, smtpUrl: undefined } }
    expect(await sendDigests(noSmtp, minutesFromNow(2))).toBe(0)
    const now = minutesFromNow(2)
    const counts = await Promise.all([sendDigests(ctx, now), sendDigests(ctx, now), sendDigests(ctx, now)])
    expect(counts.reduce((a, b) => a + b)).toBe(1)
    expect(mailTo(fa.email)).toHaveLength(1)
  })

  it('keeps the settings per person: defaults, changes, bad values refused, API keys refused', async () => {
    const gi = await agent()
    const before = await call('GET', '/notifications/email-digest', undefined, gi.session)
    expect(before.json()).toEqual({ enabled: true, interval_minutes: 30, last_sent_at: null })
    const put = await call('PUT', '/notifications/email-digest', { interval_minutes: 120 }, gi.session)
    expect(put.json()).toEqual({ enabled: true, interval_minutes: 120, last_sent_at: null })
    expect((await call('GET', '/notifications/email-digest', undefined, gi.session)).json().interval_minutes).toBe(120)
    for (const bad of [{ interval_minutes: 4 }, { interval_minutes: 1441 }, { enabled: 'yes' }, { colour: 'red' }])
      expect((await call('PUT', '/notifications/email-digest', bad, gi.session)).statusCode).toBe(400)
    expectError(await call('GET', '/notifications/email-digest'), 403, 'forbidden')
  })
})
