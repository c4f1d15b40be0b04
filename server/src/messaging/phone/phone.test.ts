import type { Transaction } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { systemContext } from '../../auth/actor.js'
import { createDb, createPool } from '../../db/database.js'
import type { Database } from '../../db/schema.js'
import { expectError, startTestApp } from '../../../test/harness.js'
import { sendDueEmails } from '../email/send-email.js'
import { fakeConnection, startFakeTwilio, twilioErrors } from '../twilio/testing/fake-twilio.js'
import { sendAutomatic } from './automatic.js'
import { sendDuePhoneMessages } from './send-phone.js'
import { phoneInterruptedReason, recordPhoneMessage } from './send-phone-message.js'
import { updatePhoneSettings } from './settings.js'
import { customerWroteOnWhatsapp, phoneCases } from './testing.js'

// SMS and WhatsApp out, end to end on a real database against the fake Twilio over HTTP: the API, consent and
// opt-out, quiet hours, the WhatsApp window, the send drain's discipline and the per-sender rate limit.

const fake = await startFakeTwilio({ callbacks: false })
afterAll(() => fake.close())
// Portal links pass link QA only over https.
const { env, m, call } = await startTestApp({
  config: { smtpUrl: 'smtp://127.0.0.1:9', publicUrl: 'https://desk.shop.example' },
})
const { ctx } = env
const sys = systemContext(m.id)
const tx = <T>(fn: (trx: Transaction<Database>) => Promise<T>) => ctx.db.transaction().execute(fn)
const sender = '+14155550100'
const waSender = '+14155550111'

const conn = await call(
  'POST',
  '/integrations/connections',
  fakeConnection(fake, [
    { address: sender, channels: ['sms'], per_second: 50 },
    { address: waSender, channels: ['whatsapp'] },
  ]),
)
expect(conn.statusCode, conn.body).toBe(201)
await tx((trx) => updatePhoneSettings(trx, sys, { quiet_hours: { enabled: false } }, new Date()))

const phoneCase = phoneCases(ctx.db, m.id, '+4477009')
const message = (id: string) => ctx.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
const drain = (now?: Date) => sendDuePhoneMessages(ctx, 200, { now })
const requestsTo = (to: string) => fake.requests.filter((r) => r.form.To === to)

describe('sending an SMS', () => {
  it('queues it through the API with its segments, and the drain sends it once, recording the SID', async () => {
    const { caseId, phone } = await phoneCase()
    const res = await call(
      'POST',
      `/cases/${caseId}/messages`,
      { channel: 'sms', text: 'Your parcel is at customs' },
      'agent',
    )
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json()).toMatchObject({
      channel: 'sms',
      status: 'queued',
      to: [{ address: phone }],
      from: { address: sender },
      sms_segments: 1,
      sms_encoding: 'GSM-7',
    })
    await drain()
    await drain()
    const reqs = requestsTo(phone)
    expect(reqs).toHaveLength(1)
    expect(reqs[0]!.form).toMatchObject({ From: sender, Body: 'Your parcel is at customs' })
    expect(reqs[0]!.form.StatusCallback).toBe(
      `${ctx.config.publicUrl}/webhooks/messaging/twilio/${conn.json().connection.id}`,
    )
    expect(await message(res.json().id)).toMatchObject({
      status: 'sent',
      provider: 'twilio',
      provider_message_id: reqs[0]!.sid,
      attempts: 1,
    })
    const sent = await ctx.db.selectFrom('outbox').select('type').where('subject_id', '=', res.json().id).execute()
    expect(sent.map((e) => e.type)).toEqual(['message.sent'])
  })

  it('is never claimed by the email drain, and the phone drain never claims an email', async () => {
    const { caseId, phone } = await phoneCase({ email: 'jane@customer.example' })
    const sms = (await call('POST', `/cases/${caseId}/messages`, { channel: 'sms', text: 'Hi' })).json()
    const email = (await call('POST', `/cases/${caseId}/messages`, { text: 'Hi by email' })).json()
    await sendDueEmails(ctx, 100) // its mail server refuses: the email goes back to queued after one attempt
    expect(await message(sms.id)).toMatchObject({ status: 'queued', attempts: 0, send_key: null })
    expect((await message(email.id)).attempts).toBe(1)
    await ctx.db.updateTable('messages').set({ next_attempt_at: null }).where('id', '=', email.id).execute()
    await drain()
    expect(await message(email.id)).toMatchObject({ status: 'queued', attempts: 1 })
    expect((await message(sms.id)).status).toBe('sent')
    expect(requestsTo(phone)).toHaveLength(1)
  })

  it('retries after Twilio throttles (20429), then sends', async () => {
    const { caseId, phone } = await phoneCase()
    const { id } = (await call('POST', `/cases/${caseId}/messages`, { channel: 'sms', text: 'Retry me' })).json()
    fake.failNext(twilioErrors.throttled)
    await drain()
    const waiting = await message(id)
    expect(waiting).toMatchObject({ status: 'queued', attempts: 1 })
    expect(waiting.status_reason).toContain('20429')
    expect(waiting.next_attempt_at!.getTime()).toBeGreaterThan(Date.now())
    await drain() // not due yet
    expect(requestsTo(phone)).toHaveLength(1)
    await ctx.db.updateTable('messages').set({ next_attempt_at: new Date() }).where('id', '=', id).execute()
    await drain()
    expect(await message(id)).toMatchObject({ status: 'sent', attempts: 2 })
    expect(requestsTo(phone)).toHaveLength(2)
  })

  it('fails on 21610 and marks the customer opted out of SMS (audited); the API then refuses, automation holds', async () => {
    const { caseId, customerId, phone } = await phoneCase()
    fake.unsubscribe(phone)
    const { id } = (await call('POST', `/cases/${caseId}/messages`, { channel: 'sms', text: 'Hello?' })).json()
    await drain()
    const failed = await message(id)
    expect(failed.status).toBe('failed')
    expect(failed.status_reason).toContain('21610')
    const customer = await ctx.db
      .selectFrom('customers')
      .selectAll()
      .where('id', '=', customerId)
      .executeTakeFirstOrThrow()
    expect(customer.sms_opted_out_at).toBeInstanceOf(Date)
    const audit = await ctx.db
      .selectFrom('audit_entries')
      .select('action')
      .where('entity_id', '=', customerId)
      .execute()
    expect(audit.map((a) => a.action)).toContain('customer.updated')

    const refused = await call('POST', `/cases/${caseId}/messages`, { channel: 'sms', text: 'Again' })
    expectError(refused, 409, 'recipient_opted_out', {
      channel: 'sms',
      customer_id: customerId,
      opted_out_at: customer.sms_opted_out_at!.toISOString(),
    })
    const held = await tx((trx) =>
      recordPhoneMessage(trx, sys, caseId, { channel: 'sms', text: 'Auto' }, { automatic: true, app: ctx }, new Date()),
    )
    expect(held.status).toBe('held')
    expect(held.status_reason).toContain('opted out of sms')
    await drain()
    expect(requestsTo(phone)).toHaveLength(1)
  })

  it('fails a message a dead sender left sending as interrupted, and never sends it again', async () => {
    const { caseId, phone } = await phoneCase()
    const { id } = (await call('POST', `/cases/${caseId}/messages`, { channel: 'sms', text: 'Once only' })).json()
    // A run that marked it sending and died: its key's advisory lock is held by nobody.
    await ctx.db
      .updateTable('messages')
      .set({ status: 'sending', send_key: 424242, attempts: 1 })
      .where('id', '=', id)
      .execute()
    await drain()
    expect(await message(id)).toMatchObject({ status: 'failed', status_reason: phoneInterruptedReason })
    expect(requestsTo(phone)).toHaveLength(0)
  })
})

describe('bad input', () => {
  it('answers 4xx, never 500, and writes nothing', async () => {
    const { caseId } = await phoneCase()
    const before = await ctx.db.selectFrom('messages').select('id').where('case_id', '=', caseId).execute()
    const post = (body: unknown) => call('POST', `/cases/${caseId}/messages`, body)
    expect((await post({ channel: 'sms', text: 'a\u0000b' })).statusCode).toBe(400)
    expect((await post({ channel: 'pigeon', text: 'Hi' })).statusCode).toBe(400)
    expectError(await post({ channel: 'sms', text: 'Hi', phone: '12345 67' }), 422, 'phone_invalid', {
      phone: '12345 67',
    })
    expect((await post({ channel: 'sms', text: 'x'.repeat(1601) })).json().error).toMatchObject({
      code: 'validation_failed',
      details: { errors: [{ path: 'body/text' }] },
    })
    expect((await post({ channel: 'sms', text: 'Hi', subject: 'No' })).json().error.code).toBe('phone_channel_invalid')
    expect((await post({ text: 'Hi', urgent: true })).json().error.code).toBe('phone_channel_invalid')
    expect((await post({ channel: 'sms', text: 'Hi', content_sid: `HX${'a'.repeat(32)}` })).statusCode).toBe(422)
    expect((await post({ channel: 'whatsapp', text: 'Hi', content_sid: 'HXnope' })).statusCode).toBe(400)
    expect(await ctx.db.selectFrom('messages').select('id').where('case_id', '=', caseId).execute()).toEqual(before)
  })
})

describe('quiet hours', () => {
  it('defers a non-urgent SMS to their end in the customer zone, sends it then, and lets an urgent one through', async () => {
    const { caseId, phone } = await phoneCase({ timeZone: 'America/New_York' })
    await tx((trx) => updatePhoneSettings(trx, sys, { quiet_hours: { enabled: true } }, new Date()))
    try {
      // 23:00 in New York, a year ahead (nothing real is due then).
      const late = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 0, 15, 4, 0))
      const msg = await tx((trx) =>
        recordPhoneMessage(trx, sys, caseId, { channel: 'sms', text: 'Night' }, { automatic: false, app: ctx }, late),
      )
      const morning = new Date(late.getTime() + 9 * 3600_000) // 08:00 in New York
      expect(msg).toMatchObject({ status: 'queued', deliver_after: morning })
      expect(msg.status_reason).toBe(`scheduled for ${morning.toISOString()} (quiet hours in America/New_York)`)
      const urgent = await tx((trx) =>
        recordPhoneMessage(
          trx,
          sys,
          caseId,
          { channel: 'sms', text: 'Now', urgent: true },
          { automatic: false, app: ctx },
          late,
        ),
      )
      expect(urgent.deliver_after).toEqual(late)
      await drain(new Date(morning.getTime() - 60_000))
      expect(requestsTo(phone).map((r) => r.form.Body)).toEqual(['Now'])
      await drain(morning)
      expect(requestsTo(phone).map((r) => r.form.Body)).toEqual(['Now', 'Night'])
      expect((await message(msg.id)).status).toBe('sent')
    } finally {
      await tx((trx) => updatePhoneSettings(trx, sys, { quiet_hours: { enabled: false } }, new Date()))
    }
  })
})

describe("WhatsApp's 24-hour window", () => {
  it('refuses free text outside it, takes an approved template, and free text once the customer wrote', async () => {
    const { caseId, phone } = await phoneCase()
    const post = (body: object) => call('POST', `/cases/${caseId}/messages`, { channel: 'whatsapp', ...body })
    expectError(await post({ text: 'Hello' }), 409, 'whatsapp_window_closed', {
      closed_at: null,
      templates_allowed: true,
    })
    const state = (await call('GET', `/cases/${caseId}/phone-channels`, undefined, 'agent')).json()
    expect(state.whatsapp).toMatchObject({ can_send: false, window_open_until: null })
    expect(state.sms).toMatchObject({ can_send: true, consent: true })
    const sid = `HX${'c'.repeat(32)}`
    const template = await post({ text: 'Case update', content_sid: sid, content_variables: { '1': 'CD-1' } })
    expect(template.statusCode, template.body).toBe(201)
    const wroteAt = new Date()
    await customerWroteOnWhatsapp(ctx.db, sys, { caseId, phone }, waSender, wroteAt)
    expect((await post({ text: 'On its way' })).statusCode).toBe(201)
    await drain()
    const sent = requestsTo(`whatsapp:${phone}`)
    expect(sent.map((r) => [r.form.From, r.form.ContentSid, r.form.Body])).toEqual([
      [`whatsapp:${waSender}`, sid, undefined],
      [`whatsapp:${waSender}`, undefined, 'On its way'],
    ])
    const open = (await call('GET', `/cases/${caseId}/phone-channels`)).json()
    expect(new Date(open.whatsapp.window_open_until).getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000)
    expect(open.whatsapp.can_send).toBe(true)
  })
})

describe('automatic messages', () => {
  it("go by the first consented channel that can go, in the workspace's order", async () => {
    const both = await phoneCase({ email: 'a@customer.example' })
    // WhatsApp first, but its window is closed and its template has no content SID: SMS.
    const first = await tx((trx) => sendAutomatic(trx, sys, both.caseId, 'update', new Date(), { app: ctx }))
    expect(first.map((r) => ('message' in r ? [r.channel, r.message.status] : [r.channel, r.skipped]))).toEqual([
      ['whatsapp', "outside WhatsApp's 24-hour window and no approved template"],
      ['sms', 'queued'],
    ])
    const smsOnly = await phoneCase({ sms: false, whatsapp: false, email: 'b@customer.example' })
    await tx((trx) => updatePhoneSettings(trx, sys, { channel_order: ['sms', 'email'] }, new Date()))
    try {
      const second = await tx((trx) => sendAutomatic(trx, sys, smsOnly.caseId, 'update', new Date(), { app: ctx }))
      expect(second.map((r) => r.channel)).toEqual(['sms', 'email'])
      expect('message' in second[1]! && second[1].message.channel).toBe('email')
    } finally {
      await tx((trx) => updatePhoneSettings(trx, sys, { channel_order: ['whatsapp', 'sms', 'email'] }, new Date()))
    }
  })

  it("carry a link the caller made (the CSAT survey's) in the channel's own variant, and mint no portal link", async () => {
    const { caseId, phone } = await phoneCase({ whatsapp: false })
    const survey = 'https://desk.shop.example/survey/abc.def'
    const sent = await tx((trx) =>
      sendAutomatic(trx, sys, caseId, 'csat_survey', new Date(), { app: ctx, links: { survey }, messageKey: 'csat.x' }),
    )
    expect(sent.at(-1)).toMatchObject({ channel: 'sms', message: { status: 'queued' } })
    await drain()
    const [req] = requestsTo(phone)
    expect(req!.form.Body).toContain(survey)
    expect(req!.form.Body).not.toContain('/portal/')
    // Once per key: a repeat finds it sent.
    const again = await tx((trx) =>
      sendAutomatic(trx, sys, caseId, 'csat_survey', new Date(), { app: ctx, links: { survey }, messageKey: 'csat.x' }),
    )
    expect(again.at(-1)).toEqual({ channel: 'sms', skipped: 'sent already' })
  })

  it("go by WhatsApp outside the window as the variant's approved content template, its variables rendered", async () => {
    const { caseId, phone } = await phoneCase()
    const list = (await call('GET', '/message-templates?purpose=resolution&channel=whatsapp')).json().data
    const sid = `HX${'d'.repeat(32)}`
    expect((await call('PATCH', `/message-templates/${list[0].id}`, { content_sid: sid })).json()).toMatchObject({
      content_sid: sid,
      content_variables: { '1': '{{ case.number }}', '2': '{{ links.portal }}' },
    })
    for (const bad of ['HX123', `MG${'d'.repeat(32)}`, `HX${'g'.repeat(32)}`, `HX${'d'.repeat(33)}`])
      expectError(
        await call('PATCH', `/message-templates/${list[0].id}`, { content_sid: bad }),
        400,
        'validation_failed',
        {
          errors: [{ path: 'body/content_sid', message: 'a Content SID: HX and 32 hexadecimal characters' }],
        },
      )
    const sms = (await call('GET', '/message-templates?purpose=resolution&channel=sms')).json().data[0]
    expectError(
      await call('PATCH', `/message-templates/${sms.id}`, { content_sid: sid }),
      422,
      'phone_channel_invalid',
      {
        errors: [{ path: 'body/content_sid', message: 'only on a whatsapp template' }],
      },
    )
    const [sent] = await tx((trx) => sendAutomatic(trx, sys, caseId, 'resolution', new Date(), { app: ctx }))
    expect(sent!.channel).toBe('whatsapp')
    await drain()
    const [req] = requestsTo(`whatsapp:${phone}`)
    expect(req!.form.ContentSid).toBe(sid)
    const vars = JSON.parse(req!.form.ContentVariables!)
    expect(vars['1']).toMatch(/^CD-\d+$/)
    expect(vars['2']).toMatch(/^https:\/\/desk\.shop\.example\/portal\//)

    // An agent sends the same template from the composer outside the window: named by id, its variables rendered here.
    const other = await phoneCase()
    const res = await call('POST', `/cases/${other.caseId}/messages`, {
      channel: 'whatsapp',
      text: 'Good news: your case is resolved.',
      template_id: list[0].id,
    })
    expect(res.statusCode, res.body).toBe(201)
    await drain()
    const [agentReq] = requestsTo(`whatsapp:${other.phone}`)
    expect(agentReq!.form.ContentSid).toBe(sid)
    expect(JSON.parse(agentReq!.form.ContentVariables!)['1']).toMatch(/^CD-\d+$/)
    // Free text outside the window is still refused.
    const free = await call('POST', `/cases/${other.caseId}/messages`, { channel: 'whatsapp', text: 'Hello?' })
    expect([free.statusCode, free.json().error.code]).toEqual([409, 'whatsapp_window_closed'])
  })

  it('tells a customs hold by each channel named (as the default pack rule does), once per message key', async () => {
    const { caseId, phone } = await phoneCase({ email: 'c@customer.example' })
    const send = () =>
      tx((trx) =>
        sendAutomatic(trx, sys, caseId, 'customs_hold', new Date(), {
          app: ctx,
          channels: ['sms', 'email'],
          messageKey: `customs_hold.${caseId}`,
        }),
      )
    await send()
    await send() // the same trigger again
    const sent = await ctx.db
      .selectFrom('messages')
      .select(['channel', 'status', 'text_body', 'automatic'])
      .where('case_id', '=', caseId)
      .orderBy('channel')
      .execute()
    const why = await ctx.db.selectFrom('messages').select('status_reason').where('case_id', '=', caseId).execute()
    expect(
      sent.map((s) => [s.channel, s.status, s.automatic]),
      JSON.stringify(why),
    ).toEqual([
      ['email', 'queued', true],
      ['sms', 'queued', true],
    ])
    expect(sent[1]!.text_body, JSON.stringify(sent)).toContain('held at customs')
    expect(sent[1]!.text_body).toContain('/portal/')
    await drain()
    expect(requestsTo(phone)).toHaveLength(1)
  })
})

describe('the per-sender rate limit', () => {
  it('holds across two drains running at once on separate pools: at most per_second in any second', async () => {
    const limit = 8
    const burstSender = '+14155550199'
    const pool = createPool(env.url, 4)
    const other = { ...ctx, db: createDb(pool) }
    try {
      await tx((trx) =>
        trx
          .updateTable('integration_connections')
          .set({
            settings: JSON.stringify({
              account_sid: fake.accountSid,
              api_base: fake.url,
              senders: [{ address: burstSender, channels: ['sms'], per_second: limit }],
            }),
          })
          .where('id', '=', conn.json().connection.id)
          .execute(),
      )
      const { caseId } = await phoneCase()
      const ids: string[] = []
      for (let i = 0; i < 20; i++)
        ids.push((await call('POST', `/cases/${caseId}/messages`, { channel: 'sms', text: `Burst ${i}` })).json().id)
      const run = async (c: typeof ctx) => {
        for (let i = 0; i < 50; i++) {
          await sendDuePhoneMessages(c, 200)
          const left = await ctx.db
            .selectFrom('messages')
            .select('id')
            .where('id', 'in', ids)
            .where('status', '=', 'queued')
            .execute()
          if (!left.length) return
        }
      }
      await Promise.all([run(ctx), run(other)])
      const arrivals = fake.requests.filter((r) => r.form.From === burstSender).map((r) => r.at)
      expect(arrivals).toHaveLength(20)
      // Arrival times are taken in this process, where a busy event loop can bunch requests that left on their
      // slots: a 150 ms allowance for that. Two drains that did not share the limit would send twice as fast.
      arrivals.sort((a, b) => a - b)
      const worst = Math.max(...arrivals.map((t) => arrivals.filter((u) => u >= t && u < t + 850).length))
      expect(worst).toBeLessThanOrEqual(limit)
      // 20 at 8 a second leave over 19 slot intervals (~2.5 s); a load can only stretch that, never shrink it much.
      expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(2000)
      const statuses = await ctx.db.selectFrom('messages').select('status').where('id', 'in', ids).execute()
      expect(new Set(statuses.map((s) => s.status))).toEqual(new Set(['sent']))
    } finally {
      await other.db.destroy()
    }
  })
})
