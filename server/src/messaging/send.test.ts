import { describe, expect, it } from 'vitest'
import { expectError, startTestApp } from '../../test/harness.js'

// A mail server is configured (nothing listens: no drain runs here), so replies are queued for the send drain.
const { env, call } = await startTestApp({ config: { smtpUrl: 'smtp://127.0.0.1:2' } })
const db = () => env.ctx.db
/** Whether the send drain would take the message up now. */
const due = async (id: string) => {
  const row = await db().selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  return row.status === 'queued' && (!row.next_attempt_at || row.next_attempt_at <= new Date())
}

async function openCase() {
  const customer = (await call('POST', '/customers', { email: 'robin@example.com' })).json()
  return (
    await call('POST', '/cases', { case_type: 'damaged', subject: 'Broken vase', customer_id: customer.id })
  ).json()
}

describe('sending', () => {
  it('queues a reply, due at once for the send drain, one recipient row per address', async () => {
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
    expect(await due(msg.id)).toBe(true)
  })

  it('holds a reply whose link fails QA, announces it, and lists it as failed', async () => {
    const c = await openCase()
    const msg = (
      await call('POST', `/cases/${c.id}/messages`, { text: 'Fill in http://forms.evil.example/claim please' })
    ).json()
    expect(msg.status).toBe('held')
    expect(msg.status_reason).toMatch(/^link QA: not_https/)
    expect(await due(msg.id)).toBe(false)
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
    // As the send drain leaves it after a permanent refusal for one recipient, on its last attempt.
    await db()
      .updateTable('messages')
      .set({ status: 'failed', status_reason: '550 no such user', attempts: 25 })
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
    expect(await due(msg.id)).toBe(true)
    expect(res.json().attempts).toBe(0) // counted afresh
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

  it('downloads a sent email kept in the database (not the file store) as .eml', async () => {
    const c = await openCase()
    const msg = (await call('POST', `/cases/${c.id}/messages`, { text: 'Kept' })).json()
    expect(msg.has_raw).toBe(false)
    const eml = 'From: care@example.com\r\nTo: robin@example.com\r\nSubject: Kept\r\n\r\nKept\r\n'
    // As the send drain stores a small message on its first attempt.
    const { merchant_id } = await db()
      .selectFrom('messages')
      .select('merchant_id')
      .where('id', '=', msg.id)
      .executeTakeFirstOrThrow()
    await db()
      .insertInto('message_raw_emails')
      .values({ merchant_id, message_id: msg.id, raw: Buffer.from(eml) })
      .execute()
    await db().updateTable('messages').set({ raw_in_db: true }).where('id', '=', msg.id).execute()
    const raw = await call('GET', `/messages/${msg.id}/raw`)
    expect(raw.statusCode).toBe(200)
    expect(raw.headers['content-type']).toBe('message/rfc822')
    expect(raw.headers['content-length']).toBe(String(eml.length))
    expect(raw.body).toBe(eml)
    expect((await call('GET', `/messages/${msg.id}`)).json().has_raw).toBe(true)
  })
})
