import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import Fastify from 'fastify'
import { afterAll, describe, expect, it } from 'vitest'
import { expectError, startTestApp } from '../../../test/harness.js'
import { retryNow, runDueJobs } from '../../../test/jobs.js'
import { systemContext } from '../../auth/actor.js'
import { processDelivery } from '../../intake/service.js'
import { webhookRequestUrl } from '../../intake/webhook-url.js'
import { modules } from '../../registry.js'
import { recordMessage } from '../service.js'
import { twilioRequestValid, twilioSignature } from './signature.js'
import { unknownSidRetryMs } from './status.js'

// Twilio's webhooks end to end: signed form posts to /webhooks/messaging/twilio/{connection}, stored, acknowledged
// with TwiML, processed by the inbox drain; media fetched from a local server standing in for Twilio's API.

const png = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082',
  'hex',
)
const token = '0123456789abcdef0123456789abcdef'
const accountSid = 'AC0123456789abcdef0123456789abcdef'
let flaky = 1
const media = createServer((req, res) => {
  if (req.headers.authorization !== `Basic ${Buffer.from(`${accountSid}:${token}`).toString('base64')}`) {
    res.writeHead(401).end()
    return
  }
  if (req.url?.endsWith('/flaky') && flaky-- > 0) res.writeHead(503).end()
  else res.writeHead(200, { 'content-type': 'image/jpeg' }).end(png)
})
await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve))
afterAll(() => new Promise<void>((resolve) => media.close(() => resolve())))
const mediaOrigin = `http://127.0.0.1:${(media.address() as { port: number }).port}`

const publicUrl = 'https://claims.example.com'
const { env, m, call, app, other } = await startTestApp({
  config: { publicUrl, publicUrlGiven: true, filesMaxBytes: 50_000 },
  other: true,
})
const { ctx } = env
const drain = () => runDueJobs(ctx, modules)
const fixture = (name: string): Record<string, string> =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8'))

async function connection(as: Parameters<typeof call>[3], secret: string): Promise<string> {
  const res = await call(
    'POST',
    '/integrations/connections',
    {
      source: 'messaging',
      provider: 'twilio',
      name: 'Twilio',
      secret,
      settings: { account_sid: accountSid, api_base: mediaOrigin },
    },
    as,
  )
  expect(res.statusCode, res.body).toBe(201)
  return res.json().connection.id
}
const conn = await connection('admin', token)

const path = (id = conn) => `/webhooks/messaging/twilio/${id}`
function post(
  params: Record<string, string>,
  opts: { id?: string; token?: string; signUrl?: string; headers?: Record<string, string>; body?: string } = {},
) {
  const url = path(opts.id)
  const signature = twilioSignature(opts.token ?? token, opts.signUrl ?? `${publicUrl}${url}`, params)
  return app.inject({
    method: 'POST',
    url,
    payload: opts.body ?? new URLSearchParams(params).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature, ...opts.headers },
  })
}
const ok = async (res: Awaited<ReturnType<typeof post>>) => {
  expect(res.statusCode, res.body).toBe(200)
  expect(res.headers['content-type']).toMatch(/^text\/xml/)
  expect(res.body).toContain('<Response></Response>')
}
const deliveries = (merchantId = m.id) =>
  ctx.db
    .selectFrom('webhook_deliveries')
    .select(['id', 'dedup_key', 'status', 'last_error'])
    .where('merchant_id', '=', merchantId)
    .where('provider', '=', 'twilio')
    .execute()
const customerByPhone = (phone: string, merchantId = m.id) =>
  ctx.db
    .selectFrom('customers')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('phone', '=', phone)
    .executeTakeFirst()
const messageBySid = (sid: string, merchantId = m.id) =>
  ctx.db
    .selectFrom('messages')
    .selectAll()
    .where('merchant_id', '=', merchantId)
    .where('provider_message_id', '=', sid)
    .executeTakeFirst()
const caseOf = (id: string) => ctx.db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

describe('X-Twilio-Signature', () => {
  // twilio-python tests/unit/test_request_validator.py: token 12345 over this URL and parameters.
  const uri = 'https://mycompany.com/myapp.php?foo=1&bar=2'
  const params = {
    CallSid: 'CA1234567890ABCDE',
    Digits: '1234',
    From: '+14158675309',
    To: '+18005551212',
    Caller: '+14158675309',
  }
  it("matches Twilio's SDK vectors, repeated parameters and the port rules included", () => {
    expect(twilioSignature('12345', uri, params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=')
    const repeated = { Sid: 'CA123', SidAccount: 'AC123', Digits: ['5678', '1234'] }
    expect(twilioSignature('12345', uri, repeated)).toBe('IK+Dwps556ElfBT0I3Rgjkr1wJU=')
    expect(twilioSignature('12345', uri, { ...repeated, Digits: ['5678', '1234', '5678'] })).toBe(
      'IK+Dwps556ElfBT0I3Rgjkr1wJU=',
    )
    const valid = (url: string, sig: string) => twilioRequestValid('12345', url, params, sig)
    expect(valid(uri.replace('.com', '.com:1234'), 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(true) // removes the port
    expect(valid(uri, 'kvajT1Ptam85bY51eRf/AJRuM3w=')).toBe(true) // signed with :443
    expect(valid(uri.replace('https', 'http'), '0ZXoZLH/DfblKGATFgpif+LLRf4=')).toBe(true) // signed with :80
    expect(valid(uri.replace('.com', '.com:1234').replace('https', 'http'), 'Zmvh+3yNM1Phv2jhDCwEM3q5ebU=')).toBe(true)
    expect(valid(uri.replace('foo=1', 'foo=2'), 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(false)
    expect(twilioRequestValid('12346', uri, params, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(false)
    expect(valid('not a url', 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(false)
  })

  it('builds the URL from PUBLIC_URL (its path prefix too), else from the request, trusting forwarded headers only behind TRUST_PROXY', async () => {
    for (const trustProxy of [false, true]) {
      const server = Fastify({ trustProxy })
      server.get('/webhooks/x', async (req) => ({
        given: webhookRequestUrl(req, { publicUrl: 'https://pub.example.com', publicUrlGiven: true }),
        // Served under a prefix that the proxy strips: Twilio signed the URL we showed, prefix included.
        prefixed: webhookRequestUrl(req, { publicUrl: 'https://pub.example.com/desk/', publicUrlGiven: true }),
        derived: webhookRequestUrl(req, { publicUrl: 'http://127.0.0.1:3000', publicUrlGiven: false }),
      }))
      const res = await server.inject({
        url: '/webhooks/x?a=1',
        headers: { host: 'internal:8080', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'hooks.example.com' },
      })
      expect(res.json()).toEqual({
        given: 'https://pub.example.com/webhooks/x?a=1',
        prefixed: 'https://pub.example.com/desk/webhooks/x?a=1',
        derived: trustProxy ? 'https://hooks.example.com/webhooks/x?a=1' : 'http://internal:8080/webhooks/x?a=1',
      })
      await server.close()
    }
  })

  it('refuses a missing or forged signature, storing nothing; accepts the URL signed with its :443', async () => {
    const params = { ...fixture('inbound-sms'), MessageSid: 'SM00000000000000000000000000000001' }
    const before = (await deliveries()).length
    const unsigned = await app.inject({
      method: 'POST',
      url: path(),
      payload: new URLSearchParams(params).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expectError(unsigned, 401, 'signature_invalid')
    expectError(await post(params, { token: 'ffffffffffffffffffffffffffffffff' }), 401, 'signature_invalid')
    expectError(await post(params, { signUrl: `https://evil.example.com${path()}` }), 401, 'signature_invalid')
    // The body changed after signing.
    const tampered = await post(params, { body: new URLSearchParams({ ...params, Body: 'changed' }).toString() })
    expectError(tampered, 401, 'signature_invalid')
    expect((await deliveries()).length).toBe(before)
    await ok(await post(params, { signUrl: `https://claims.example.com:443${path()}` }))
    expect((await deliveries()).length).toBe(before + 1)
  })

  it('refuses bad input with a 4xx: not a form, NUL, a huge body, no From, no MessageSid', async () => {
    const sms = fixture('inbound-sms')
    const json = await app.inject({
      method: 'POST',
      url: path(),
      payload: JSON.stringify(sms),
      headers: { 'content-type': 'application/json', 'x-twilio-signature': twilioSignature(token, publicUrl, {}) },
    })
    expectError(json, 400, 'payload_invalid')
    expectError(await post({ ...sms, Body: 'a\0b' }), 400, 'payload_invalid')
    const { From: _from, ...noFrom } = sms
    expectError(await post(noFrom), 400, 'payload_invalid', { field: 'From' })
    const { MessageSid: _m, SmsSid: _s, SmsMessageSid: _sm, ...noSid } = sms
    expectError(await post(noSid), 400, 'payload_invalid')
    expect((await post({ ...sms, Body: 'x'.repeat(6 * 1024 * 1024) })).statusCode).toBe(413)
  })
})

describe('inbound SMS and WhatsApp', () => {
  it('a new number opens a case with a new customer; their next SMS threads onto it, stored once', async () => {
    const first = fixture('inbound-sms')
    await ok(await post(first))
    await ok(await post(first)) // Twilio retried: stored once
    await drain()
    const message = (await messageBySid(first.MessageSid!))!
    expect(message).toMatchObject({ direction: 'in', channel: 'sms', author_type: 'customer', text_body: first.Body })
    const customer = (await customerByPhone('+15558675310'))!
    expect(customer).toMatchObject({ consent_sms: true, sms_opted_out_at: null })
    const kase = await caseOf(message.case_id)
    expect(kase).toMatchObject({ channel: 'sms', source: 'sms', customer_id: customer.id })

    const second = { ...first, MessageSid: 'SM0000000000000000000000000000a002', Body: 'Any news?' }
    await ok(await post(second))
    await drain()
    expect((await messageBySid(second.MessageSid))!.case_id).toBe(kase.id)
    expect((await deliveries()).filter((d) => d.dedup_key === first.MessageSid)).toHaveLength(1)
  })

  it('WhatsApp with media: the profile names the new customer, the image is fetched and stored by its bytes', async () => {
    const wa = fixture('inbound-whatsapp')
    wa.MediaUrl0 = wa.MediaUrl0!.replace('https://api.twilio.com', mediaOrigin)
    wa.From = 'whatsapp:+15550001111'
    await ok(await post(wa))
    await drain()
    const message = (await messageBySid(wa.MessageSid!))!
    expect(message).toMatchObject({ channel: 'whatsapp', from_address: '+15550001111', from_name: 'Ana Lima' })
    expect(await customerByPhone('+15550001111')).toMatchObject({ name: 'Ana Lima', consent_whatsapp: true })
    const [attachment] = await ctx.db
      .selectFrom('message_attachments')
      .selectAll()
      .where('message_id', '=', message.id)
      .execute()
    // Declared image/jpeg; the bytes are a PNG.
    expect(attachment).toMatchObject({ content_type: 'image/png', size_bytes: png.length, refused_reason: null })
    expect((await ctx.blobs.stat(attachment!.blob_key!))?.sizeBytes).toBe(png.length)
  })

  it('media Twilio cannot serve yet retries the delivery; nothing is recorded until it succeeds', async () => {
    const mms: Record<string, string> = {
      ...fixture('inbound-mms'),
      From: '+15550002222',
      MessageSid: 'MM0000000000000000000000000000b001',
    }
    mms.MediaUrl0 = `${mediaOrigin}/2010-04-01/Accounts/${accountSid}/Messages/x/Media/flaky`
    flaky = 2 // the drain tries a batch together, then one by one
    await ok(await post(mms))
    await drain()
    expect(await messageBySid(mms.MessageSid!)).toBeUndefined()
    expect((await deliveries()).find((d) => d.dedup_key === mms.MessageSid)).toMatchObject({
      status: 'failed',
      last_error: expect.stringMatching(/^media_unavailable: Twilio media answered HTTP 5/),
    })
    await retryNow(ctx, 'inbox:process')
    await drain()
    expect(await messageBySid(mms.MessageSid!)).toMatchObject({ channel: 'sms' })
  })

  it('STOP opts the customer out of SMS (on the timeline, audited), START opts them back in; nothing is sent', async () => {
    const sms = { ...fixture('inbound-sms'), From: '+15550003333' }
    await ok(await post({ ...sms, MessageSid: 'SM0000000000000000000000000000c001', Body: 'Where is it?' }))
    await ok(await post({ ...sms, MessageSid: 'SM0000000000000000000000000000c002', Body: ' stop ' }))
    await drain()
    const out = (await customerByPhone('+15550003333'))!
    expect(out.consent_sms).toBe(false)
    expect(out.sms_opted_out_at).not.toBeNull()
    const stop = (await messageBySid('SM0000000000000000000000000000c002'))!
    expect(stop).toMatchObject({ author_type: 'system', robot_reason: 'keyword_stop', text_body: ' stop ' })
    const entries = await ctx.db
      .selectFrom('case_timeline')
      .select(['type', 'text'])
      .where('case_id', '=', stop.case_id)
      .where('type', '=', 'consent')
      .execute()
    expect(entries).toEqual([{ type: 'consent', text: 'opted out of SMS' }])
    const audits = await ctx.db
      .selectFrom('audit_entries')
      .select('changes')
      .where('merchant_id', '=', m.id)
      .where('entity_id', '=', out.id)
      .where('action', '=', 'customer.updated')
      .execute()
    expect(audits.some((a) => JSON.stringify(a.changes).includes('sms_opted_out_at'))).toBe(true)
    // Another message does not imply consent while opted out; START does.
    await ok(await post({ ...sms, MessageSid: 'SM0000000000000000000000000000c003', Body: 'hello?' }))
    await drain()
    expect((await customerByPhone('+15550003333'))!.consent_sms).toBe(false)
    await ok(await post({ ...sms, MessageSid: 'SM0000000000000000000000000000c004', Body: 'Yes', OptOutType: 'START' }))
    await drain()
    expect(await customerByPhone('+15550003333')).toMatchObject({ consent_sms: true, sms_opted_out_at: null })
    const sent = await ctx.db
      .selectFrom('messages')
      .select('id')
      .where('merchant_id', '=', m.id)
      .where('direction', '=', 'out')
      .execute()
    expect(sent).toEqual([])
  })

  it("another workspace's connection cannot post into this workspace", async () => {
    const otherToken = 'fedcba9876543210fedcba9876543210'
    const otherConn = await connection({ authorization: `Bearer ${other!.keys.admin}` }, otherToken)
    const sms = { ...fixture('inbound-sms'), From: '+15550004444', MessageSid: 'SM0000000000000000000000000000d001' }
    // Signed with this workspace's token, to the other's URL: refused.
    expectError(await post(sms, { id: otherConn }), 401, 'signature_invalid')
    // With this URL's own token, it lands in the other workspace only.
    await ok(await post(sms, { id: otherConn, token: otherToken, signUrl: `${publicUrl}${path(otherConn)}` }))
    await drain()
    expect(await messageBySid(sms.MessageSid, other!.id)).toBeDefined()
    expect(await messageBySid(sms.MessageSid)).toBeUndefined()
    expect(await customerByPhone('+15550004444')).toBeUndefined()
  })
})

describe('status callbacks', () => {
  async function sentSms(sid: string, phone: string) {
    await ok(await post({ ...fixture('inbound-sms'), From: phone, MessageSid: sid.replace('e0', 'f0') }))
    await drain()
    const caseId = (await messageBySid(sid.replace('e0', 'f0')))!.case_id
    await ctx.db.transaction().execute((trx) =>
      recordMessage(
        trx,
        systemContext(m.id),
        {
          caseId,
          direction: 'out',
          channel: 'sms',
          visibility: 'public',
          status: 'sent',
          authorType: 'agent',
          from: { address: '+15017122661' },
          to: [{ address: phone }],
          cc: [],
          subject: '',
          text: 'We are on it',
          provider: 'twilio',
          providerMessageId: sid,
        },
        new Date(),
      ),
    )
  }
  const callback = (name: string, sid: string) => ({ ...fixture(name), MessageSid: sid, SmsSid: sid })

  it('delivered then a late sent leaves it delivered; a duplicate is stored once; WhatsApp read moves on', async () => {
    const sid = 'SM0000000000000000000000000000e001'
    await sentSms(sid, '+15550005555')
    await ok(await post(callback('status-delivered', sid)))
    await ok(await post(callback('status-delivered', sid)))
    await ok(await post(callback('status-sent', sid)))
    await ok(await post(callback('status-queued', sid)))
    await drain()
    expect(await messageBySid(sid)).toMatchObject({ status: 'delivered', status_reason: null })
    expect((await deliveries()).filter((d) => d.dedup_key === `${sid}:delivered`)).toHaveLength(1)
    expect((await deliveries()).find((d) => d.dedup_key === `${sid}:sent`)).toMatchObject({ status: 'ignored' })
    await ok(await post(callback('status-whatsapp-read', sid)))
    await ok(await post(callback('status-undelivered', sid)))
    await drain()
    expect(await messageBySid(sid)).toMatchObject({ status: 'read' })
  })

  it('failed and undelivered keep the error code; 21610 opts the customer out; an unknown SID is retried, then ignored', async () => {
    const a = 'SM0000000000000000000000000000e002'
    await sentSms(a, '+15550006666')
    await ok(await post(callback('status-sent', a)))
    await ok(await post(callback('status-undelivered', a)))
    const b = 'SM0000000000000000000000000000e003'
    await sentSms(b, '+15550007777')
    await ok(await post(callback('status-failed', b)))
    const unknown = 'SM0000000000000000000000000000e0ff'
    await ok(await post(callback('status-delivered', unknown)))
    await drain()
    expect(await messageBySid(a)).toMatchObject({ status: 'failed', status_reason: 'undelivered: 30003' })
    expect(await messageBySid(b)).toMatchObject({ status: 'failed', status_reason: 'failed: 21610' })
    expect(await customerByPhone('+15550006666')).toMatchObject({ sms_opted_out_at: null })
    const refused = (await customerByPhone('+15550007777'))!
    expect(refused.consent_sms).toBe(false)
    expect(refused.sms_opted_out_at).not.toBeNull()
    // Retried while its send may not have committed the SID yet; ignored once that cannot be so.
    const waiting = (await deliveries()).find((d) => d.dedup_key === `${unknown}:delivered`)!
    expect(waiting).toMatchObject({ status: 'failed', last_error: expect.stringContaining(unknown) })
    const later = new Date(Date.now() + unknownSidRetryMs + 60_000)
    const outcome = await ctx.db.transaction().execute((trx) => processDelivery(trx, ctx, m.id, waiting.id, later))
    expect(outcome.status).toBe('ignored')
    const events = await ctx.db
      .selectFrom('outbox')
      .select('type')
      .where('merchant_id', '=', m.id)
      .where('subject_id', '=', (await messageBySid(a))!.id)
      .execute()
    expect(events.map((e) => e.type)).toContain('message.failed')
  })
})

describe("the connection's settings at the API", () => {
  const sender = { address: '+15017122661', channels: ['sms'] }
  const settings = (senders: unknown, extra: object = {}) => ({ account_sid: accountSid, senders, ...extra })
  const create = (s: object) =>
    call('POST', '/integrations/connections', {
      source: 'messaging',
      provider: 'twilio',
      name: 'T',
      secret: token,
      ...s,
    })
  const refused = (res: Awaited<ReturnType<typeof call>>, path: string, message: RegExp) => {
    expectError(res, 400, 'validation_failed', {
      errors: [{ path: `body/settings${path}`, message: expect.any(String) }],
    })
    expect(res.json().error.details.errors[0].message).toMatch(message)
  }
  const twilioRows = () =>
    ctx.db.selectFrom('integration_connections').select('id').where('provider', '=', 'twilio').execute()

  it('refuses unusable settings with the path of the first problem, writing nothing', async () => {
    const before = await twilioRows()
    refused(await create({ settings: settings([sender], { account_sid: 'AC123' }) }), '/account_sid', /AC and 32/)
    refused(await create({ settings: { senders: [sender] } }), '/account_sid', /account SID/)
    refused(await create({ settings: settings([{ address: '07700 900123' }]) }), '/senders/0/address', /E\.164/)
    refused(
      await create({ settings: settings([sender, { ...sender, channels: ['whatsapp'] }]) }),
      '/senders/1/address',
      /listed already, as sender 1/,
    )
    refused(
      await create({ settings: settings([{ ...sender, per_second: 0 }]) }),
      '/senders/0/per_second',
      /more than 0/,
    )
    refused(
      await create({ settings: settings([{ ...sender, per_second: 5000 }]) }),
      '/senders/0/per_second',
      /at most 1000/,
    )
    refused(await create({ settings: settings('+15017122661') }), '/senders', /a list/)
    refused(await create({ settings: settings(['+15017122661']) }), '/senders/0', /a sender/)
    refused(await create({ settings: settings([{ ...sender, channels: ['fax'] }]) }), '/senders/0/channels', /sms/)
    refused(
      await create({ settings: settings([{ ...sender, per_sec: 5 }]) }),
      '/senders/0/per_sec',
      /not a Twilio setting/,
    )
    refused(
      await create({ settings: settings([sender], { messaging_service: 'MG1' }) }),
      '/messaging_service',
      /not a Twilio setting/,
    )
    expect(await twilioRows()).toEqual(before)
  })

  it('keeps settings as a send reads them; a PATCH with bad settings changes nothing, a good one replaces them', async () => {
    const res = await create({ settings: settings([{ address: '+15017122661', channels: ['sms', 'sms'] }]) })
    expect(res.statusCode, res.body).toBe(201)
    const { id } = res.json().connection
    expect(res.json().connection.settings).toEqual(settings([{ address: '+15017122661', channels: ['sms'] }]))
    const url = `/integrations/connections/${id}`
    const stored = (await call('GET', url)).json()
    refused(await call('PATCH', url, { settings: settings([sender, sender]) }), '/senders/1/address', /listed already/)
    refused(
      await call('PATCH', url, { name: 'Renamed', settings: settings([{ address: '12' }]) }),
      '/senders/0/address',
      /E\.164/,
    )
    expect((await call('GET', url)).json()).toEqual(stored)
    const next = [sender, { address: '+447700900100', channels: ['whatsapp', 'sms'], per_second: 10 }]
    const patched = await call('PATCH', url, { settings: settings(next) })
    expect(patched.statusCode, patched.body).toBe(200)
    expect(patched.json().settings).toEqual(settings(next))
    const audit = await ctx.db
      .selectFrom('audit_entries')
      .select('action')
      .where('entity_id', '=', id)
      .orderBy('id')
      .execute()
    expect(audit.map((a) => a.action)).toEqual(['integration_connection.created', 'integration_connection.updated'])
    // Only a manager changes them.
    expectError(await call('PATCH', url, { settings: settings([]) }, 'agent'), 403, 'forbidden', expect.anything())
  })

  it('a rotated auth token verifies at once, and the old one keeps verifying webhooks for its grace period', async () => {
    const res = await create({ settings: settings([]) })
    const id = res.json().connection.id
    const next = 'abcdef0123456789abcdef0123456789'
    const rotated = await call('POST', `/integrations/connections/${id}/secrets`, { secret: next })
    expect(rotated.statusCode, rotated.body).toBe(201)
    expect(rotated.json()).not.toHaveProperty('secret')
    const [current, old] = rotated.json().connection.secret_versions
    expect(current.expires_at).toBeNull()
    expect(Date.parse(old.expires_at) - Date.now()).toBeGreaterThan(23 * 3600_000)
    const sms = (n: string) => ({ ...fixture('inbound-sms'), From: '+15550008888', MessageSid: `SM${n.repeat(32)}` })
    await ok(await post(sms('a'), { id, token }))
    await ok(await post(sms('b'), { id, token: next }))
    expectError(await post(sms('c'), { id, token: 'f'.repeat(32) }), 401, 'signature_invalid')
    expectError(
      await call('POST', `/integrations/connections/${id}/secrets`, { secret: 'not-a-token' }),
      422,
      'secret_invalid',
      { field: 'secret' },
    )
  })
})
