import nodemailer from 'nodemailer'
import { afterAll, describe, expect, it } from 'vitest'
import { expectError, startTestApp } from '../../test/harness.js'
import { runDueJobs } from '../../test/jobs.js'
import { verifyChain } from '../audit/verify.js'
import { systemContext } from '../auth/actor.js'
import { loadConfig } from '../config.js'
import { modules } from '../registry.js'
import { replyAddress } from './email/reply-address.js'
import { startSmtpSink } from './email/testing/smtp-sink.js'
import { startInboundSmtp } from './inbound/smtp.js'
import { redactCustomerMessages, redactedAddress } from './redact/service.js'
import { recordMessage } from './service.js'

// A customer's erasure (DELETE /customers/:id, as Shopify's customers/redact does it) reaching their email: real
// SMTP both ways (the listener in, a local sink out), real PostgreSQL, the consumer run by the worker.

const sink = await startSmtpSink()
afterAll(() => sink.close())
const domain = 'in.redact.test'
const { env, m, other, call } = await startTestApp({
  config: { smtpUrl: sink.url, email: { ...loadConfig({}).email, inboundDomain: domain } },
  other: true,
})
const { ctx } = env
const smtp = await startInboundSmtp(ctx, { port: 0, host: '127.0.0.1' })
afterAll(() => smtp.close())
const mailer = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, ignoreTLS: true })
afterAll(() => mailer.close())
const drain = () => runDueJobs(ctx, modules)

const jane = 'jane.doe@customer.example'
const photo = Buffer.from('\xff\xd8\xff\xe0 a photo of the broken teapot', 'latin1')

const messagesOf = (merchantId: string) =>
  ctx.db.selectFrom('messages').selectAll().where('merchant_id', '=', merchantId).orderBy('id').execute()
const rowsOf = async (merchantId: string, table: 'message_recipients' | 'message_attachments' | 'case_timeline') =>
  ctx.db.selectFrom(table).selectAll().where('merchant_id', '=', merchantId).execute()
const search = async (q: string) =>
  ((await call('GET', `/cases?q=${encodeURIComponent(q)}`)).json().data as { id: string }[]).map((c) => c.id)
const auditCount = async () =>
  Number(
    (
      await ctx.db
        .selectFrom('audit_entries')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('merchant_id', '=', m.id)
        .executeTakeFirstOrThrow()
    ).n,
  )

describe("a customer's erasure", () => {
  it('erases their messages, raw copies, files and words, and keeps the case, notes and side conversations', async () => {
    // Jane writes in (a new case, her customer record made from her address), with a photo.
    await mailer.sendMail({
      from: `Jane Doe <${jane}>`,
      to: `${m.slug}@${domain}`,
      // The case opened from it takes this subject as its title, which stays (the case's, not the message's).
      subject: 'Damaged delivery',
      text: 'My porcelain teapot arrived shattered. Call me on 07700 900123.',
      messageId: '<m-1@mail.customer.example>',
      attachments: [{ filename: 'jane-teapot.jpg', content: photo, contentType: 'image/jpeg' }],
    })
    // The same person writes to another workspace: its messages are not this erasure's.
    await mailer.sendMail({
      from: jane,
      to: `${other.slug}@${domain}`,
      subject: 'Another teapot',
      text: 'My porcelain teapot for the other shop.',
      messageId: '<m-other@mail.customer.example>',
    })
    await drain()
    const [first] = await messagesOf(m.id)
    const caseId = first!.case_id
    const kase = (await call('GET', `/cases/${caseId}`)).json()
    expect(kase.customer_id).toBeTruthy()
    expect((await call('POST', `/cases/${caseId}/assign`, { assignee_id: m.adminUserId })).statusCode).toBe(200)

    // An agent answers (sent through the sink, its .eml kept), waits for her, and writes to the carrier on the side,
    // copying her; and notes something for the team.
    const reply = await call('POST', `/cases/${caseId}/messages`, {
      text: 'Sorry about the porcelain teapot: a replacement is on its way.',
      set_waiting: true,
    })
    expect(reply.statusCode, reply.body).toBe(201)
    const side = await call('POST', `/cases/${caseId}/messages`, {
      visibility: 'side',
      to: [{ address: 'claims@carrier.example', name: 'Carrier claims' }],
      cc: [{ address: jane }],
      subject: 'Crate damaged in transit',
      text: `Please trace the crate; the customer (${jane.toUpperCase()}) reported it.`,
    })
    expect(side.statusCode, side.body).toBe(201)
    expect(
      (await call('POST', `/cases/${caseId}/notes`, { body: 'Phoned the depot about the lantern.' })).statusCode,
    ).toBe(201)
    await drain()
    // She answers by email while the case waits: her assignee is notified with her words.
    await mailer.sendMail({
      from: jane,
      to: replyAddress(ctx.keys.links, m.id, caseId, domain),
      subject: 'Re: Damaged delivery',
      text: 'Thanks! The teapot lid was cracked too.',
      messageId: '<m-2@mail.customer.example>',
    })
    await drain()

    // A duplicate case without her as its customer, merged into hers: her email on it goes, a stranger's stays.
    const duplicate = (await call('POST', '/cases', { case_type: 'other', subject: 'Chipped' })).json().id as string
    const onDuplicate = (from: string, text: string) =>
      ctx.db.transaction().execute((trx) =>
        recordMessage(
          trx,
          systemContext(m.id, 'test'),
          {
            caseId: duplicate,
            direction: 'in',
            channel: 'email',
            visibility: 'public',
            status: 'received',
            authorType: 'contact',
            from: { address: from },
            to: [{ address: `${m.slug}@${domain}` }],
            cc: [],
            subject: 'Chipped',
            text,
          },
          new Date(),
        ),
      )
    const hers = await onDuplicate(jane.toUpperCase(), 'The teapot spout is chipped.')
    const bobs = await onDuplicate('bob@elsewhere.example', 'My kettle is fine.')
    expect((await call('POST', `/cases/${caseId}/merge`, { duplicate_ids: [duplicate] })).statusCode).toBe(200)
    await drain()

    const before = await messagesOf(m.id)
    const inbound = before.filter((r) => r.direction === 'in' && r.case_id === caseId)
    expect(inbound).toHaveLength(2)
    const sent = before.find((r) => r.id === reply.json().id)!
    expect(sent).toMatchObject({ status: 'sent', raw_in_db: true })
    const [attachment] = (await rowsOf(m.id, 'message_attachments')).filter((a) => a.message_id === first!.id)
    expect(attachment!.blob_key).toBeTruthy()
    expect(await ctx.blobs.stat(attachment!.blob_key!)).toBeDefined()
    expect(await search('porcelain')).toEqual([caseId])
    const notified = await ctx.db.selectFrom('notifications').select('body').where('merchant_id', '=', m.id).execute()
    expect(JSON.stringify(notified)).toContain('The teapot lid was cracked too.')
    const auditBefore = await auditCount()
    const caseBefore = (await call('GET', `/cases/${caseId}`)).json()

    expect((await call('DELETE', `/customers/${kase.customer_id}`)).statusCode).toBe(200)
    await drain()

    const after = await messagesOf(m.id)
    expect(after.find((r) => r.id === bobs.id)).toMatchObject({ text_body: 'My kettle is fine.', redacted_at: null })
    expect(after.find((r) => r.id === hers.id)).toMatchObject({
      text_body: '[redacted]',
      from_address: redactedAddress,
    })
    const conversation = after.filter((r) => r.visibility === 'public' && r.case_id === caseId)
    // Jane's two emails, the acknowledgement and the reply: all redacted, their ids, statuses and dates kept.
    expect(conversation).toHaveLength(4)
    for (const r of conversation) {
      const was = before.find((b) => b.id === r.id)!
      expect(r).toMatchObject({
        subject: '[redacted]',
        text_body: '[redacted]',
        html_body: null,
        reply_text: null,
        quoted_text: null,
        raw_blob_key: null,
        raw_in_db: false,
        case_id: was.case_id,
        // A message not yet out (the acknowledgement, held here by link QA) will never go out now.
        status: was.status === 'held' || was.status === 'queued' ? 'not_sent' : was.status,
        created_at: was.created_at,
        message_id_header: was.message_id_header,
      })
      expect(r.redacted_at).toBeInstanceOf(Date)
      // Ids stay (Message-IDs among them: threading and dedup rely on them), so the test's name none after her.
      expect(JSON.stringify(r)).not.toMatch(/jane|teapot|07700/i)
    }
    expect(after.find((r) => r.id === first!.id)).toMatchObject({ from_address: redactedAddress, from_name: null })
    expect(after.find((r) => r.id === sent.id)!.to_addresses).toEqual([{ address: redactedAddress }])

    // The raw copies: the sent .eml's row, the inbox deliveries' bodies; the photo's file.
    expect(await ctx.db.selectFrom('message_raw_emails').selectAll().where('merchant_id', '=', m.id).execute()).toEqual(
      [],
    )
    const deliveries = await ctx.db
      .selectFrom('webhook_deliveries')
      .select(['id', 'body', 'headers', 'status'])
      .where(
        'id',
        'in',
        inbound.map((r) => r.inbox_delivery_id!),
      )
      .execute()
    expect(deliveries).toHaveLength(2)
    for (const d of deliveries) expect([d.body.length, d.headers, d.status]).toEqual([0, {}, 'processed'])
    expect(await ctx.blobs.stat(attachment!.blob_key!)).toBeUndefined()
    const [gone] = (await rowsOf(m.id, 'message_attachments')).filter((a) => a.message_id === first!.id)
    expect(gone).toMatchObject({ blob_key: null, file_name: 'redacted', content_type: 'image/jpeg' })
    const raw = await call('GET', `/messages/${first!.id}/raw`)
    expectError(raw, 410, 'message_redacted', { message_id: first!.id, redacted_at: expect.any(String) })
    expectError(await call('POST', `/messages/${sent.id}/retry`), 409, 'message_not_retryable', {
      message_id: sent.id,
      status: 'sent',
    })
    const view = (await call('GET', `/messages/${first!.id}`)).json()
    expect(view).toMatchObject({ has_raw: false, text: '[redacted]', attachments: [{ stored: false }] })
    expect(view.redacted_at).toEqual(expect.any(String))

    // Recipients, timeline entries, the notification and search no longer hold her words or address.
    const recipients = await rowsOf(m.id, 'message_recipients')
    expect(JSON.stringify(recipients)).not.toMatch(/jane/i)
    expect(recipients.map((r) => r.address)).toContain('claims@carrier.example')
    const timeline = await rowsOf(m.id, 'case_timeline')
    expect(JSON.stringify(timeline)).not.toMatch(/jane|teapot|07700/i)
    const notes = await ctx.db.selectFrom('notifications').select('body').where('merchant_id', '=', m.id).execute()
    expect(JSON.stringify(notes)).not.toMatch(/teapot/i)
    expect(await search('porcelain')).toEqual([])
    expect(await search('teapot')).toEqual([])
    expect(await search('lantern')).toEqual([caseId])
    expect(await search('crate')).toEqual([caseId])
    const listed = (await call('GET', `/cases/${caseId}/messages?visibility=public`)).json().data
    expect(JSON.stringify(listed)).not.toMatch(/jane|teapot/i)

    // The side conversation keeps its text and the carrier; her address is a placeholder, its .eml gone.
    const sideRow = after.find((r) => r.id === side.json().id)!
    expect(sideRow).toMatchObject({
      redacted_at: null,
      subject: 'Crate damaged in transit',
      text_body: `Please trace the crate; the customer (${redactedAddress}) reported it.`,
      to_addresses: [{ address: 'claims@carrier.example', name: 'Carrier claims' }],
      cc_addresses: [{ address: redactedAddress }],
      raw_in_db: false,
    })
    // The note stays as written.
    expect(timeline.find((t) => t.type === 'note')?.text).toBe('Phoned the depot about the lantern.')
    // The case stays, with its status and dates.
    const { status, number, created_at, customer_id } = caseBefore
    expect((await call('GET', `/cases/${caseId}`)).json()).toMatchObject({ status, number, created_at, customer_id })

    // The audit chain gained entries and was edited nowhere.
    expect(await auditCount()).toBeGreaterThan(auditBefore)
    await drain()
    expect(await verifyChain(ctx.db, m.id)).toMatchObject({ ok: true })

    // The other workspace's messages from the same address are whole.
    const theirs = (await messagesOf(other.id)).filter((r) => r.direction === 'in')
    expect(theirs.map((r) => [r.from_address, r.text_body, r.redacted_at])).toEqual([
      [jane, 'My porcelain teapot for the other shop.\n', null],
    ])
  })

  it('changes nothing more on a second erasure or a redelivered event, and leaves mail she sends afterwards', async () => {
    const [first] = await messagesOf(m.id)
    const caseId = first!.case_id
    const customerId = (await call('GET', `/cases/${caseId}`)).json().customer_id as string
    // She writes again after the erasure: new data, which stays.
    await mailer.sendMail({
      from: jane,
      to: replyAddress(ctx.keys.links, m.id, caseId, domain),
      subject: 'One more thing',
      text: 'The saucer is fine.',
      messageId: '<m-3@mail.customer.example>',
    })
    await drain()
    const snapshot = {
      messages: await messagesOf(m.id),
      recipients: await rowsOf(m.id, 'message_recipients'),
      attachments: await rowsOf(m.id, 'message_attachments'),
      timeline: await rowsOf(m.id, 'case_timeline'),
    }
    // A replayed erased delivery has nothing left to record.
    const erased = (await messagesOf(m.id)).find((r) => r.redacted_at && r.inbox_delivery_id)!.inbox_delivery_id!
    expect((await call('POST', `/webhooks/deliveries/${erased}/replay`)).statusCode).toBe(200)
    await drain()
    const replayed = await ctx.db
      .selectFrom('webhook_deliveries')
      .select('status')
      .where('id', '=', erased)
      .executeTakeFirstOrThrow()
    expect(replayed.status).toBe('ignored')
    const audit = await auditCount()
    expect(snapshot.messages.find((r) => r.message_id_header === 'm-3@mail.customer.example')).toMatchObject({
      text_body: 'The saucer is fine.\n',
      from_address: jane,
      redacted_at: null,
    })

    expect((await call('DELETE', `/customers/${customerId}`)).statusCode).toBe(200)
    expect(await redactCustomerMessages(ctx, m.id, customerId, new Date())).toEqual({ redacted: 0, scrubbed: 0 })
    await drain()
    expect({
      messages: await messagesOf(m.id),
      recipients: await rowsOf(m.id, 'message_recipients'),
      attachments: await rowsOf(m.id, 'message_attachments'),
      timeline: await rowsOf(m.id, 'case_timeline'),
    }).toEqual(snapshot)
    expect(await auditCount()).toBe(audit)
  })
})
