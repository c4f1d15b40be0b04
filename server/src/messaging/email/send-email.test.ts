import { createServer } from 'node:net'
import { simpleParser } from 'mailparser'
import { afterAll, describe, expect, it } from 'vitest'
import { runDueJobs } from '../../../test/jobs.js'
import { createTestMerchant, startTestEnv } from '../../../test/harness.js'
import type { AppContext } from '../../context.js'
import { modules } from '../../registry.js'
import { openRawMessage } from '../service.js'
import { parseReplyAddress, verifyReply } from './reply-address.js'
import { interruptedReason, sendDueEmails } from './send-email.js'
import { openTestCase, recordTestEmail } from './testing/outbound.js'
import { startSmtpSink } from './testing/smtp-sink.js'

// Real SMTP over sockets: the send drain against a local smtp-server sink, on a real database.

const sink = await startSmtpSink()
afterAll(() => sink.close())
const domain = 'reply.shop.example'
const env = await startTestEnv({ smtpUrl: sink.url })
env.ctx.config.email = { ...env.ctx.config.email, inboundDomain: domain }
const { ctx } = env
const m = await createTestMerchant(ctx)
const jane = { address: 'jane@customer.example', name: 'Jane Doe' }

const message = (id: string) => ctx.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
const recipients = (id: string) =>
  ctx.db
    .selectFrom('message_recipients')
    .select(['address', 'status', 'smtp_reply', 'attempts'])
    .where('message_id', '=', id)
    .orderBy('address')
    .execute()
const events = (id: string) =>
  ctx.db.selectFrom('outbox').select(['type', 'data']).where('subject_id', '=', id).orderBy('occurred_at').execute()
/** One run of the send drain, as the worker's loop runs it. */
const send = (c: AppContext = ctx, maxAttempts?: number) => sendDueEmails(c, 100, { maxAttempts })
/** Skips a message's retry backoff. */
const dueNow = (id: string) =>
  ctx.db.updateTable('messages').set({ next_attempt_at: new Date() }).where('id', '=', id).execute()
const bytes = async (id: string) => {
  const raw = await openRawMessage(ctx.db, ctx.blobs, m.id, id)
  return Buffer.concat(await raw.body.toArray())
}

/** A context whose mail server refuses connections (a port nothing listens on). */
async function unreachable(): Promise<AppContext> {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
  return { ...ctx, config: { ...ctx.config, smtpUrl: `smtp://127.0.0.1:${port}` } }
}

describe('the send drain', () => {
  it('sends a threaded text and HTML email with its attachment, a stable Message-ID and the case reply address', async () => {
    const caseId = await openTestCase(ctx, m.id)
    await recordTestEmail(ctx, m.id, {
      caseId,
      to: [jane],
      inbound: { messageId: 'cust-1@customer.example', references: ['first@shop.example'] },
      createdAt: new Date(Date.now() - 60_000),
    })
    const id = await recordTestEmail(ctx, m.id, {
      caseId,
      to: [jane],
      cc: [{ address: 'ops@shop.example' }],
      subject: 'Your parcel #1001',
      text: 'We found it.',
      html: '<p>We <b>found</b> it.</p>',
      attachments: [{ fileName: 'label.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4 label') }],
    })
    await runDueJobs(ctx, modules)

    const row = await message(id)
    expect(row).toMatchObject({
      status: 'sent',
      status_reason: null,
      attempts: 1,
      in_reply_to: 'cust-1@customer.example',
    })
    expect(row.message_id_header).toMatch(new RegExp(`^[0-9a-f-]{36}@${domain.replace(/\./g, '\\.')}$`))
    expect(row.references_headers).toEqual(['first@shop.example', 'cust-1@customer.example'])
    expect(sink.countFor(row.message_id_header!)).toEqual({ [jane.address]: 1, 'ops@shop.example': 1 })
    const raw = sink.deliveries.find((d) => d.messageId === row.message_id_header)!.raw
    // The stored .eml is the exact bytes the server received, kept with the message (no file of its own).
    expect([row.raw_in_db, row.raw_blob_key]).toEqual([true, null])
    expect((await bytes(id)).equals(raw)).toBe(true)

    const mail = await simpleParser(raw)
    expect(mail.messageId).toBe(`<${row.message_id_header}>`)
    expect(mail.inReplyTo).toBe('<cust-1@customer.example>')
    expect(mail.references).toEqual(['<first@shop.example>', '<cust-1@customer.example>'])
    expect(mail.from?.text).toBe(`"Claimdesk" <no-reply@${domain}>`)
    expect(mail.to).toMatchObject({ value: [{ address: jane.address, name: jane.name }] })
    expect(mail.cc).toMatchObject({ value: [{ address: 'ops@shop.example' }] })
    expect(mail.subject).toBe('Your parcel #1001')
    expect(mail.text?.trim()).toBe('We found it.')
    expect(mail.html).toContain('<p>We <b>found</b> it.</p>')
    expect(mail.headers.get('auto-submitted')).toBeUndefined()
    expect(mail.attachments.map((a) => [a.filename, a.contentType, a.content.toString()])).toEqual([
      ['label.pdf', 'application/pdf', '%PDF-1.4 label'],
    ])
    const replyTo = mail.replyTo!.value[0]!.address!
    const parsed = parseReplyAddress(replyTo, domain)
    expect(parsed?.caseId).toBe(caseId)
    expect(verifyReply(ctx.keys.links, m.id, caseId, parsed!.token)).toBe(true)

    expect(await recipients(id)).toEqual([
      { address: jane.address, status: 'sent', smtp_reply: expect.stringContaining('250'), attempts: 1 },
      { address: 'ops@shop.example', status: 'sent', smtp_reply: expect.stringContaining('250'), attempts: 1 },
    ])
    expect(await events(id)).toEqual([
      {
        type: 'message.sent',
        data: {
          message_id: id,
          case_id: caseId,
          channel: 'email',
          visibility: 'public',
          public: true,
          automatic: false,
          author_id: null,
        },
      },
    ])

    // Running the drain again sends nothing more and announces nothing more.
    expect(await send()).toBe(0)
    await Promise.all([send(), send()])
    expect(sink.countFor(row.message_id_header!)).toEqual({ [jane.address]: 1, 'ops@shop.example': 1 })
    expect(await events(id)).toHaveLength(1)
  })

  it('writes non-ASCII names, subjects and bodies and long lines so a mail client reads them back exactly', async () => {
    const caseId = await openTestCase(ctx, m.id)
    const zoe = { address: 'zoe@customer.example', name: 'Zoë "Zo" Ånström' }
    const text = `Bonjour Zoë,\n\nVotre colis est arrivé. ${'Une très longue ligne '.repeat(12)}\n.\nFrom here on: 🙂\n`
    const html = `<p>Bonjour <b>Zoë</b>, ${'très long '.repeat(20)}</p>`
    const subject = `Votre commande n°1001 — ${'mise à jour '.repeat(8)}`.trim()
    const id = await recordTestEmail(ctx, m.id, {
      caseId,
      to: [zoe],
      cc: [{ address: 'ops@shop.example', name: 'Ops, Team' }],
      subject,
      text,
      html,
    })
    await send()
    const row = await message(id)
    const mail = await simpleParser(sink.deliveries.find((d) => d.messageId === row.message_id_header)!.raw)
    expect(mail.subject).toBe(subject)
    expect(mail.to).toMatchObject({ value: [zoe] })
    expect(mail.cc).toMatchObject({ value: [{ address: 'ops@shop.example', name: 'Ops, Team' }] })
    expect(mail.text).toBe(text)
    expect(mail.html).toBe(html)
    const raw = await bytes(id)
    expect(
      raw
        .toString('latin1')
        .split('\r\n')
        .every((line) => line.length <= 998),
    ).toBe(true)
    expect(raw.every((b) => b < 0x80)).toBe(true) // 7-bit clean
  })

  it("marks automatic mail Auto-Submitted and sends it from the workspace's address", async () => {
    const now = new Date()
    await ctx.db
      .insertInto('email_settings')
      .values({
        merchant_id: m.id,
        from_name: 'Acme Care',
        from_address: 'care@acme.example',
        brands: '[]',
        updated_at: now,
      })
      .execute()
    const caseId = await openTestCase(ctx, m.id)
    const id = await recordTestEmail(ctx, m.id, { caseId, to: [jane], automatic: true })
    await runDueJobs(ctx, modules)
    const row = await message(id)
    expect(row).toMatchObject({ status: 'sent', from_address: 'care@acme.example', from_name: 'Acme Care' })
    const mail = await simpleParser(sink.deliveries.find((d) => d.messageId === row.message_id_header)!.raw)
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated')
    expect(mail.from?.text).toBe('"Acme Care" <care@acme.example>')
    expect(mail.inReplyTo).toBeUndefined()
    expect((await events(id))[0]!.data).toMatchObject({ automatic: true })
    await ctx.db.deleteFrom('email_settings').where('merchant_id', '=', m.id).execute()
  })

  it('retries a temporary refusal (451) with the same Message-ID and delivers once', async () => {
    const caseId = await openTestCase(ctx, m.id)
    const id = await recordTestEmail(ctx, m.id, { caseId, to: [jane] })
    sink.plan({ code: 451, text: 'Try again later' })
    await runDueJobs(ctx, modules)
    const waiting = await message(id)
    expect(waiting).toMatchObject({ status: 'queued', attempts: 1 })
    expect(waiting.status_reason).toContain('451 Try again later')
    expect(waiting.next_attempt_at!.getTime()).toBeGreaterThan(Date.now())
    expect(await recipients(id)).toEqual([
      { address: jane.address, status: 'queued', smtp_reply: '451 Try again later', attempts: 1 },
    ])
    expect(await send()).toBe(0) // not due yet: the backoff

    await dueNow(id)
    await runDueJobs(ctx, modules)
    const row = await message(id)
    expect(row).toMatchObject({ status: 'sent', attempts: 2, message_id_header: waiting.message_id_header })
    expect(sink.received.filter((d) => d.messageId === row.message_id_header)).toHaveLength(2)
    expect(sink.countFor(row.message_id_header!)).toEqual({ [jane.address]: 1 })
    expect(row.next_attempt_at).toBeNull()
    expect(await bytes(id)).toEqual(sink.received.find((d) => d.messageId === row.message_id_header)!.raw)
    expect((await events(id)).map((e) => e.type)).toEqual(['message.sent'])
  })

  it("fails a permanent refusal (550) with the server's reply, and does not retry it", async () => {
    const caseId = await openTestCase(ctx, m.id)
    const id = await recordTestEmail(ctx, m.id, { caseId, to: [jane] })
    sink.plan({ code: 550, text: 'Mailbox unavailable' })
    await runDueJobs(ctx, modules)
    const row = await message(id)
    expect(row).toMatchObject({
      status: 'failed',
      status_reason: `${jane.address}: 550 Mailbox unavailable`,
      sent_at: null,
      next_attempt_at: null,
    })
    expect(await events(id)).toEqual([
      {
        type: 'message.failed',
        data: {
          message_id: id,
          case_id: caseId,
          channel: 'email',
          visibility: 'public',
          status: 'failed',
          reason: `${jane.address}: 550 Mailbox unavailable`,
        },
      },
    ])
  })

  it('sends to the recipients the server accepts and names the one it refused', async () => {
    const caseId = await openTestCase(ctx, m.id)
    sink.refuseRecipient('nobody@customer.example', 550, 'No such user')
    const id = await recordTestEmail(ctx, m.id, { caseId, to: [jane, { address: 'nobody@customer.example' }] })
    await runDueJobs(ctx, modules)
    const row = await message(id)
    expect(row).toMatchObject({
      status: 'sent',
      status_reason: 'not delivered to nobody@customer.example: 550 No such user',
    })
    expect(sink.countFor(row.message_id_header!)).toEqual({ [jane.address]: 1 })
    expect((await recipients(id)).map((r) => [r.address, r.status])).toEqual([
      [jane.address, 'sent'],
      ['nobody@customer.example', 'failed'],
    ])
  })

  it('retries when the mail server cannot be reached, and gives up on the last attempt', async () => {
    const caseId = await openTestCase(ctx, m.id)
    const id = await recordTestEmail(ctx, m.id, { caseId, to: [jane] })
    const down = await unreachable()
    expect(await send(down, 3)).toBe(1)
    expect(await recipients(id)).toMatchObject([{ status: 'queued', attempts: 1 }])
    expect(await message(id)).toMatchObject({ status: 'queued', attempts: 1 })
    expect((await message(id)).status_reason).toMatch(/^temporary failure, retrying: .*ECONNREFUSED/)
    for (const attempt of [2, 3]) {
      await dueNow(id)
      expect(await send(down, 3)).toBe(1)
      expect(await recipients(id)).toMatchObject([{ attempts: attempt }])
    }
    const row = await message(id)
    expect(row.status).toBe('failed')
    expect(row.status_reason).toMatch(/gave up after 3 attempts: temporary failure/)
    expect((await events(id)).map((e) => e.type)).toEqual(['message.failed'])
    expect(sink.countFor(row.message_id_header!)).toEqual({})
  })

  it('never sends again to a recipient a dead sender left in sending (accepted, then the process died before commit); leaves a live one alone', async () => {
    const caseId = await openTestCase(ctx, m.id)
    const id = await recordTestEmail(ctx, m.id, { caseId, to: [jane] })
    await runDueJobs(ctx, modules)
    const row = await message(id)
    expect(sink.countFor(row.message_id_header!)).toEqual({ [jane.address]: 1 })
    // The state a crash between the server's 250 and our commit leaves behind, under a sender that is still alive
    // (its lock held by another connection) until it is not.
    const sender = 7_654_321
    await ctx.db.updateTable('messages').set({ status: 'sending', send_key: sender }).where('id', '=', id).execute()
    await ctx.db.updateTable('message_recipients').set({ status: 'sending' }).where('message_id', '=', id).execute()
    await ctx.db.deleteFrom('outbox').where('subject_id', '=', id).execute()
    const live = await ctx.pool.connect()
    try {
      await live.query('select pg_advisory_lock(21001, $1)', [sender])
      await send()
      expect(await message(id)).toMatchObject({ status: 'sending' })
      expect(await recipients(id)).toMatchObject([{ status: 'sending' }])
    } finally {
      await live.query('select pg_advisory_unlock(21001, $1)', [sender])
      live.release()
    }

    expect(await send()).toBe(1)
    expect(sink.countFor(row.message_id_header!)).toEqual({ [jane.address]: 1 })
    expect(await message(id)).toMatchObject({
      status: 'failed',
      status_reason: `${jane.address}: ${interruptedReason}`,
    })
    expect((await events(id)).map((e) => e.type)).toEqual(['message.failed'])
  })

  it('replaces a kept connection the server has dropped, without failing or retrying the message', async () => {
    const caseId = await openTestCase(ctx, m.id)
    await recordTestEmail(ctx, m.id, { caseId, to: [jane] })
    await send()
    sink.dropConnections()
    const id = await recordTestEmail(ctx, m.id, { caseId, to: [jane] })
    await send()
    const row = await message(id)
    expect(row).toMatchObject({ status: 'sent', attempts: 1 })
    expect(sink.countFor(row.message_id_header!)).toEqual({ [jane.address]: 1 })
  })

  it('stores not_sent when no mail server is configured', async () => {
    const caseId = await openTestCase(ctx, m.id)
    const id = await recordTestEmail(ctx, m.id, { caseId, to: [jane] })
    await send({ ...ctx, config: { ...ctx.config, smtpUrl: undefined } })
    expect(await message(id)).toMatchObject({ status: 'not_sent', status_reason: 'no mail server configured' })
    expect(await events(id)).toEqual([])
  })
  it('settles a batch together: one recipient refused for good, one for now, the rest sent; the waiting one is sent on retry', async () => {
    const caseId = await openTestCase(ctx, m.id)
    sink.refuseRecipient('gone@customer.example', 550, 'No such user')
    sink.refuseRecipient('busy@customer.example', 451, 'Mailbox busy')
    const gone = { address: 'gone@customer.example' }
    const busy = { address: 'busy@customer.example' }
    const mixed = await recordTestEmail(ctx, m.id, { caseId, to: [jane, gone, busy] })
    const refused = await recordTestEmail(ctx, m.id, { caseId, to: [gone] })
    const waiting = await recordTestEmail(ctx, m.id, { caseId, to: [busy] })
    const fine = await recordTestEmail(ctx, m.id, { caseId, to: [jane] })
    expect(await send()).toBe(4) // one run

    expect(await message(refused)).toMatchObject({
      status: 'failed',
      status_reason: `${gone.address}: 550 No such user`,
    })
    expect(await message(fine)).toMatchObject({ status: 'sent', status_reason: null })
    expect(await message(waiting)).toMatchObject({
      status: 'queued',
      status_reason: 'temporary failure, retrying: 451 Mailbox busy',
    })
    expect(await message(mixed)).toMatchObject({ status: 'queued' })
    expect((await recipients(mixed)).map((r) => [r.address, r.status, r.smtp_reply])).toEqual([
      [busy.address, 'queued', '451 Mailbox busy'],
      [gone.address, 'failed', '550 No such user'],
      [jane.address, 'sent', expect.stringContaining('250')],
    ])
    expect((await events(refused)).map((e) => e.type)).toEqual(['message.failed'])
    expect((await events(fine)).map((e) => e.type)).toEqual(['message.sent'])
    expect(await events(mixed)).toEqual([])

    // The mailbox frees up: the retry goes to the waiting recipient only, with the same bytes.
    sink.acceptRecipient(busy.address)
    await ctx.db
      .updateTable('messages')
      .set({ next_attempt_at: new Date() })
      .where('id', 'in', [mixed, waiting])
      .execute()
    expect(await send()).toBe(2)
    const row = await message(mixed)
    expect(row).toMatchObject({
      status: 'sent',
      status_reason: `not delivered to ${gone.address}: 550 No such user`,
      attempts: 2,
    })
    expect(sink.countFor(row.message_id_header!)).toEqual({ [jane.address]: 1, [busy.address]: 1 })
    const sent = sink.deliveries.filter((d) => d.messageId === row.message_id_header)
    expect(sent[1]!.raw.equals(sent[0]!.raw)).toBe(true)
    expect((await events(mixed)).map((e) => e.type)).toEqual(['message.sent'])
    expect(await message(waiting)).toMatchObject({ status: 'sent', attempts: 2 })
  })

  it('never sends a message twice when several drains run at once', async () => {
    const caseId = await openTestCase(ctx, m.id)
    const ids: string[] = []
    for (let i = 0; i < 30; i++)
      ids.push(await recordTestEmail(ctx, m.id, { caseId, to: [{ address: `many${i}@customer.example` }] }))
    let claimed = 0
    for (let n = 1; n > 0; claimed += n)
      n = (await Promise.all([1, 2, 3, 4].map(() => sendDueEmails(ctx, 4)))).reduce((a, b) => a + b)
    expect(claimed).toBe(30)
    for (const id of ids) {
      const row = await message(id)
      expect(row.status).toBe('sent')
      expect(sink.received.filter((d) => d.messageId === row.message_id_header)).toHaveLength(1)
      expect((await events(id)).map((e) => e.type)).toEqual(['message.sent'])
    }
  })
})
