import type { Transaction } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { systemContext } from '../../auth/actor.js'
import { setPhoneOptOut } from '../../customers/service.js'
import type { Database } from '../../db/schema.js'
import { expectError, startTestApp } from '../../../test/harness.js'
import type { MessageStatus } from '../tables.js'
import { fakeConnection, startFakeTwilio, twilioErrors } from '../twilio/testing/fake-twilio.js'
import { sendDuePhoneMessages } from './send-phone.js'
import { phoneInterruptedReason, recordPhoneMessage } from './send-phone-message.js'
import { updatePhoneSettings } from './settings.js'
import { customerWroteOnWhatsapp, phoneCases } from './testing.js'

// POST /messages/{id}/retry for SMS and WhatsApp, against the fake Twilio: a retry passes a first send's checks
// again (opt-out, the WhatsApp window, a sender), goes through the phone drain with its attempts counted afresh,
// and never sends twice what Twilio may have already.

const fake = await startFakeTwilio({ callbacks: false })
afterAll(() => fake.close())
const { env, m, call } = await startTestApp({ config: { publicUrl: 'https://desk.shop.example' } })
const { ctx } = env
const sys = systemContext(m.id)
const tx = <T>(fn: (trx: Transaction<Database>) => Promise<T>) => ctx.db.transaction().execute(fn)
const sender = '+14155550100'
const waSender = '+14155550111'
const senders: Parameters<typeof fakeConnection>[1] = [
  { address: sender, channels: ['sms'], per_second: 50 },
  { address: waSender, channels: ['whatsapp'], per_second: 50 },
]
const conn = await call('POST', '/integrations/connections', fakeConnection(fake, senders))
expect(conn.statusCode, conn.body).toBe(201)
await tx((trx) => updatePhoneSettings(trx, sys, { quiet_hours: { enabled: false } }, new Date()))

const phoneCase = phoneCases(ctx.db, m.id, '+4477008')
const message = (id: string) => ctx.db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
const setRow = (id: string, patch: { status: MessageStatus; status_reason?: string; provider_message_id?: string }) =>
  ctx.db.updateTable('messages').set(patch).where('id', '=', id).execute()
const drain = () => sendDuePhoneMessages(ctx, 200)
const requestsTo = (to: string) => fake.requests.filter((r) => r.form.To === to)
const retry = (id: string, as = 'agent') => call('POST', `/messages/${id}/retry`, undefined, as)
const audits = (id: string) =>
  ctx.db.selectFrom('audit_entries').select(['action', 'changes']).where('entity_id', '=', id).execute()

/** An SMS sent through the API that Twilio refuses for good. */
async function failedSms(caseId: string) {
  const res = await call('POST', `/cases/${caseId}/messages`, { channel: 'sms', text: 'Your parcel is at customs' })
  expect(res.statusCode, res.body).toBe(201)
  fake.failNext(twilioErrors.invalidTo)
  await drain()
  expect(await message(res.json().id)).toMatchObject({ status: 'failed', attempts: 1 })
  return res.json().id as string
}

describe('retrying an SMS', () => {
  it('sends a failed one once more through the drain, attempts counted afresh, audited', async () => {
    const { caseId, phone } = await phoneCase()
    const id = await failedSms(caseId)
    const res = await retry(id)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ status: 'queued', status_reason: null, from: { address: sender } })
    expect(await message(id)).toMatchObject({ attempts: 0, next_attempt_at: null })
    await drain()
    await drain()
    expect(requestsTo(phone)).toHaveLength(2)
    expect(await message(id)).toMatchObject({
      status: 'sent',
      attempts: 1,
      provider_message_id: fake.requests.at(-1)!.sid,
    })
    expect(await audits(id)).toEqual([
      {
        action: 'message.retried',
        changes: {
          status: { from: 'failed', to: 'queued' },
          status_reason: { from: expect.stringContaining('21211'), to: null },
        },
      },
    ])
  })

  it('refuses a held one whose customer has since opted out (it stays held), and sends it once they opted in', async () => {
    const { caseId, customerId, phone } = await phoneCase({ sms: false })
    const held = await tx((trx) =>
      recordPhoneMessage(trx, sys, caseId, { channel: 'sms', text: 'Auto' }, { automatic: true, app: ctx }, new Date()),
    )
    expect(held).toMatchObject({ status: 'held', status_reason: 'no sms consent from the customer' })
    await tx((trx) => setPhoneOptOut(trx, sys, customerId, 'sms', true, new Date()))
    const refused = await retry(held.id)
    expect(refused.json().error).toMatchObject({
      code: 'recipient_opted_out',
      message: 'The customer opted out of sms messages',
      details: { channel: 'sms', customer_id: customerId },
    })
    expect(refused.statusCode).toBe(409)
    expect(await message(held.id)).toMatchObject({ status: 'held', status_reason: 'no sms consent from the customer' })
    expect(await audits(held.id)).toEqual([])

    await tx((trx) => setPhoneOptOut(trx, sys, customerId, 'sms', false, new Date()))
    expect((await retry(held.id)).json()).toMatchObject({ status: 'queued', from: { address: sender } })
    await drain()
    expect(requestsTo(phone).map((r) => r.form.Body)).toEqual(['Auto'])
    expect((await message(held.id)).status).toBe('sent')
  })

  it('requeues an interrupted send Twilio has no SID for, and refuses one it has a SID for', async () => {
    const { caseId, phone } = await phoneCase()
    const id = await failedSms(caseId)
    await setRow(id, {
      status: 'failed',
      status_reason: `${phoneInterruptedReason} (timeout)`,
      provider_message_id: 'SMx',
    })
    expectError(await retry(id), 409, 'message_not_retryable', {
      message_id: id,
      status: 'failed',
      provider_message_id: 'SMx',
    })
    await ctx.db.updateTable('messages').set({ provider_message_id: null }).where('id', '=', id).execute()
    expect((await retry(id)).json().status).toBe('queued')
    await drain()
    expect(requestsTo(phone)).toHaveLength(2)
    expect(await message(id)).toMatchObject({ status: 'sent', attempts: 1 })
  })

  it('stores it as not sent when the connection has no sender for the channel any more, as a first send', async () => {
    const { caseId } = await phoneCase()
    const id = await failedSms(caseId)
    const settings = (s: typeof senders) =>
      ctx.db
        .updateTable('integration_connections')
        .set({ settings: JSON.stringify({ account_sid: fake.accountSid, api_base: fake.url, senders: s }) })
        .where('id', '=', conn.json().connection.id)
        .execute()
    await settings([senders[1]!])
    try {
      expect((await retry(id)).json()).toMatchObject({
        status: 'not_sent',
        status_reason: 'the Twilio connection has no sms sender',
      })
    } finally {
      await settings(senders)
    }
  })

  it('refuses what is sent, on its way or erased (message_not_retryable), and a viewer (403)', async () => {
    const { caseId } = await phoneCase()
    const id = await failedSms(caseId)
    expectError(await retry(id, 'viewer'), 403, 'forbidden', expect.anything())
    for (const status of ['sent', 'delivered', 'read', 'queued', 'sending'] as const) {
      await setRow(id, { status })
      expectError(await retry(id), 409, 'message_not_retryable', { message_id: id, status })
    }
    await setRow(id, { status: 'failed' })
    await ctx.db.updateTable('messages').set({ redacted_at: new Date() }).where('id', '=', id).execute()
    expectError(await retry(id), 409, 'message_not_retryable', { message_id: id, status: 'failed' })
    expect(await audits(id)).toEqual([])
  })
})

describe('retrying a WhatsApp message', () => {
  it('refuses free text once the 24-hour window closed, and sends an approved template again', async () => {
    const { caseId, phone } = await phoneCase()
    const inbound = await customerWroteOnWhatsapp(ctx.db, sys, { caseId, phone }, waSender, new Date())
    const post = (body: object) => call('POST', `/cases/${caseId}/messages`, { channel: 'whatsapp', ...body })
    const free = (await post({ text: 'On its way' })).json()
    const sid = `HX${'f'.repeat(32)}`
    const template = (await post({ text: 'Case update', content_sid: sid, content_variables: { '1': 'CD-1' } })).json()
    fake.failNext(twilioErrors.invalidTo, twilioErrors.invalidTo)
    await drain()
    expect([(await message(free.id)).status, (await message(template.id)).status]).toEqual(['failed', 'failed'])
    // The customer last wrote 25 hours ago: the window closed.
    await ctx.db
      .updateTable('messages')
      .set({ created_at: new Date(Date.now() - 25 * 3600_000) })
      .where('id', '=', inbound.id)
      .execute()

    expectError(await retry(free.id), 409, 'whatsapp_window_closed', {
      closed_at: expect.any(String),
      templates_allowed: true,
    })
    expect((await message(free.id)).status).toBe('failed')
    expect((await retry(template.id)).json()).toMatchObject({ status: 'queued', from: { address: waSender } })
    await drain()
    const sent = requestsTo(`whatsapp:${phone}`)
    expect(sent).toHaveLength(3)
    expect(sent.at(-1)!.form).toMatchObject({ ContentSid: sid, From: `whatsapp:${waSender}` })
    expect((await message(template.id)).status).toBe('sent')
  })
})
