import { describe, expect, it } from 'vitest'
import { expectError, startTestApp } from '../../test/harness.js'
import { pendingJobs } from '../../test/jobs.js'

// A mail server is configured (nothing listens: no job runs here), so replies are queued for the send job.
const { env, call } = await startTestApp({ config: { smtpUrl: 'smtp://127.0.0.1:2' } })
const db = () => env.ctx.db

async function openCase() {
  const customer = (await call('POST', '/customers', { email: 'robin@example.com' })).json()
  return (
    await call('POST', '/cases', { case_type: 'damaged', subject: 'Broken vase', customer_id: customer.id })
  ).json()
}

describe('sending', () => {
  it('queues a reply with one send job keyed by the message, one recipient row per address', async () => {
    const c = await openCase()
    const res = await call('POST', `/cases/${c.id}/messages`, {
      text: 'Track it at https://www.dhl.com/track?id=1',
      cc: [{ address: 'Robin@Example.com' }, { address: 'boss@example.com' }],
    })
    expect(res.statusCode, res.body).toBe(201)
    const msg = res.json()
    expect([msg.status, msg.status_reason]).toEqual(['queued', null])
    expect(msg.recipients.map((r: { address: string; kind: string }) => [r.address, r.kind])).toEqual([
      ['robin@example.com', 'to'],
      ['boss@example.com', 'cc'],
    ])
    const jobs = (await pendingJobs(env.ctx)).filter((j) => j.key === `send-email:${msg.id}`)
    expect(jobs).toHaveLength(1)
    expect(jobs[0]).toMatchObject({
      task_identifier: 'messaging:send-email',
      payload: { merchant_id: expect.any(String), message_id: msg.id },
    })
  })

  it('holds a reply whose link fails QA, announces it, and lists it as failed', async () => {
    const c = await openCase()
    const msg = (
      await call('POST', `/cases/${c.id}/messages`, { text: 'Fill in http://forms.evil.example/claim please' })
    ).json()
    expect(msg.status).toBe('held')
    expect(msg.status_reason).toMatch(/^link QA: not_https/)
    expect((await pendingJobs(env.ctx)).some((j) => j.key === `send-email:${msg.id}`)).toBe(false)
    const failed = await db()
      .selectFrom('outbox')
      .select('data')
      .where('type', '=', 'message.failed')
      .where('subject_id', '=', msg.id)
      .executeTakeFirstOrThrow()
    expect(failed.data).toMatchObject({ message_id: msg.id, case_id: c.id, status: 'held' })
    const list = (await call('GET', '/messages?status=held')).json()
    expect(list.data.map((x: { id: string }) => x.id)).toContain(msg.id)
    expect((await call('GET', '/messages?status=bounced')).json().data.map((x: { id: string }) => x.id)).not.toContain(
      msg.id,
    )
    expect((await call('GET', '/messages?status=sent')).statusCode).toBe(400)
  })

  it('retries a failed email to the recipients it did not reach, audited, and refuses to retry others', async () => {
    const c = await openCase()
    const msg = (
      await call('POST', `/cases/${c.id}/messages`, { text: 'Hello', cc: [{ address: 'boss@example.com' }] })
    ).json()
    // As the send job leaves it after a permanent refusal for one recipient.
    await db()
      .updateTable('messages')
      .set({ status: 'failed', status_reason: '550 no such user' })
      .where('id', '=', msg.id)
      .execute()
    const recipients = (address: string, status: 'sent' | 'failed') =>
      db()
        .updateTable('message_recipients')
        .set({ status })
        .where('message_id', '=', msg.id)
        .where('address', '=', address)
        .execute()
    await recipients('robin@example.com', 'failed')
    await recipients('boss@example.com', 'sent')
    expect((await call('GET', '/messages')).json().data.map((x: { id: string }) => x.id)).toContain(msg.id)

    const res = await call('POST', `/messages/${msg.id}/retry`, undefined, 'agent')
    expect(res.statusCode, res.body).toBe(200)
    expect(res.json()).toMatchObject({ status: 'queued', status_reason: null })
    expect(res.json().recipients.map((r: { address: string; status: string }) => [r.address, r.status])).toEqual([
      ['robin@example.com', 'queued'],
      ['boss@example.com', 'sent'],
    ])
    expect((await pendingJobs(env.ctx)).filter((j) => j.key === `send-email:${msg.id}`)).toHaveLength(1)
    const audit = await db()
      .selectFrom('audit_entries')
      .select('action')
      .where('entity_id', '=', msg.id)
      .executeTakeFirstOrThrow()
    expect(audit.action).toBe('message.retried')
    expectError(await call('POST', `/messages/${msg.id}/retry`), 409, 'message_not_retryable', {
      message_id: msg.id,
      status: 'queued',
    })
    expectError(await call('POST', `/messages/${msg.id}/retry`, undefined, 'viewer'), 403, 'forbidden', {
      permission: 'messages.send',
    })
  })
})
