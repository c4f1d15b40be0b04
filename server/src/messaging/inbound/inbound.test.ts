import { createHmac } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { sql } from 'kysely'
import nodemailer from 'nodemailer'
import { SMTPServer } from 'smtp-server'
import { afterAll, describe, expect, it } from 'vitest'
import { expectError, startTestApp } from '../../../test/harness.js'
import { runDueJobs } from '../../../test/jobs.js'
import { systemContext } from '../../auth/actor.js'
import { loadConfig } from '../../config.js'
import { upsertOrder } from '../../orders/service.js'
import { sampleOrder } from '../../orders/testing.js'
import { modules } from '../../registry.js'
import { replyAddress } from '../email/reply-address.js'
import { startInboundSmtp } from './smtp.js'
import { recordMessage } from '../service.js'
import { recordSentEmail } from './testing.js'

// The mail server our outbound email goes to: it keeps each transaction's envelope sender (MAIL FROM).
const envelopeSenders: string[] = []
const relay = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  disableReverseLookup: true,
  logger: false,
  onData(stream, session, callback) {
    stream.resume()
    stream.on('end', () => {
      envelopeSenders.push(session.envelope.mailFrom ? session.envelope.mailFrom.address : '')
      callback()
    })
  },
})
await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve))
afterAll(() => new Promise<void>((resolve) => relay.close(() => resolve())))
const relayPort = (relay.server.address() as { port: number }).port

const domain = 'in.claimdesk.test'
const { env, m, call, app } = await startTestApp({
  config: {
    smtpUrl: `smtp://127.0.0.1:${relayPort}`,
    email: { ...loadConfig({}).email, inboundDomain: domain, maxMessageBytes: 300_000 },
    filesMaxBytes: 20_000,
  },
})
const { ctx } = env
const smtp = await startInboundSmtp(ctx, { port: 0, host: '127.0.0.1' })
afterAll(() => smtp.close())
const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true })
afterAll(() => mailer.close())

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url))
const crlf = (b: Buffer | string) => Buffer.from(b.toString().replace(/\r?\n/g, '\r\n'))
const workspaceAddress = `${m.slug}@${domain}`

async function openCase(subject: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await call('POST', '/cases', { case_type: 'other', subject, ...extra })
  expect(res.statusCode, res.body).toBe(201)
  return res.json().id as string
}

/** An email we sent on the case (so its reply address and Message-ID are known). */
const sentOn = (caseId: string, messageIdHeader: string, to = 'jane@example.com') =>
  ctx.db
    .transaction()
    .execute((trx) =>
      recordSentEmail(trx, systemContext(m.id), caseId, { messageIdHeader, to, from: `support@${domain}` }),
    )

const inboundOn = (caseId: string) =>
  ctx.db
    .selectFrom('messages')
    .selectAll()
    .where('merchant_id', '=', m.id)
    .where('case_id', '=', caseId)
    .where('direction', '=', 'in')
    .orderBy('created_at')
    .execute()

const byHeader = (messageIdHeader: string) =>
  ctx.db
    .selectFrom('messages')
    .selectAll()
    .where('merchant_id', '=', m.id)
    .where('message_id_header', '=', messageIdHeader)
    .executeTakeFirstOrThrow()

const storedId = (response: string) => /stored as ([0-9a-f-]{36})/.exec(response)?.[1]
const drain = () => runDueJobs(ctx, modules)

describe('the SMTP listener', () => {
  it('stores the message before its 250, and the reply lands on the case its reply address names', async () => {
    const caseId = await openCase('Parcel late')
    await sentOn(caseId, 'out-1@claimdesk.test')
    const info = await mailer.sendMail({
      from: 'Jane Doe <jane@example.com>',
      to: replyAddress(ctx.keys.links, m.id, caseId, domain),
      subject: 'Re: About your order',
      text: 'Still nothing.\n\nOn Mon, 1 Jun 2026, Support <support@in.claimdesk.test> wrote:\n> We are on it.',
      messageId: '<reply-1@example.com>',
    })
    expect(info.response).toMatch(/^250 /)
    // The moment the client holds its 250, the delivery is committed.
    const deliveryId = storedId(info.response)!
    const delivery = await ctx.db
      .selectFrom('webhook_deliveries')
      .select(['source', 'provider', 'status', 'body', 'headers'])
      .where('id', '=', deliveryId)
      .executeTakeFirstOrThrow()
    expect(delivery).toMatchObject({ source: 'messaging', provider: 'smtp', status: 'received' })
    expect(delivery.body.toString()).toContain('Still nothing.')
    expect(delivery.headers['x-envelope-from']).toBe('jane@example.com')

    await drain()
    const [msg] = await inboundOn(caseId)
    expect(msg).toMatchObject({
      channel: 'email',
      status: 'received',
      provider: 'smtp',
      message_id_header: 'reply-1@example.com',
      from_address: 'jane@example.com',
      robot_reason: null,
      inbox_delivery_id: deliveryId,
    })
    // The .eml is the delivery itself: no second copy, no file of its own.
    expect(msg!.raw_blob_key).toBeNull()
    const listed = (await call('GET', `/cases/${caseId}/messages`)).json().data as { id: string; has_raw: boolean }[]
    expect(listed.find((x) => x.id === msg!.id)?.has_raw).toBe(true)
    const raw = await call('GET', `/messages/${msg!.id}/raw`)
    expect(raw.statusCode).toBe(200)
    expect(raw.rawPayload.equals(delivery.body)).toBe(true)

    // A replayed delivery, and the same message sent again, record nothing twice.
    expect((await call('POST', `/webhooks/deliveries/${deliveryId}/replay`)).statusCode).toBe(200)
    const resent = await mailer.sendMail({
      envelope: { from: 'jane@example.com', to: [replyAddress(ctx.keys.links, m.id, caseId, domain)] },
      raw: delivery.body,
    })
    expect(storedId(resent.response)).toBe(deliveryId)
    await drain()
    expect(await inboundOn(caseId)).toHaveLength(1)
  })

  it('threads by In-Reply-To to the case of the message answered', async () => {
    const caseId = await openCase('Wrong size')
    await sentOn(caseId, 'out-2@claimdesk.test')
    await mailer.sendMail({
      from: 'someone@example.net',
      to: workspaceAddress,
      subject: 'Re: size',
      text: 'Here you go',
      inReplyTo: '<out-2@claimdesk.test>',
      references: ['<out-2@claimdesk.test>'],
      messageId: '<thread-2@example.net>',
    })
    await drain()
    expect((await inboundOn(caseId)).map((x) => x.message_id_header)).toEqual(['thread-2@example.net'])
  })

  it("threads by an order number the sender mentions to that order's open case, else opens a new email case", async () => {
    const { order } = await ctx.db
      .transaction()
      .execute((trx) =>
        upsertOrder(
          trx,
          systemContext(m.id),
          sampleOrder({ externalId: 'in-order-1', orderNumber: '#4711' }),
          new Date(),
        ),
      )
    const caseId = await openCase('Damaged', { order_id: order.id })
    await mailer.sendMail({
      from: 'jane@example.com',
      to: workspaceAddress,
      subject: 'Order 4711 arrived broken',
      text: 'See subject.',
      messageId: '<order-1@example.com>',
    })
    await mailer.sendMail({
      from: 'new.person@example.org',
      to: `${m.slug.toUpperCase()}@${domain.toUpperCase()}`,
      subject: 'Do you ship to Mars? 4711',
      text: 'Question.',
      messageId: '<new-1@example.org>',
    })
    await drain()
    expect((await byHeader('order-1@example.com')).case_id).toBe(caseId)
    const fresh = await byHeader('new-1@example.org')
    expect(fresh.case_id).not.toBe(caseId)
    const opened = (await call('GET', `/cases/${fresh.case_id}`)).json()
    expect(opened).toMatchObject({ case_type: 'other', channel: 'email', subject: 'Do you ship to Mars? 4711' })
    expect(opened.customer_id).toBeTruthy()
  })

  it('refuses other domains and unknown mailboxes at RCPT (550), and oversize messages (552)', async () => {
    const send = (to: string, text = 'x') =>
      mailer.sendMail({ from: 'a@example.com', to, subject: 's', text }).then(
        () => null,
        (err: { responseCode?: number }) => err.responseCode,
      )
    expect(await send('someone@elsewhere.example')).toBe(550)
    expect(await send(`nobody-here@${domain}`)).toBe(550)
    const caseId = await openCase('Forgery target')
    await sentOn(caseId, 'out-forged@claimdesk.test')
    expect(await send(replyAddress(Buffer.from('another installation key'), m.id, caseId, domain))).toBe(550)
    expect(await send(replyAddress(ctx.keys.links, m.id, caseId, domain))).toBeNull()
    expect(await send(workspaceAddress, 'y'.repeat(400_000))).toBe(552)
  })

  it('keeps malformed MIME and refused attachments with their reasons, never losing the message', async () => {
    const raw = crlf(
      `From: jane@example.com\nTo: ${workspaceAddress}\nSubject: broken\nMessage-ID: <broken-1@example.com>\nContent-Type: multipart/mixed; boundary="b1"\n\n--b1\nContent-Type: text/plain\n\nBody text\n--b1\nContent-Type: application/octet-stream; name="tool.exe"\nContent-Disposition: attachment; filename="tool.exe"\nContent-Transfer-Encoding: base64\n\nTVqQAAMAAAAEAAAA\n--b1\nContent-Type: image/jpeg; name="huge.jpg"\nContent-Disposition: attachment; filename="huge.jpg"\nContent-Transfer-Encoding: base64\n\n${Buffer.alloc(30_000, 1).toString('base64')}\n--b1\nContent-Type: image/png; name="ok.png"\nContent-Disposition: attachment; filename="ok.png"\nContent-Transfer-Encoding: base64\n\n${Buffer.from('png bytes').toString('base64')}\n`,
    )
    await mailer.sendMail({ envelope: { from: 'jane@example.com', to: [workspaceAddress] }, raw })
    await drain()
    const msg = await byHeader('broken-1@example.com')
    expect(msg.text_body).toContain('Body text')
    const attachments = await ctx.db
      .selectFrom('message_attachments')
      .select(['file_name', 'blob_key', 'refused_reason'])
      .where('message_id', '=', msg.id)
      .orderBy('file_name')
      .execute()
    expect(attachments).toEqual([
      { file_name: 'huge.jpg', blob_key: null, refused_reason: expect.stringMatching(/^too_large/) },
      { file_name: 'ok.png', blob_key: expect.any(String), refused_reason: null },
      { file_name: 'tool.exe', blob_key: null, refused_reason: expect.stringMatching(/^refused_type/) },
    ])
  })

  it('records out-of-office replies as robots and answers none of them', async () => {
    const caseId = await openCase('Refund')
    await sentOn(caseId, 'out-ooo@claimdesk.test', 'kijitora@example.net')
    const to = replyAddress(ctx.keys.links, m.id, caseId, domain)
    for (const [file, from] of [
      ['autoreply/out-of-office-auto-submitted.sisimai-rfc3834-01.eml', 'kijitora@example.net'],
      ['autoreply/exchange-automatic-reply.sisimai-rfc3834-04.eml', ''],
    ] as const)
      await mailer.sendMail({ envelope: { from, to: [to] }, raw: crlf(fixture(file)) })
    await drain()
    const received = await inboundOn(caseId)
    expect(received.map((r) => [r.robot_reason, r.automatic])).toEqual([
      ['auto_submitted', true],
      ['null_sender', true],
    ])
    const out = await ctx.db
      .selectFrom('messages')
      .select('id')
      .where('merchant_id', '=', m.id)
      .where('case_id', '=', caseId)
      .where('direction', '=', 'out')
      .execute()
    expect(out).toHaveLength(1) // only ours: nothing answered them
  })

  it('treats more than 20 emails an hour from one address as a loop, on the case it already reached', async () => {
    const from = 'looping@example.com'
    for (let i = 0; i < 21; i++)
      await mailer.sendMail({
        from,
        to: workspaceAddress,
        subject: `Ticket ${i}`,
        text: `n${i}`,
        messageId: `<loop-${i}@example.com>`,
      })
    await drain()
    const first = await byHeader('loop-0@example.com')
    const last = await byHeader('loop-20@example.com')
    expect(first.robot_reason).toBeNull()
    expect(last.robot_reason).toBe('rate_limited')
    expect((await byHeader('loop-19@example.com')).robot_reason).toBeNull()
    const cases = await ctx.db
      .selectFrom('messages')
      .select('case_id')
      .distinct()
      .where('merchant_id', '=', m.id)
      .where('from_address', '=', from)
      .execute()
    expect(cases).toHaveLength(20)
  })

  it('marks the original message and recipient bounced from a DSN, emits message.bounced and tags the case', async () => {
    const raw = fixture('dsn/postfix-5.1.1-user-unknown.flanker-zed.eml')
    const returned = /Message-Id: <([^>]+)>/i.exec(raw.toString().split('message/rfc822')[1]!)![1]!
    const caseId = await openCase('Bounce')
    const failedTo = 'asdfasdfasdfasdfasdfasdfewrqertrtyrthsfgdfgadfqeadvxzvz@gmail.com'
    const original = await sentOn(caseId, returned, failedTo)
    // The mbox "From " line is not part of the message.
    const eml = crlf(raw.toString().replace(/^From [^\n]*\n/, ''))
    await mailer.sendMail({ envelope: { from: '', to: [workspaceAddress] }, raw: eml })
    await drain()
    const after = await ctx.db
      .selectFrom('messages')
      .select(['status', 'status_reason'])
      .where('id', '=', original.id)
      .executeTakeFirstOrThrow()
    expect(after.status).toBe('bounced')
    const recipients = await ctx.db
      .selectFrom('message_recipients')
      .select(['address', 'status', 'smtp_reply'])
      .where('message_id', '=', original.id)
      .execute()
    expect(recipients).toEqual([
      { address: failedTo, status: 'bounced', smtp_reply: expect.stringMatching(/^5\.1\.1 .*550/) },
    ])
    const events = await ctx.db
      .selectFrom('outbox')
      .select(['type', 'subject_id', 'data'])
      .where('merchant_id', '=', m.id)
      .where('type', '=', 'message.bounced')
      .execute()
    expect(events).toEqual([
      {
        type: 'message.bounced',
        subject_id: original.id,
        data: expect.objectContaining({
          message_id: original.id,
          case_id: caseId,
          recipient: failedTo,
        }),
      },
    ])
    expect((await call('GET', `/cases/${caseId}`)).json().tags).toContain('bounced')
    const [dsn] = await inboundOn(caseId)
    expect(dsn).toMatchObject({ robot_reason: 'delivery_status', automatic: true })
  })

  it('sends our email from the case reply address, so a bounce to that envelope sender marks the message bounced', async () => {
    const raw = fixture('dsn/postfix-5.1.1-user-unknown.flanker-zed.eml')
    const returned = /Message-Id: <([^>]+)>/i.exec(raw.toString().split('message/rfc822')[1]!)![1]!
    const caseId = await openCase('Bounce to the envelope sender')
    const failedTo = 'asdfasdfasdfasdfasdfasdfewrqertrtyrthsfgdfgadfqeadvxzvz@gmail.com'
    // The DSN fixture returns this Message-ID: a fresh case gets an outbound email carrying it, sent for real.
    await ctx.db.transaction().execute(async (trx) => {
      // The earlier DSN test recorded this original and the report itself: they step aside.
      const reportId = /Message-Id: <([^>]+)>/i.exec(raw.toString().split('message/rfc822')[0]!)![1]!
      await trx
        .updateTable('messages')
        .set({ message_id_header: sql<string>`message_id_header || '.earlier'` })
        .where('merchant_id', '=', m.id)
        .where('message_id_header', 'in', [returned, reportId])
        .execute()
      await recordMessage(
        trx,
        systemContext(m.id),
        {
          caseId,
          direction: 'out',
          channel: 'email',
          visibility: 'public',
          status: 'queued',
          authorType: 'agent',
          from: { address: `support@${domain}` },
          to: [{ address: failedTo }],
          cc: [],
          subject: 'About your order',
          text: 'We are looking into it.',
          messageIdHeader: returned,
        },
        new Date(),
      )
    })
    const before = envelopeSenders.length
    await drain()
    expect(envelopeSenders.length).toBe(before + 1)
    const returnPath = envelopeSenders.at(-1)!
    expect(returnPath).toBe(replyAddress(ctx.keys.links, m.id, caseId, domain))

    // As relayed to us: one more Received line than the earlier test's copy (which the inbox would take for a resend).
    const relayed = `Received: from mx.example.net by ${domain}; Mon, 7 Dec 2026 10:00:00 +0000\n`
    const eml = crlf(relayed + raw.toString().replace(/^From [^\n]*\n/, ''))
    const info = await mailer.sendMail({ envelope: { from: '', to: [returnPath] }, raw: eml })
    expect(info.response).toMatch(/^250 /)
    await drain()
    const original = await byHeader(returned)
    expect(original).toMatchObject({ case_id: caseId, direction: 'out', status: 'bounced' })
    const [dsn] = await inboundOn(caseId)
    expect(dsn).toMatchObject({ robot_reason: 'delivery_status', automatic: true })
    expect((await call('GET', `/cases/${caseId}`)).json().tags).toContain('bounced')
  })

  it('matches envelope recipients whatever their letter case', async () => {
    const caseId = await openCase('Shouting mail system')
    await sentOn(caseId, 'out-upper@claimdesk.test')
    const upper = replyAddress(ctx.keys.links, m.id, caseId, domain).toUpperCase()
    const info = await mailer.sendMail({
      envelope: { from: 'jane@example.com', to: [upper] },
      raw: crlf(
        'From: jane@example.com\nTo: jane@example.com\nSubject: Re: case\nMessage-ID: <upper-1@example.com>\n\nHello',
      ),
    })
    expect(info.response).toMatch(/^250 /)
    const slug = await mailer.sendMail({
      envelope: { from: 'joe@example.com', to: [workspaceAddress.toUpperCase()] },
      raw: crlf('From: joe@example.com\nSubject: New question\nMessage-ID: <upper-2@example.com>\n\nHello'),
    })
    expect(slug.response).toMatch(/^250 /)
    await drain()
    expect(await inboundOn(caseId)).toMatchObject([{ message_id_header: 'upper-1@example.com' }])
    expect(await byHeader('upper-2@example.com')).toMatchObject({ direction: 'in' })
  })
})

describe('inbound-parse webhooks', () => {
  async function connection(provider: string, secret?: string): Promise<{ id: string; secret: string }> {
    const res = await call('POST', '/integrations/connections', {
      source: 'messaging',
      provider,
      name: `${provider} inbound`,
      ...(secret && { secret }),
    })
    expect(res.statusCode, res.body).toBe(201)
    return { id: res.json().connection.id, secret: secret ?? res.json().secret }
  }
  const basic = (password: string) => `Basic ${Buffer.from(`claimdesk:${password}`).toString('base64')}`
  const post = (url: string, payload: Buffer | string, headers: Record<string, string>) =>
    app.inject({ method: 'POST', url, payload, headers })

  it('Postmark: basic auth in the URL; a good post is stored and recorded once, a bad one refused', async () => {
    const conn = await connection('postmark')
    const url = `/webhooks/messaging/postmark/${conn.id}`
    const body = fixture('postmark/inbound-webhook.postmark-skills.json')
    expectError(await post(url, body, { 'content-type': 'application/json' }), 401, 'signature_invalid')
    expectError(
      await post(url, body, { 'content-type': 'application/json', authorization: basic('wrong password here!') }),
      401,
      'signature_invalid',
    )
    expectError(
      await post(url, 'not json', { 'content-type': 'application/json', authorization: basic(conn.secret) }),
      400,
      'invalid_json',
    )
    const ok = await post(url, body, { 'content-type': 'application/json', authorization: basic(conn.secret) })
    expect(ok.statusCode, ok.body).toBe(200)
    const again = await post(url, body, { 'content-type': 'application/json', authorization: basic(conn.secret) })
    expect(again.json().duplicate).toBe(true)
    await drain()
    const msg = await byHeader('CAExample123@mail.example.com')
    expect(msg).toMatchObject({
      provider: 'postmark',
      subject: 'Re: Issue with my order',
      from_address: 'john@example.com',
    })
    const gem = await post(url, fixture('postmark/inbound-webhook.postmark-gem-spec.json'), {
      'content-type': 'application/json',
      authorization: basic(conn.secret),
    })
    expect(gem.statusCode, gem.body).toBe(200)
    await drain()
    const delivery = await ctx.db
      .selectFrom('webhook_deliveries')
      .select(['status', 'last_error'])
      .where('id', '=', gem.json().delivery_id)
      .executeTakeFirstOrThrow()
    expect(delivery).toEqual({ status: 'processed', last_error: null })
  })

  it('SendGrid: basic auth; the parsed and raw samples are each recorded', async () => {
    const conn = await connection('sendgrid')
    const url = `/webhooks/messaging/sendgrid/${conn.id}`
    const type = { 'content-type': 'multipart/form-data; boundary=xYzZY' }
    const body = crlf(fixture('sendgrid/parse-default.sdk-python.multipart.txt'))
    expectError(await post(url, body, type), 401, 'signature_invalid')
    expectError(
      await post(url, body, { ...type, authorization: basic('nope nope nope nope') }),
      401,
      'signature_invalid',
    )
    expectError(
      await post(url, 'a=b', { 'content-type': 'text/plain', authorization: basic(conn.secret) }),
      400,
      'payload_invalid',
    )
    const ids: string[] = []
    for (const name of [
      'sendgrid/parse-default.sdk-python.multipart.txt',
      'sendgrid/parse-raw-with-attachment.sdk-python.multipart.txt',
      'sendgrid/parse-default-forwarded.sdk-nodejs-example.multipart.txt',
    ]) {
      const res = await post(url, crlf(fixture(name)), { ...type, authorization: basic(conn.secret) })
      expect(res.statusCode, res.body).toBe(200)
      ids.push(res.json().delivery_id)
    }
    await drain()
    const recorded = await ctx.db
      .selectFrom('messages')
      .select(['inbox_delivery_id', 'subject', 'provider'])
      .where('inbox_delivery_id', 'in', ids)
      .execute()
    expect(recorded).toHaveLength(3)
    expect(recorded.map((r) => r.provider)).toEqual(['sendgrid', 'sendgrid', 'sendgrid'])
    const withImage = recorded.find((r) => r.inbox_delivery_id === ids[1])!
    const files = await ctx.db
      .selectFrom('message_attachments')
      .innerJoin('messages', (j) => j.onRef('messages.id', '=', 'message_attachments.message_id'))
      .select(['message_attachments.content_type', 'message_attachments.blob_key'])
      .where('messages.inbox_delivery_id', '=', withImage.inbox_delivery_id)
      .execute()
    expect(files[0]).toMatchObject({ content_type: expect.stringMatching(/^image\//), blob_key: expect.any(String) })
  })

  it('Mailgun: HMAC of timestamp and token with the signing key; forged or missing signatures refused', async () => {
    const key = 'test-signing-key-0123456789abcdef'
    const conn = await connection('mailgun', key)
    const url = `/webhooks/messaging/mailgun/${conn.id}`
    const fields = JSON.parse(fixture('mailgun/route-forward-parsed.docs.json').toString()) as Record<string, string>
    const form = (over: Record<string, string>) => new URLSearchParams({ ...fields, ...over }).toString()
    const type = { 'content-type': 'application/x-www-form-urlencoded' }
    const sign = (timestamp: string, token: string) =>
      createHmac('sha256', key)
        .update(timestamp + token)
        .digest('hex')
    // The sample's own signature (65 hex digits, and an unpublished key) never verifies.
    expectError(await post(url, form({}), type), 401, 'signature_invalid')
    expectError(await post(url, form({ signature: sign('1', fields.token!) }), type), 401, 'signature_invalid')
    expectError(await post(url, 'timestamp=1', type), 401, 'signature_invalid')
    const good = await post(url, form({ signature: sign(fields.timestamp!, fields.token!) }), type)
    expect(good.statusCode, good.body).toBe(200)
    await drain()
    const msg = await byHeader('CABPem2N_Ucj3wRRZnLVpVF_fRjkTBXHZReZC3zY-hHsRa=T51g@samples.mailgun.com')
    expect(msg).toMatchObject({
      provider: 'mailgun',
      subject: 'Message Routes',
      from_address: 'user@samples.mailgun.com',
    })
  })

  it('refuses any webhook posted as the SMTP listener', async () => {
    const { id } = await connection('smtp')
    expectError(
      await post(`/webhooks/messaging/smtp/${id}`, 'From: a@b\r\n\r\nx', { 'content-type': 'message/rfc822' }),
      401,
      'signature_invalid',
    )
  })
})
