import { describe, expect, it } from 'vitest'
import { startTestApp } from '../../test/harness.js'
import { runDueJobs } from '../../test/jobs.js'
import { systemContext } from '../auth/actor.js'
import { changeStatus } from '../cases/service.js'
import { surveyToken } from '../csat/service.js'
import { fireDueActions } from '../jobs/clock-runner.js'
import { clockHandlers } from '../jobs/worker.js'
import { modules } from '../registry.js'
import { redactCustomerMessages } from './redact/service.js'
import { recordMessage } from './service.js'
import { receiveSideReply } from './side/service.js'

// A customer's erasure reaching what issue 23 added: a WhatsApp template's rendered variables, their survey comment,
// and the side conversation with a carrier that names them. Real PostgreSQL, the consumers run by the worker.

const { env, m, call } = await startTestApp({ config: { publicUrl: 'https://cd.example.com' } })
const { ctx } = env
const sys = systemContext(m.id, 'test')
const drain = () => runDueJobs(ctx, modules)
const jane = 'jane.doe@customer.example'
const phone = '+447700900123'
const street = '12 Acacia Avenue'

const record = (caseId: string, message: Omit<Parameters<typeof recordMessage>[2], 'caseId'>) =>
  ctx.db.transaction().execute((trx) => recordMessage(trx, sys, { caseId, ...message }, new Date()))
const rowsOf = (table: 'messages' | 'side_conversations' | 'csat_surveys' | 'case_timeline' | 'notifications') =>
  ctx.db.selectFrom(table).selectAll().where('merchant_id', '=', m.id).execute()

describe("a customer's erasure reaches their phone messages, survey comments and side conversations", () => {
  it('leaves none of their values in the stored rows, and the API shows them redacted', async () => {
    const customer = await call('POST', '/customers', {
      source: 'test',
      external_id: 'jane',
      name: 'Jane Doe',
      email: jane,
      phone,
    })
    expect(customer.statusCode, customer.body).toBe(201)
    const customerId = customer.json().id as string
    const kase = await call('POST', '/cases', { case_type: 'other', subject: 'Parcel held', customer_id: customerId })
    expect(kase.statusCode, kase.body).toBe(201)
    const caseId = kase.json().id as string
    expect((await call('POST', `/cases/${caseId}/assign`, { assignee_id: m.adminUserId })).statusCode).toBe(200)

    // She texts in; a WhatsApp content template goes back with her name, order and address as its variables.
    await record(caseId, {
      direction: 'in',
      channel: 'sms',
      visibility: 'public',
      status: 'received',
      authorType: 'customer',
      from: { address: phone },
      to: [{ address: '+15005550006' }],
      cc: [],
      subject: '',
      text: `Still held. I live at ${street}.`,
    })
    const whatsapp = await record(caseId, {
      direction: 'out',
      channel: 'whatsapp',
      visibility: 'public',
      status: 'sent',
      authorType: 'agent',
      authorId: m.adminUserId,
      from: { address: 'whatsapp:+15005550006' },
      to: [{ address: phone }],
      cc: [],
      subject: '',
      text: `Hi Jane Doe, order #1001 to ${street} is on its way.`,
      contentSid: `HX${'0'.repeat(32)}`,
      contentVariables: { '1': 'Jane Doe', '2': `#1001, ${street}` },
    })

    // The agent asks the carrier on the side, naming her; the carrier answers quoting her number.
    const opened = await call('POST', `/cases/${caseId}/side-conversations`, {
      counterparty_kind: 'carrier',
      counterparty_name: 'Carrier claims',
      to: [{ address: 'claims@carrier.example' }],
      cc: [{ address: jane, name: 'Jane Doe' }],
      subject: `Parcel of ${phone}`,
      text: `Please call the customer on ${phone} or write to ${jane}.`,
    })
    expect(opened.statusCode, opened.body).toBe(201)
    const sideId = opened.json().side_conversation.id as string
    await ctx.db.transaction().execute((trx) =>
      receiveSideReply(
        trx,
        sys,
        sideId,
        {
          direction: 'in',
          channel: 'email',
          status: 'received',
          from: { address: 'claims@carrier.example' },
          to: [{ address: 'support@cd.example.com' }],
          cc: [],
          subject: `Re: Parcel of ${phone}`,
          text: `We called ${phone} twice; nobody answered.`,
        },
        new Date(),
      ),
    )

    // The case resolves, she rates it low with a comment, and the admin is told (no team lead). The survey's clock
    // action fires when the test says so.
    const resolvedAt = new Date()
    await ctx.db
      .transaction()
      .execute((trx) => changeStatus(trx, sys, caseId, { status: 'resolved', resolutionCode: 'refunded' }, resolvedAt))
    await drain()
    await fireDueActions(ctx, clockHandlers(modules), () => resolvedAt)
    const survey = (await rowsOf('csat_surveys')).find((s) => s.case_id === caseId)!
    const token = surveyToken(ctx.keys.links, survey, resolvedAt)
    const comment = `Jane Doe here: the courier never came to ${street}.`
    const answer = await call('POST', `/surveys/${token}/answer`, { score: 1, comment }, {})
    expect(answer.statusCode, answer.body).toBe(200)

    const everything = async () =>
      JSON.stringify(
        await Promise.all(
          (['messages', 'side_conversations', 'csat_surveys', 'case_timeline', 'notifications'] as const).map(rowsOf),
        ),
      )
    const before = await everything()
    for (const value of [phone, jane, street, 'Jane Doe']) expect(before).toContain(value)

    expect((await call('DELETE', `/customers/${customerId}`)).statusCode).toBe(200)
    await drain()

    // The stored rows hold none of her values.
    const after = await everything()
    for (const value of [phone, jane, street, 'Jane Doe', '07700']) expect(after).not.toContain(value)
    const stored = (await rowsOf('messages')).find((r) => r.id === whatsapp.id)!
    expect(stored).toMatchObject({
      text_body: '[redacted]',
      content_sid: `HX${'0'.repeat(32)}`,
      content_variables: { '1': '[redacted]', '2': '[redacted]' },
    })
    expect((await rowsOf('csat_surveys')).find((s) => s.id === survey.id)).toMatchObject({
      score: 1,
      comment: '[redacted]',
    })

    // The API shows them redacted.
    const messages = (await call('GET', `/cases/${caseId}/messages`)).json().data as Record<string, unknown>[]
    expect(messages.find((x) => x.id === whatsapp.id)).toMatchObject({ text: '[redacted]' })
    // Her number sorts before her address: placeholders are given in that order, alike everywhere on the side.
    const side = (await call('GET', `/side-conversations/${sideId}`)).json()
    expect(side.participants).toEqual([{ address: 'claims@carrier.example' }, { address: 'redacted-2@invalid' }])
    expect(side.subject).toBe('Parcel of redacted@invalid')
    expect(side.messages.map((x: { text: string }) => x.text)).toEqual([
      'Please call the customer on redacted@invalid or write to redacted-2@invalid.',
      'We called redacted@invalid twice; nobody answered.',
    ])
    const timeline = (await call('GET', `/cases/${caseId}/timeline?limit=100`)).json().data as {
      type: string
      text: string
      data: Record<string, unknown>
    }[]
    expect(timeline.find((e) => e.type === 'csat_answered')).toMatchObject({
      text: 'Customer CSAT 1/5: [redacted]',
      data: { score: 1, comment: '[redacted]' },
    })
    // The assignee's notifications (theirs to read, not the API key's): the low score's comment, the carrier's words.
    expect((await rowsOf('notifications')).map((n) => n.body)).toEqual(
      expect.arrayContaining(['[redacted]', 'We called redacted@invalid twice; nobody answered.']),
    )

    // The audit trail, which erasure never edits, holds them only as hashes.
    const audit = JSON.stringify(
      await ctx.db.selectFrom('audit_entries').selectAll().where('merchant_id', '=', m.id).execute(),
    )
    for (const value of [phone, jane, street]) expect(audit).not.toContain(value)

    // Erasing again finds nothing left to do.
    const again = await redactCustomerMessages(ctx, m.id, customerId, new Date())
    expect(again).toEqual({ redacted: 0, scrubbed: 0 })
    expect(await everything()).toBe(after)
  })
})
