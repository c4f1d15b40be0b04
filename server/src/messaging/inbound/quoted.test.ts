import nodemailer from 'nodemailer'
import { afterAll, describe, expect, it } from 'vitest'
import { startTestApp } from '../../../test/harness.js'
import { runDueJobs } from '../../../test/jobs.js'
import { systemContext } from '../../auth/actor.js'
import { loadConfig } from '../../config.js'
import { modules } from '../../registry.js'
import { replyAddress } from '../email/reply-address.js'
import { startInboundSmtp } from './smtp.js'
import { recordSentEmail } from './testing.js'

const domain = 'in.claimdesk.test'
const { env, m, call } = await startTestApp({
  config: { email: { ...loadConfig({}).email, inboundDomain: domain } },
})
const { ctx } = env
const smtp = await startInboundSmtp(ctx, { port: 0, host: '127.0.0.1' })
afterAll(() => smtp.close())
const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true })
afterAll(() => mailer.close())

const reply = 'Still nothing here.\nCould you ask the carrier again?'
const quoted = [
  'On Mon, 1 Jun 2026 at 09:12, Shop Support <support@in.claimdesk.test> wrote:',
  '> We have asked the carrier to trace your parcel.',
  '> Kind regards, Shop',
].join('\n')
const signature = '-- \nJane Doe\n+44 20 7946 0000'

async function emailedReply(caseId: string, text: string, messageId: string) {
  // A reply address is good once a message went out on its case.
  await ctx.db.transaction().execute((trx) =>
    recordSentEmail(trx, systemContext(m.id), caseId, {
      messageIdHeader: `out-${messageId}`,
      to: 'jane@example.com',
      from: `support@${domain}`,
    }),
  )
  await mailer.sendMail({
    from: 'Jane Doe <jane@example.com>',
    to: replyAddress(ctx.keys.links, m.id, caseId, domain),
    subject: 'Re: Parcel late',
    text,
    messageId: `<${messageId}>`,
  })
  await runDueJobs(ctx, modules)
  const res = await call('GET', `/cases/${caseId}/messages`)
  expect(res.statusCode).toBe(200)
  return res.json().data.find((x: { message_id_header: string }) => x.message_id_header === messageId)
}

describe('quoted history and signatures of emailed replies', () => {
  it('stores the reply and its folded quoted history and signature, keeps the whole text, and returns all three', async () => {
    const caseId = (await call('POST', '/cases', { case_type: 'other', subject: 'Parcel late' })).json().id as string
    const whole = `${reply}\n\n${signature}\n\n${quoted}`
    const msg = await emailedReply(caseId, whole, 'quoted-1@example.com')
    expect(msg).toMatchObject({
      direction: 'in',
      text: `${whole}\n`,
      reply_text: reply,
      quoted_text: `${signature}\n\n${quoted}`,
      has_raw: true,
    })
    const row = await ctx.db
      .selectFrom('messages')
      .select(['text_body', 'reply_text', 'quoted_text'])
      .where('merchant_id', '=', m.id)
      .where('id', '=', msg.id)
      .executeTakeFirstOrThrow()
    expect(row).toEqual({ text_body: `${whole}\n`, reply_text: reply, quoted_text: `${signature}\n\n${quoted}` })

    // The timeline's excerpt is the reply, not the history under it.
    const timeline = (await call('GET', `/cases/${caseId}/timeline?type=message`)).json().data
    expect(timeline.map((e: { data: { excerpt: string } }) => e.data.excerpt)).toContain(reply)

    // The customer's own view on the status page: the reply, and the rest folded under it.
    const token = ((await call('POST', `/cases/${caseId}/portal-links`, {})).json().url as string).split('/portal/')[1]
    const portal = await call('GET', `/portal/${token}/conversation`, undefined, {})
    expect(portal.statusCode, portal.body).toBe(200)
    expect(portal.json().data.find((x: { from: string }) => x.from === 'you')).toMatchObject({
      text: reply,
      quoted_text: `${signature}\n\n${quoted}`,
    })
  })

  it('folds nothing of a reply without history or signature', async () => {
    const caseId = (await call('POST', '/cases', { case_type: 'other', subject: 'Parcel late' })).json().id as string
    const msg = await emailedReply(caseId, 'Thanks, it arrived today.', 'plain-1@example.com')
    expect(msg).toMatchObject({
      text: 'Thanks, it arrived today.\n',
      reply_text: 'Thanks, it arrived today.\n',
      quoted_text: null,
    })
  })
  it("shows the case's reply address in its conversation once a message is on it, and mail to it lands there", async () => {
    const caseId = (await call('POST', '/cases', { case_type: 'other', subject: 'Where is it?' })).json().id as string
    const before = await call('GET', `/cases/${caseId}/messages`)
    expect(before.json()).toEqual({ data: [], next_cursor: null, reply_address: null })
    const msg = await emailedReply(caseId, 'Any news?', 'address-1@example.com')
    const after = (await call('GET', `/cases/${caseId}/messages`)).json()
    expect(after.reply_address).toBe(replyAddress(ctx.keys.links, m.id, caseId, domain))
    expect(after.data.map((x: { id: string }) => x.id)).toContain(msg.id)
    expect((await call('GET', `/cases/${caseId}/messages?visibility=side`)).json().reply_address).toBe(
      after.reply_address,
    )
    expect((await call('GET', '/cases/01a25040-cdf1-777d-9d4d-1a0c51865377/messages')).statusCode).toBe(404)
  })
})
