import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { expectError, startTestApp } from '../../test/harness.js'
import { systemContext } from '../auth/actor.js'
import { findThreadForMessageHeader, recordMessage } from './service.js'

// No SMTP_URL here (the embedded default): replies are stored and shown as not_sent, never pretended sent.
const { env, m, other, call } = await startTestApp({ other: true })
const db = () => env.ctx.db

async function customerCase(opts: { email?: string | null; assignee?: string } = {}) {
  const customer = (
    await call('POST', '/customers', {
      name: 'Robin Fox',
      email: opts.email === undefined ? 'robin@example.com' : opts.email,
    })
  ).json()
  const res = await call('POST', '/cases', {
    case_type: 'lost_parcel',
    subject: 'Parcel never arrived',
    customer_id: customer.id,
    ...(opts.assignee ? { assignee_id: opts.assignee } : {}),
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { id: string; number: string; status: string }
}

const getCase = async (id: string) => (await call('GET', `/cases/${id}`)).json()
const timeline = async (id: string) =>
  (await call('GET', `/cases/${id}/timeline?limit=200`)).json().data as {
    type: string
    visibility: string
    data: Record<string, unknown>
  }[]
const portalToken = async (caseId: string) =>
  ((await call('POST', `/cases/${caseId}/portal-links`, {})).json().url as string).split('/portal/')[1]!
const portal = (method: 'GET' | 'POST', token: string, path: string, body?: unknown) =>
  call(method, `/portal/${token}/${path}`, body, {})

describe('replies on a case', () => {
  it('records a reply as a public message and timeline entry, not_sent without a mail server; first response set once', async () => {
    const c = await customerCase()
    const res = await call('POST', `/cases/${c.id}/messages`, { text: 'We are looking into it.' }, 'agent')
    expect(res.statusCode, res.body).toBe(201)
    const msg = res.json()
    expect(msg).toMatchObject({
      case_id: c.id,
      direction: 'out',
      channel: 'email',
      visibility: 'public',
      status: 'not_sent',
      status_reason: 'no mail server configured',
      to: [{ address: 'robin@example.com', name: 'Robin Fox' }],
      subject: `Re: Parcel never arrived [${c.number}]`,
      text: 'We are looking into it.',
      recipients: [{ address: 'robin@example.com', kind: 'to', status: 'queued' }],
      has_raw: false,
    })
    expect(msg.message_id_header).toMatch(new RegExp(`^${msg.id}@`))
    const entry = (await timeline(c.id)).find((e) => e.type === 'message')!
    expect(entry).toMatchObject({ visibility: 'public', data: { message_id: msg.id, direction: 'out' } })
    const first = (await getCase(c.id)).first_response_at
    expect(first).not.toBeNull()
    expect((await getCase(c.id)).status).toBe('open')

    await call('POST', `/cases/${c.id}/messages`, { text: 'A second answer.' }, 'agent')
    expect((await getCase(c.id)).first_response_at).toBe(first)
    const page = (await call('GET', `/cases/${c.id}/messages`)).json()
    expect(page.data.map((x: { text: string }) => x.text)).toEqual(['We are looking into it.', 'A second answer.'])
    expect((await call('GET', `/messages/${msg.id}`)).json()).toEqual(page.data[0])
  })

  it('does not count an automatic message as a first response, and a change that changes nothing announces no case.updated', async () => {
    const c = await customerCase()
    const outboxCount = async (type: string) =>
      (await db().selectFrom('outbox').select('id').where('subject_id', '=', c.id).where('type', '=', type).execute())
        .length
    const updates = await outboxCount('case.updated')
    await db()
      .transaction()
      .execute((trx) =>
        recordMessage(
          trx,
          systemContext(m.id, 'acknowledgement'),
          {
            caseId: c.id,
            direction: 'out',
            channel: 'email',
            visibility: 'public',
            status: 'not_sent',
            authorType: 'system',
            automatic: true,
            from: { address: 'support@example.com' },
            to: [{ address: 'robin@example.com' }],
            cc: [],
            subject: 'We have your request',
            text: 'Thanks, we will answer within 48 hours.',
          },
          new Date(),
        ),
      )
    const after = await getCase(c.id)
    expect([after.first_response_at, after.status]).toEqual([null, 'new'])
    expect(await outboxCount('case.updated')).toBe(updates)
    const audits = await db().selectFrom('audit_entries').select('action').where('entity_id', '=', c.id).execute()
    expect(audits.map((a) => a.action)).not.toContain('message.recorded')
  })

  it('keeps side conversations and notes internal: the portal shows only the public conversation', async () => {
    const c = await customerCase()
    await call('POST', `/cases/${c.id}/messages`, { text: 'Public answer.' }, 'agent')
    const side = await call(
      'POST',
      `/cases/${c.id}/messages`,
      { visibility: 'side', to: [{ address: 'claims@carrier.example' }], text: 'Please trace parcel 123.' },
      'agent',
    )
    expect(side.json()).toMatchObject({ visibility: 'side', to: [{ address: 'claims@carrier.example' }] })
    await call('POST', `/cases/${c.id}/notes`, { body: 'Customer sounds upset' })
    const entries = await timeline(c.id)
    expect(
      entries
        .filter((e) => e.type === 'message' || e.type === 'note')
        .map((e) => [e.type, e.data.visibility ?? null, e.visibility]),
    ).toEqual([
      ['message', 'public', 'public'],
      ['message', 'side', 'internal'],
      ['note', null, 'internal'],
    ])
    // A side conversation never sets the first response either.
    const token = await portalToken(c.id)
    const conv = await portal('GET', token, 'conversation')
    expect(conv.statusCode, conv.body).toBe(200)
    expect(conv.headers['cache-control']).toBe('no-store')
    expect(conv.json().data).toEqual([
      {
        id: expect.any(String),
        from: 'us',
        subject: expect.any(String),
        text: 'Public answer.',
        quoted_text: null,
        at: expect.any(String),
        redacted_at: null,
        attachments: [],
      },
    ])
  })

  it('waits for the customer on a reply, and a portal answer reopens work and notifies the assignee', async () => {
    const c = await customerCase({ assignee: m.adminUserId })
    await call('POST', `/cases/${c.id}/messages`, { text: 'Can you send a photo?', set_waiting: true }, 'agent')
    expect((await getCase(c.id)).status).toBe('waiting_customer')
    const token = await portalToken(c.id)
    const answer = await portal('POST', token, 'messages', { text: 'Here it is, the box was crushed.' })
    expect(answer.statusCode, answer.body).toBe(201)
    expect(answer.json()).toMatchObject({ from: 'you', text: 'Here it is, the box was crushed.' })
    expect((await getCase(c.id)).status).toBe('open')
    const inbound = (await call('GET', `/cases/${c.id}/messages`)).json().data[1]
    expect(inbound).toMatchObject({
      direction: 'in',
      channel: 'portal',
      visibility: 'public',
      status: 'received',
      author: { type: 'customer' },
    })
    const notes = await db()
      .selectFrom('notifications')
      .select(['user_id', 'cause'])
      .where('case_id', '=', c.id)
      .where('cause', '=', 'customer_replied')
      .execute()
    expect(notes).toEqual([{ user_id: m.adminUserId, cause: 'customer_replied' }])
    const received = await db()
      .selectFrom('outbox')
      .select('data')
      .where('type', '=', 'message.received')
      .where('subject_id', '=', inbound.id)
      .executeTakeFirstOrThrow()
    expect(received.data).toMatchObject({ case_id: c.id, channel: 'portal', new_case: false, robot: null })
    expect((await portal('GET', token, 'conversation')).json().data.map((x: { from: string }) => x.from)).toEqual([
      'us',
      'you',
    ])
  })

  it('reopens a resolved case when the customer writes', async () => {
    const c = await customerCase()
    await call('POST', `/cases/${c.id}/status`, { status: 'resolved', resolution_code: 'refunded' })
    const token = await portalToken(c.id)
    expect((await portal('POST', token, 'messages', { text: 'The refund never came.' })).statusCode).toBe(201)
    const now = await getCase(c.id)
    expect([now.status, now.reopen_count]).toEqual(['open', 1])
  })

  it('downloads the stored original as .eml', async () => {
    const c = await customerCase()
    const msg = (await call('POST', `/cases/${c.id}/messages`, { text: 'Stored' }, 'agent')).json()
    expectError(await call('GET', `/messages/${msg.id}/raw`), 404, 'message_raw_not_found', { message_id: msg.id })
    const eml = 'From: a@example.com\r\nTo: b@example.com\r\nSubject: Hi\r\n\r\nHello\r\n'
    const blob = await env.ctx.blobs.put(Readable.from([Buffer.from(eml)]), { merchantId: m.id, maxBytes: 1_000_000 })
    await db().updateTable('messages').set({ raw_blob_key: blob.key }).where('id', '=', msg.id).execute()
    const raw = await call('GET', `/messages/${msg.id}/raw`)
    expect(raw.statusCode).toBe(200)
    expect(raw.headers['content-type']).toBe('message/rfc822')
    expect(raw.headers['content-disposition']).toBe(`attachment; filename="message-${msg.id}.eml"`)
    expect(raw.body).toBe(eml)
    expect((await call('GET', `/messages/${msg.id}`)).json().has_raw).toBe(true)
  })
})

describe('threading by Message-ID', () => {
  it("finds the case of our own or the customer's Message-IDs, and records a redelivered email once", async () => {
    const c = await customerCase()
    const ours = (await call('POST', `/cases/${c.id}/messages`, { text: 'Ours' })).json()
    const inbound = (header: string) =>
      db()
        .transaction()
        .execute((trx) =>
          recordMessage(
            trx,
            systemContext(m.id, 'email-in'),
            {
              caseId: c.id,
              direction: 'in',
              channel: 'email',
              visibility: 'public',
              status: 'received',
              authorType: 'customer',
              from: { address: 'robin@example.com' },
              to: [],
              cc: [],
              subject: 'Re: Parcel',
              text: 'Still nothing',
              messageIdHeader: header,
            },
            new Date(),
          ),
        )
    const first = await inbound('<CAF123@mail.example>')
    expect((await inbound(' <CAF123@mail.example>')).id).toBe(first.id)
    expect(await db().selectFrom('messages').select('id').where('case_id', '=', c.id).execute()).toHaveLength(2)
    const thread = { caseId: c.id, sideConversationId: null }
    expect(await findThreadForMessageHeader(db(), m.id, ['<nobody@x.example>', `<${ours.message_id_header}>`])).toEqual(
      thread,
    )
    expect(await findThreadForMessageHeader(db(), m.id, ['CAF123@mail.example'])).toEqual(thread)
    expect(await findThreadForMessageHeader(db(), other.id, ['CAF123@mail.example'])).toBeNull()
    expect(await findThreadForMessageHeader(db(), m.id, [])).toBeNull()
  })
})

describe('bad input', () => {
  it('answers 404 for an unknown case, another workspace case or message, and 4xx for bad bodies', async () => {
    const c = await customerCase()
    const unknown = '0190a000-0000-7000-8000-000000000000'
    expectError(await call('POST', `/cases/${unknown}/messages`, { text: 'x' }), 404, 'case_not_found', {
      case_id: unknown,
    })
    expectError(await call('GET', `/cases/${unknown}/messages`), 404, 'case_not_found', { case_id: unknown })
    const theirs = (await call('POST', '/cases', { case_type: 'other' }, other.keys.admin)).json()
    expectError(
      await call('POST', `/cases/${theirs.id}/messages`, { text: 'x', to: [{ address: 'a@example.com' }] }),
      404,
      'case_not_found',
      {
        case_id: theirs.id,
      },
    )
    const mine = (await call('POST', `/cases/${c.id}/messages`, { text: 'Mine' })).json()
    expectError(await call('GET', `/messages/${mine.id}`, undefined, other.keys.admin), 404, 'message_not_found', {
      message_id: mine.id,
    })
    const bad = [
      { text: 'nul\u0000byte' },
      { text: 'x'.repeat(100_001) },
      { text: '' },
      { text: 'x', to: [{ address: 'not an address' }] },
      { text: 'x', to: [{ address: 'a@example.com', name: 'Evil\r\nBcc: x@example.com' }] },
      { text: 'x', subject: 'Line\r\nBcc: x@example.com' },
      { text: 'x', to: [] },
      { text: 'x', surprise: true },
    ]
    for (const body of bad) {
      const res = await call('POST', `/cases/${c.id}/messages`, body)
      expect(res.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400)
      expect(res.json().error.code).toBe('validation_failed')
    }
    const count = await db().selectFrom('messages').select('id').where('case_id', '=', c.id).execute()
    expect(count).toHaveLength(1)
  })

  it('refuses a reply with nobody to send to, and attachments that are not on the case', async () => {
    const c = await customerCase({ email: null })
    expectError(await call('POST', `/cases/${c.id}/messages`, { text: 'x' }), 422, 'recipient_required', {
      case_id: c.id,
    })
    const stray = '0190a000-0000-7000-8000-000000000001'
    expectError(
      await call('POST', `/cases/${c.id}/messages`, {
        text: 'x',
        to: [{ address: 'a@example.com' }],
        attachment_ids: [stray],
      }),
      422,
      'attachment_invalid',
      { attachment_ids: [stray] },
    )
    expect(await db().selectFrom('messages').select('id').where('case_id', '=', c.id).execute()).toEqual([])
  })

  it('refuses a forged portal link, oversize and NUL portal text, and more than the hourly portal limit', async () => {
    const c = await customerCase()
    const token = await portalToken(c.id)
    expect((await portal('GET', `${token.slice(0, -4)}AAAA`, 'conversation')).statusCode).toBe(401)
    expect((await portal('POST', token, 'messages', { text: 'x'.repeat(5001) })).statusCode).toBe(400)
    expect((await portal('POST', token, 'messages', { text: 'a\u0000b' })).statusCode).toBe(400)
    for (let i = 0; i < 20; i++)
      expect((await portal('POST', token, 'messages', { text: `m${i}` })).statusCode).toBe(201)
    expectError(await portal('POST', token, 'messages', { text: 'one more' }), 429, 'too_many_requests', {
      limit: 20,
      window_seconds: 3600,
    })
  })
})
