import { readFileSync } from 'node:fs'
import nodemailer from 'nodemailer'
import { simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'
import { afterAll, describe, expect, it } from 'vitest'
import { expectError, startTestApp } from '../../../test/harness.js'
import { runDueJobs } from '../../../test/jobs.js'
import { systemContext } from '../../auth/actor.js'
import { loadConfig } from '../../config.js'
import { upsertOrder } from '../../orders/service.js'
import { upsertShipment } from '../../shipments/service.js'
import { modules } from '../../registry.js'
import { parseSideReplyAddress, replyAddress, sideReplyAddress, verifySideReply } from '../email/reply-address.js'
import { startInboundSmtp } from '../inbound/smtp.js'

// Side conversations end to end: our mail leaves through a relay that keeps every message, the third party's
// answer comes back through the SMTP listener, and the inbox drain threads it.
const relayed: { mailFrom: string; raw: Buffer }[] = []
const relay = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  disableReverseLookup: true,
  logger: false,
  onData(stream, session, callback) {
    const chunks: Buffer[] = []
    stream.on('data', (c: Buffer) => chunks.push(c))
    stream.on('end', () => {
      relayed.push({
        mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        raw: Buffer.concat(chunks),
      })
      callback()
    })
  },
})
await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve))
afterAll(() => new Promise<void>((resolve) => relay.close(() => resolve())))

const domain = 'in.claimdesk.test'
const { env, m, other, call } = await startTestApp({
  other: true,
  config: {
    smtpUrl: `smtp://127.0.0.1:${(relay.server.address() as { port: number }).port}`,
    email: { ...loadConfig({}).email, inboundDomain: domain },
  },
})
const { ctx } = env
const smtp = await startInboundSmtp(ctx, { port: 0, host: '127.0.0.1' })
afterAll(() => smtp.close())
const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true })
afterAll(() => mailer.close())
const drain = () => runDueJobs(ctx, modules)

type Side = { id: string; status: string; messages: { id: string; message_id_header: string; [k: string]: unknown }[] }
const getSide = async (id: string) => (await call('GET', `/side-conversations/${id}`)).json() as Side
const events = (type: string, subject: string) =>
  ctx.db
    .selectFrom('outbox')
    .select('data')
    .where('merchant_id', '=', m.id)
    .where('type', '=', type)
    .where('subject_id', '=', subject)
    .orderBy('id')
    .execute()
    .then((rows) => rows.map((r) => r.data))
/** The relayed email whose Message-ID is this one, parsed. */
const sentEmail = async (messageIdHeader: string) => {
  const found = relayed.find((r) => r.raw.toString().includes(`<${messageIdHeader}>`))
  if (!found) throw new Error(`not relayed: ${messageIdHeader}`)
  return { mailFrom: found.mailFrom, raw: found.raw.toString(), parsed: await simpleParser(found.raw) }
}

/** A case of the customer Robin about a parcel shipped with DHL, assigned to the admin. */
async function parcelCase() {
  const now = new Date()
  const sys = systemContext(m.id)
  const { order, shipment } = await ctx.db.transaction().execute(async (trx) => {
    const { order } = await upsertOrder(
      trx,
      sys,
      {
        source: 'test',
        externalId: `o-${now.getTime()}-${Math.random()}`,
        orderNumber: '#4711',
        currency: 'EUR',
        placedAt: now,
        totalMinor: 8990,
        lines: [{ name: 'Trail shoes', sku: 'TRS-42', quantity: 1, unitPriceMinor: 8990 }],
      },
      now,
    )
    const { shipment } = await upsertShipment(
      trx,
      sys,
      {
        source: 'test',
        externalId: `s-${now.getTime()}-${Math.random()}`,
        orderId: order.id,
        carrier: 'DHL',
        service: 'DHL Paket',
        trackingNumber: 'JD014600006281230000',
        shippedAt: new Date('2026-12-03T09:00:00Z'),
        declaredValue: { amountMinor: 8990, currency: 'EUR' },
      },
      now,
    )
    return { order, shipment }
  })
  const customer = (await call('POST', '/customers', { name: 'Robin Fox', email: 'robin@example.com' })).json()
  const res = await call('POST', '/cases', {
    case_type: 'lost_parcel',
    subject: 'Parcel never arrived',
    customer_id: customer.id,
    order_id: order.id,
    shipment_id: shipment.id,
    assignee_id: m.adminUserId,
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { id: string; number: string }
}

async function carrierTemplateId(): Promise<string> {
  const list = (await call('GET', '/message-templates')).json().data as { id: string; purpose: string }[]
  return list.find((t) => t.purpose === 'carrier_inquiry')!.id
}

async function openWithCarrier(caseId: string) {
  const res = await call(
    'POST',
    `/cases/${caseId}/side-conversations`,
    {
      counterparty_kind: 'carrier',
      counterparty_name: 'DHL claims desk',
      to: [{ address: 'Claims@DHL.example', name: 'DHL Claims' }],
      template_id: await carrierTemplateId(),
    },
    'agent',
  )
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as {
    side_conversation: { id: string; status: string }
    message: { id: string; message_id_header: string; text: string }
  }
}

/** The carrier answers: to an address, with headers. */
async function carrierAnswers(o: { to: string; text: string; inReplyTo?: string; messageId: string; auto?: boolean }) {
  const info = await mailer.sendMail({
    from: 'DHL Claims <claims@dhl.example>',
    to: o.to,
    subject: 'Re: Parcel inquiry',
    text: o.text,
    messageId: `<${o.messageId}>`,
    ...(o.inReplyTo ? { inReplyTo: `<${o.inReplyTo}>`, references: [`<${o.inReplyTo}>`] } : {}),
    ...(o.auto ? { headers: { 'Auto-Submitted': 'auto-replied' } } : {}),
  })
  expect(info.response).toMatch(/^250 /)
  await drain()
}

/** A 400 validation_failed, whatever its details say. */
const invalid = (res: { statusCode: number; body: string; json: () => { error: { code: string } } }) => {
  expect(res.statusCode, res.body).toBe(400)
  expect(res.json().error.code).toBe('validation_failed')
}

describe('side conversations', () => {
  it("starts one from the carrier template rendered for the case, sent from the workspace's From with its own reply address", async () => {
    const c = await parcelCase()
    const { side_conversation: side, message } = await openWithCarrier(c.id)
    expect(side).toMatchObject({
      case_id: c.id,
      status: 'open',
      counterparty_kind: 'carrier',
      counterparty_name: 'DHL claims desk',
      participants: [{ address: 'claims@dhl.example', name: 'DHL Claims' }],
      subject: 'Parcel inquiry: JD014600006281230000',
    })
    expect(message).toMatchObject({ visibility: 'side', side_conversation_id: side.id, status: 'queued' })
    for (const fact of ['JD014600006281230000', 'December 3, 2026', 'DHL Paket', '€89.90', `${c.number}, order #4711`])
      expect(message.text).toContain(fact)

    await drain()
    const email = await sentEmail(message.message_id_header)
    const settings = (await call('GET', '/email-settings')).json()
    expect(email.parsed.from?.value[0]?.address).toBe(settings.from_address)
    const replyTo = email.parsed.replyTo!.value[0]!.address!
    expect(replyTo).toBe(sideReplyAddress(ctx.keys.links, m.id, side.id, domain))
    expect(email.mailFrom).toBe(replyTo)
    const parsed = parseSideReplyAddress(replyTo, domain)!
    expect(verifySideReply(ctx.keys.links, m.id, side.id, parsed.token)).toBe(true)

    const [opened] = await events('side_conversation.opened', side.id)
    expect(opened).toEqual({
      side_conversation_id: side.id,
      case_id: c.id,
      counterparty_kind: 'carrier',
      counterparty_name: 'DHL claims desk',
      message_id: message.id,
      template_id: await carrierTemplateId(),
    })
    const timeline = (await call('GET', `/cases/${c.id}/timeline?limit=200`)).json().data as {
      type: string
      visibility: string
      data: Record<string, unknown>
    }[]
    expect(timeline.find((t) => t.type === 'side_conversation')).toMatchObject({
      visibility: 'internal',
      data: { side_conversation_id: side.id, action: 'opened', status: 'open' },
    })
    const audit = await ctx.db
      .selectFrom('audit_entries')
      .select('action')
      .where('merchant_id', '=', m.id)
      .where('entity_id', '=', side.id)
      .execute()
    expect(audit.map((a) => a.action)).toEqual(['side_conversation.opened'])
  })

  it('threads the reply back by its reply address: side, from a contact, answered, the assignee told', async () => {
    const c = await parcelCase()
    const { side_conversation: side } = await openWithCarrier(c.id)
    await carrierAnswers({
      to: sideReplyAddress(ctx.keys.links, m.id, side.id, domain),
      text: 'The parcel is lost. Claim CL-99 is open.',
      messageId: 'dhl-1@dhl.example',
    })
    const thread = await getSide(side.id)
    expect(thread.status).toBe('answered')
    expect(thread.messages.map((x) => [x.direction, x.visibility, (x.author as { type: string }).type])).toEqual([
      ['out', 'side', 'agent'],
      ['in', 'side', 'contact'],
    ])
    const list = (await call('GET', `/cases/${c.id}/side-conversations`)).json()
    expect(list.counts).toEqual({ open: 0, answered: 1, closed: 0 })
    const [answered] = await events('side_conversation.answered', side.id)
    expect(answered).toMatchObject({ message_id: thread.messages[1]!.id, reopened: false })
    const notes = await ctx.db
      .selectFrom('notifications')
      .select(['user_id', 'cause'])
      .where('case_id', '=', c.id)
      .where('cause', '=', 'side_conversation_answered')
      .execute()
    expect(notes).toEqual([{ user_id: m.adminUserId, cause: 'side_conversation_answered' }])
    // An auto-reply is kept in the thread and changes nothing.
    await call('POST', `/side-conversations/${side.id}/messages`, { text: 'Thanks, please send the claim form.' })
    await carrierAnswers({
      to: sideReplyAddress(ctx.keys.links, m.id, side.id, domain),
      text: 'We received your message.',
      messageId: 'dhl-auto@dhl.example',
      auto: true,
    })
    const after = await getSide(side.id)
    expect([after.status, after.messages.length, (after.messages[3]!.author as { type: string }).type]).toEqual([
      'open',
      4,
      'system',
    ])
  })

  it('marks the side email bounced from a DSN to its reply address; the bounce is no answer from the carrier', async () => {
    const c = await parcelCase()
    const { side_conversation: side, message } = await openWithCarrier(c.id)
    await drain()
    // Postfix's DSN (the inbox's fixture), returning our side email to the carrier's desk.
    const dsn = readFileSync(
      new URL('../inbound/fixtures/dsn/postfix-5.1.1-user-unknown.flanker-zed.eml', import.meta.url),
    )
      .toString()
      .replace(/^From [^\n]*\n/, '')
      .replaceAll('asdfasdfasdfasdfasdfasdfewrqertrtyrthsfgdfgadfqeadvxzvz@gmail.com', 'claims@dhl.example')
      .replace('<20090708054735.GC7578@example.com>', `<${message.message_id_header}>`)
      .replace('<20090708054739.270231E8B13@mail.example.com>', '<side-bounce-1@mail.example.com>')
      .replace(/\r?\n/g, '\r\n')
    await mailer.sendMail({
      envelope: { from: '', to: [sideReplyAddress(ctx.keys.links, m.id, side.id, domain)] },
      raw: dsn,
    })
    await drain()
    const bounced = await ctx.db
      .selectFrom('message_recipients')
      .select(['address', 'status'])
      .where('message_id', '=', message.id)
      .execute()
    expect(bounced).toEqual([{ address: 'claims@dhl.example', status: 'bounced' }])
    const thread = await getSide(side.id)
    expect(thread.status).toBe('open')
    expect(thread.messages.find((x) => x.id === message.id)).toMatchObject({ status: 'bounced' })
    expect(await events('side_conversation.answered', side.id)).toEqual([])
  })

  it('threads a reply by In-Reply-To/References when the address is lost, even to the case address', async () => {
    const c = await parcelCase()
    const { side_conversation: side, message } = await openWithCarrier(c.id)
    await carrierAnswers({
      to: `${m.slug}@${domain}`,
      text: 'Forwarded to our investigations team.',
      inReplyTo: message.message_id_header,
      messageId: 'dhl-2@dhl.example',
    })
    await carrierAnswers({
      to: replyAddress(ctx.keys.links, m.id, c.id, domain),
      text: 'Investigation closed: lost in transit.',
      inReplyTo: 'dhl-2@dhl.example',
      messageId: 'dhl-3@dhl.example',
    })
    const thread = await getSide(side.id)
    expect(thread.messages.map((x) => x.message_id_header)).toEqual([
      message.message_id_header,
      'dhl-2@dhl.example',
      'dhl-3@dhl.example',
    ])
    // The customer's conversation holds only the acknowledgement the new case sent them.
    const publicOnes = (await call('GET', `/cases/${c.id}/messages?visibility=public`)).json().data
    expect(publicOnes.map((x: { automatic: boolean; direction: string }) => [x.direction, x.automatic])).toEqual([
      ['out', true],
    ])
  })

  it('moves open → answered → open on an agent reply → closed → answered again on their reply, and reopens', async () => {
    const c = await parcelCase()
    const { side_conversation: side } = await openWithCarrier(c.id)
    const to = sideReplyAddress(ctx.keys.links, m.id, side.id, domain)
    await carrierAnswers({ to, text: 'Which parcel?', messageId: 'dhl-4@dhl.example' })
    expect((await getSide(side.id)).status).toBe('answered')
    const reply = await call(
      'POST',
      `/side-conversations/${side.id}/messages`,
      { text: 'JD014600006281230000' },
      'agent',
    )
    expect(reply.statusCode, reply.body).toBe(201)
    expect(reply.json().side_conversation.status).toBe('open')
    expect(reply.json().message).toMatchObject({
      subject: 'Re: Parcel inquiry: JD014600006281230000',
      to: [{ address: 'claims@dhl.example' }],
    })

    const closed = await call('POST', `/side-conversations/${side.id}/close`, undefined, 'agent')
    expect(closed.json()).toMatchObject({ status: 'closed' })
    expect(closed.json().closed_at).not.toBeNull()
    expect((await call('POST', `/side-conversations/${side.id}/close`)).json().status).toBe('closed')
    expect(await events('side_conversation.closed', side.id)).toHaveLength(1)

    await carrierAnswers({ to, text: 'Found it after all.', messageId: 'dhl-5@dhl.example' })
    const reopenedByThem = await getSide(side.id)
    expect(reopenedByThem).toMatchObject({ status: 'answered', closed_at: null })
    expect((await events('side_conversation.answered', side.id)).map((e) => e.reopened)).toEqual([false, true])

    await call('POST', `/side-conversations/${side.id}/close`)
    const byUs = await call('POST', `/side-conversations/${side.id}/messages`, { text: 'One more thing.' })
    expect(byUs.json().side_conversation.status).toBe('open')
    await call('POST', `/side-conversations/${side.id}/close`)
    const reopened = await call('POST', `/side-conversations/${side.id}/reopen`)
    expect(reopened.json()).toMatchObject({ status: 'open', closed_at: null })
    expect(await events('side_conversation.reopened', side.id)).toHaveLength(2)
  })

  it('never shows the customer a side conversation: not on the portal, not in a reply to them or its threading', async () => {
    const c = await parcelCase()
    const { side_conversation: side, message } = await openWithCarrier(c.id)
    await carrierAnswers({
      to: sideReplyAddress(ctx.keys.links, m.id, side.id, domain),
      text: 'SECRET-CARRIER-WORDS: our driver left it at the depot.',
      messageId: 'dhl-6@dhl.example',
    })
    const publicReply = await call('POST', `/cases/${c.id}/messages`, { text: 'We are on it, Robin.' })
    expect(publicReply.statusCode, publicReply.body).toBe(201)
    await drain()

    const email = await sentEmail(publicReply.json().message_id_header)
    expect(email.parsed.to).toMatchObject({ value: [{ address: 'robin@example.com' }] })
    expect(email.raw).not.toContain('SECRET-CARRIER-WORDS')
    expect(email.raw).not.toContain('Parcel inquiry')
    expect(email.raw).not.toContain('dhl-6@dhl.example')
    expect(email.raw).not.toContain(message.message_id_header)
    // It answers the newest message of the customer's own thread (the acknowledgement), not the carrier's newer one.
    const ack = (await call('GET', `/cases/${c.id}/messages?visibility=public`)).json().data[0]
    expect(ack.automatic).toBe(true)
    expect(email.parsed.inReplyTo).toBe(`<${ack.message_id_header}>`)
    expect(email.parsed.replyTo?.value[0]?.address).toBe(replyAddress(ctx.keys.links, m.id, c.id, domain))

    const token = ((await call('POST', `/cases/${c.id}/portal-links`, {})).json().url as string).split('/portal/')[1]!
    const portal = await call('GET', `/portal/${token}/conversation`, undefined, {})
    expect(portal.statusCode).toBe(200)
    // (The acknowledgement is held here: its portal link fails link QA without PUBLIC_URL on https.)
    expect(portal.json().data.map((x: { text: string }) => x.text)).toEqual(['We are on it, Robin.'])
    expect(portal.body).not.toContain('SECRET-CARRIER-WORDS')
    // The customer's answer to our reply stays in their conversation.
    const publicHeader = publicReply.json().message_id_header
    await mailer.sendMail({
      from: 'robin@example.com',
      to: replyAddress(ctx.keys.links, m.id, c.id, domain),
      subject: 'Re: Parcel never arrived',
      text: 'Thanks!',
      messageId: '<robin-1@example.com>',
      inReplyTo: `<${publicHeader}>`,
      references: [`<${publicHeader}>`],
    })
    await drain()
    const publicOnes = (await call('GET', `/cases/${c.id}/messages?visibility=public`)).json().data
    expect(
      publicOnes.map((x: { text: string; side_conversation_id: null }) => [x.text.trim(), x.side_conversation_id]),
    ).toEqual([
      [ack.text.trim(), null],
      ['We are on it, Robin.', null],
      ['Thanks!', null],
    ])
    expect((await getSide(side.id)).messages).toHaveLength(2)
  })

  it('makes a side email of POST /cases/{id}/messages a side conversation of its own', async () => {
    const c = await parcelCase()
    const res = await call('POST', `/cases/${c.id}/messages`, {
      visibility: 'side',
      to: [{ address: 'ops@3pl.example' }],
      text: 'Did the return reach you?',
    })
    expect(res.statusCode, res.body).toBe(201)
    const sideId = res.json().side_conversation_id as string
    expect(await getSide(sideId)).toMatchObject({
      counterparty_kind: 'other',
      subject: `Parcel never arrived [CD-${c.number.replace(/^CD-/, '')}]`,
      status: 'open',
    })
    expectError(
      await call('POST', `/cases/${c.id}/messages`, { visibility: 'side', text: 'No one to send to' }),
      422,
      'recipient_required',
      { fields: ['to'] },
    )
  })

  it("answers 404 for another workspace's side conversation and its case", async () => {
    const c = await parcelCase()
    const { side_conversation: side } = await openWithCarrier(c.id)
    const key = { authorization: `Bearer ${other!.keys.admin}` }
    const as = (method: 'GET' | 'POST', url: string, body?: unknown) => call(method, url, body, key)
    const notFound = { side_conversation_id: side.id }
    expectError(await as('GET', `/side-conversations/${side.id}`), 404, 'side_conversation_not_found', notFound)
    expectError(
      await as('POST', `/side-conversations/${side.id}/messages`, { text: 'x' }),
      404,
      'side_conversation_not_found',
      notFound,
    )
    expectError(await as('POST', `/side-conversations/${side.id}/close`), 404, 'side_conversation_not_found', notFound)
    expectError(await as('POST', `/side-conversations/${side.id}/reopen`), 404, 'side_conversation_not_found', notFound)
    expectError(await as('GET', `/cases/${c.id}/side-conversations`), 404, 'case_not_found', { case_id: c.id })
    const open = { counterparty_kind: 'carrier', to: [{ address: 'a@b.example' }], text: 'x' }
    expectError(await as('POST', `/cases/${c.id}/side-conversations`, open), 404, 'case_not_found', { case_id: c.id })
    // Their key never verifies our address either: a forged token for another workspace is refused at RCPT.
    const forged = sideReplyAddress(ctx.keys.links, other!.id, side.id, domain)
    await expect(mailer.sendMail({ from: 'x@y.example', to: forged, text: 'x' })).rejects.toThrow(/550/)
  })

  it('refuses bad input with a 4xx and writes nothing', async () => {
    const c = await parcelCase()
    const url = `/cases/${c.id}/side-conversations`
    const base = { counterparty_kind: 'carrier', to: [{ address: 'claims@dhl.example' }] }
    expectError(
      await call('POST', url, { ...base, template_id: '0190a000-0000-7000-8000-000000000000' }),
      404,
      'template_not_found',
      { template_id: '0190a000-0000-7000-8000-000000000000' },
    )
    invalid(await call('POST', url, { ...base, to: [], text: 'x' }))
    invalid(await call('POST', url, { ...base, to: [{ address: 'not an address' }], text: 'x' }))
    invalid(await call('POST', url, { ...base, text: 'nul \u0000 here' }))
    invalid(await call('POST', url, { ...base, subject: 'a\u0000b', text: 'x' }))
    invalid(await call('POST', url, base))
    invalid(await call('POST', url, { ...base, counterparty_kind: 'courier', text: 'x' }))
    invalid(await call('POST', url, { ...base, subject: 'two\r\nlines', text: 'x' }))
    expectError(
      await call('POST', '/cases/0190a000-0000-7000-8000-000000000000/side-conversations', { ...base, text: 'x' }),
      404,
      'case_not_found',
      { case_id: '0190a000-0000-7000-8000-000000000000' },
    )
    expect((await call('GET', `/cases/${c.id}/side-conversations`)).json()).toEqual({
      data: [],
      counts: { open: 0, answered: 0, closed: 0 },
    })
    const { side_conversation: side } = await openWithCarrier(c.id)
    const reply = `/side-conversations/${side.id}/messages`
    invalid(await call('POST', reply, { text: '' }))
    invalid(await call('POST', reply, { text: 'x\u0000' }))
    invalid(await call('POST', reply, { text: 'x', to: [] }))
    invalid(await call('GET', '/side-conversations/not-a-uuid'))
    expect((await getSide(side.id)).messages).toHaveLength(1)
  })
})
