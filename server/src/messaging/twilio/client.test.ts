import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { quietHoursEnd } from '../phone/policy.js'
import { smsSegments } from '../sms-segments.js'
import created from './fixtures/message-create-queued.json' with { type: 'json' }
import { type TwilioError, twilioClient } from './client.js'
import { twilioSignatureValid } from './signature.js'
import { startFakeTwilio, twilioErrors } from './testing/fake-twilio.js'

// The Twilio client against the local fake (real HTTP), the fake's signed status callbacks, and the pure parts of
// sending: SMS segments and quiet hours.

const fake = await startFakeTwilio()
const client = twilioClient({ accountSid: fake.accountSid, authToken: fake.authToken, apiBase: fake.url })

// A local endpoint that receives the fake's status callbacks.
const received: { url: string; form: Record<string, string>; signature: string }[] = []
const hook = createServer((req, res) => {
  const chunks: Buffer[] = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    received.push({
      url: req.url!,
      form: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString())),
      signature: String(req.headers['x-twilio-signature']),
    })
    res.end()
  })
})
await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r))
const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/status`
afterAll(async () => {
  await fake.close()
  await new Promise((r) => hook.close(r))
})

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a refusal')
    },
    (e: TwilioError) => ({ kind: e.kind, code: e.code, status: e.status }),
  )

describe('the Twilio client against the fake', () => {
  it('creates a message: form-encoded, Basic auth, answered with the documented queued Message', async () => {
    const msg = await client.createMessage({
      to: '+447700900123',
      from: '+14155550100',
      body: 'Hello',
      statusCallback: hookUrl,
    })
    expect(Object.keys(msg).sort()).toEqual(Object.keys(created).sort())
    expect(msg).toMatchObject({ status: 'queued', to: '+447700900123', from: '+14155550100', num_segments: '1' })
    expect(msg.sid).toMatch(/^SM[0-9a-f]{32}$/)
    const req = fake.requests.at(-1)!
    expect(req.form).toEqual({ To: '+447700900123', From: '+14155550100', Body: 'Hello', StatusCallback: hookUrl })
  })

  it('sends a WhatsApp content template with its variables instead of a body', async () => {
    await client.createMessage({
      to: 'whatsapp:+447700900123',
      from: 'whatsapp:+14155550100',
      body: 'ignored',
      contentSid: `HX${'b'.repeat(32)}`,
      contentVariables: { '1': 'CD-12' },
    })
    expect(fake.requests.at(-1)!.form).toEqual({
      To: 'whatsapp:+447700900123',
      From: 'whatsapp:+14155550100',
      ContentSid: `HX${'b'.repeat(32)}`,
      ContentVariables: '{"1":"CD-12"}',
    })
  })

  it('tells permanent refusals from retryable ones', async () => {
    fake.unsubscribe('+447700900999')
    const send = (to = '+447700900123') => client.createMessage({ to, from: '+14155550100', body: 'x' })
    expect(await refusal(send('+447700900999'))).toEqual({ kind: 'permanent', code: 21610, status: 400 })
    expect(await refusal(send('12345'))).toEqual({ kind: 'permanent', code: 21211, status: 400 })
    fake.failNext(twilioErrors.throttled, twilioErrors.internal, twilioErrors.outsideWindow)
    expect(await refusal(send())).toEqual({ kind: 'retryable', code: 20429, status: 429 })
    expect(await refusal(send())).toEqual({ kind: 'retryable', code: 20500, status: 500 })
    expect(await refusal(send())).toEqual({ kind: 'permanent', code: 63016, status: 400 })
    const wrongToken = twilioClient({ accountSid: fake.accountSid, authToken: 'not-the-token', apiBase: fake.url })
    expect(await refusal(wrongToken.createMessage({ to: '+447700900123', body: 'x' }))).toEqual({
      kind: 'permanent',
      code: 20003,
      status: 401,
    })
  })

  it('calls a refused connection retryable (nothing reached Twilio) and a timeout unknown (it may have)', async () => {
    const spare = createServer()
    await new Promise<void>((r) => spare.listen(0, '127.0.0.1', r))
    const port = (spare.address() as AddressInfo).port
    await new Promise((r) => spare.close(r)) // nothing listens there now
    const closed = twilioClient({ accountSid: fake.accountSid, authToken: 'x', apiBase: `http://127.0.0.1:${port}` })
    expect(await refusal(closed.createMessage({ to: '+447700900123', body: 'x' }))).toMatchObject({ kind: 'retryable' })
    const silent = createServer(() => {}) // never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
    const slow = twilioClient({
      accountSid: fake.accountSid,
      authToken: 'x',
      apiBase: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      timeoutMs: 100,
    })
    expect(await refusal(slow.createMessage({ to: '+447700900123', body: 'x' }))).toMatchObject({ kind: 'unknown' })
    silent.closeAllConnections()
    await new Promise((r) => silent.close(r))
  })

  it('posts signed status callbacks: sent then delivered; duplicates and out of order on request; failures with ErrorCode', async () => {
    received.length = 0
    fake.plan('+447700900201', { duplicates: true })
    fake.plan('+447700900202', { outOfOrder: true })
    fake.plan('+447700900203', { outcome: 'undelivered', errorCode: 30003 })
    for (const to of ['+447700900201', '+447700900202', '+447700900203'])
      await client.createMessage({ to, from: '+14155550100', body: 'x', statusCallback: hookUrl })
    await fake.settled()
    const statuses = (to: string) => received.filter((r) => r.form.To === to).map((r) => r.form.MessageStatus)
    expect(statuses('+447700900201')).toEqual(['sent', 'sent', 'delivered', 'delivered'])
    expect(statuses('+447700900202')).toEqual(['delivered', 'sent'])
    expect(statuses('+447700900203')).toEqual(['sent', 'undelivered'])
    expect(received.find((r) => r.form.MessageStatus === 'undelivered')!.form.ErrorCode).toBe('30003')
    for (const r of received) {
      expect(Object.keys(r.form).sort()).toEqual(
        expect.arrayContaining([
          'AccountSid',
          'ApiVersion',
          'From',
          'MessageSid',
          'MessageStatus',
          'SmsSid',
          'SmsStatus',
          'To',
        ]),
      )
      expect(twilioSignatureValid(fake.authToken, hookUrl, r.form, r.signature)).toBe(true)
    }
  })

  it('serves media bytes and posts a signed inbound message', async () => {
    const url = fake.serveMedia(Buffer.from('GIF89a'), 'image/gif')
    const res = await fetch(url)
    expect(res.headers.get('content-type')).toBe('image/gif')
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('GIF89a')
    received.length = 0
    const sent = await fake.postInbound(hookUrl, {
      from: 'whatsapp:+447700900123',
      to: 'whatsapp:+14155550100',
      body: 'Where is it?',
      media: [{ url, contentType: 'image/gif' }],
      profileName: 'Jane',
    })
    expect(sent.status).toBe(200)
    const r = received[0]!
    expect(r.form).toMatchObject({
      From: 'whatsapp:+447700900123',
      Body: 'Where is it?',
      NumMedia: '1',
      MediaUrl0: url,
      WaId: '447700900123',
    })
    expect(twilioSignatureValid(fake.authToken, hookUrl, r.form, r.signature)).toBe(true)
  })
})

describe('SMS segments', () => {
  it('counts GSM-7 (extension characters take two septets) and UCS-2, never splitting a character', () => {
    expect(smsSegments('Hello')).toEqual({ encoding: 'GSM-7', segments: 1, units: 5, perSegment: 160, remaining: 155 })
    expect(smsSegments('a'.repeat(160)).segments).toBe(1)
    expect(smsSegments('a'.repeat(161))).toMatchObject({ segments: 2, perSegment: 153 })
    expect(smsSegments('€'.repeat(80))).toMatchObject({ encoding: 'GSM-7', units: 160, segments: 1 })
    expect(smsSegments(`${'a'.repeat(152)}€`)).toMatchObject({ units: 154, segments: 1 })
    // 152 septets then a two-septet character: it moves whole to the third segment's start.
    expect(smsSegments(`${'a'.repeat(153 + 152)}€`)).toMatchObject({ segments: 3 })
    expect(smsSegments('Café – 24-48h')).toMatchObject({ encoding: 'UCS-2', segments: 1 })
    expect(smsSegments('👍'.repeat(35))).toMatchObject({ encoding: 'UCS-2', units: 70, segments: 1 })
    expect(smsSegments(`${'x'.repeat(69)}👍`)).toMatchObject({ units: 71, segments: 2 })
  })
})

describe('quiet hours', () => {
  const quiet = { enabled: true, start: '21:00', end: '08:00' }
  it('ends at 08:00 the next morning in the zone, across midnight, and not at all outside them', () => {
    expect(quietHoursEnd(quiet, 'Europe/London', new Date('2026-07-01T21:30:00Z'))).toEqual(
      new Date('2026-07-02T07:00:00Z'), // 22:30 BST → 08:00 BST
    )
    expect(quietHoursEnd(quiet, 'Europe/London', new Date('2026-01-15T03:00:00Z'))).toEqual(
      new Date('2026-01-15T08:00:00Z'),
    )
    expect(quietHoursEnd(quiet, 'Europe/London', new Date('2026-01-15T12:00:00Z'))).toBeNull()
    expect(quietHoursEnd(quiet, 'America/New_York', new Date('2026-01-15T12:00:00Z'))).toEqual(
      new Date('2026-01-15T13:00:00Z'), // 07:00 in New York
    )
    expect(quietHoursEnd({ ...quiet, enabled: false }, 'Europe/London', new Date('2026-01-15T03:00:00Z'))).toBeNull()
    expect(
      quietHoursEnd({ enabled: true, start: '13:00', end: '14:00' }, 'UTC', new Date('2026-01-15T13:59:00Z')),
    ).toEqual(new Date('2026-01-15T14:00:00Z'))
  })
})
