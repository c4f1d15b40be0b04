import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { AppError } from '../../errors.js'
import { MalformedPayload, type NormalizedTracking } from '../model.js'
import { aftership } from './aftership.js'
import { easypost } from './easypost.js'
import { hmacSha256 } from './shared.js'

const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8')
const json = (path: string) => JSON.parse(fixture(path)) as Record<string, unknown>
const vectors = (
  JSON.parse(fixture('signatures.json')) as {
    easypost: {
      vectors: { name: string; secret: string; body: string; expected_header_value?: string; expect_valid: boolean }[]
    }
  }
).easypost.vectors
const now = new Date()
const verifies = (fn: () => void) => {
  try {
    fn()
    return true
  } catch (err) {
    if (err instanceof AppError && err.code === 'signature_invalid') return false
    throw err
  }
}
const one = (r: ReturnType<typeof easypost.normalize>): NormalizedTracking => {
  if (r.kind !== 'tracking') throw new Error(`ignored: ${r.reason}`)
  expect(r.shipments).toHaveLength(1)
  return r.shipments[0]!
}
// AfterShip's webhook envelope, as its specification lists the fields, around a Tracking from its SDK fixtures.
const aftershipWebhook = (msg: unknown, eventId = '8d2b1ac8-57e1-4b8a-9b0b-2a2a3c4e5f60') => ({
  event: 'tracking_update',
  event_id: eventId,
  is_tracking_first_tag: false,
  msg,
  ts: 1_700_000_000,
})

describe("EasyPost signatures (the SDKs' shared test vectors)", () => {
  const real = vectors.filter((v) => v.body.startsWith('{'))
  it.each(real)('$name', (v) => {
    const headers: Record<string, string> = v.expected_header_value
      ? { 'x-hmac-signature': v.expected_header_value }
      : {}
    expect(verifies(() => easypost.verify({ headers, rawBody: Buffer.from(v.body), secrets: [v.secret], now }))).toBe(
      v.expect_valid,
    )
  })

  it("checks the vectors' negative cases against the current body", () => {
    const body = Buffer.from(real[0]!.body)
    for (const v of vectors.filter((x) => !x.body.startsWith('{'))) {
      const headers: Record<string, string> = v.expected_header_value
        ? { 'x-hmac-signature': v.expected_header_value }
        : {}
      expect(
        verifies(() => easypost.verify({ headers, rawBody: body, secrets: [v.secret], now })),
        v.name,
      ).toBe(false)
    }
  })

  it('accepts either of two live secrets during a rotation, and refuses a body changed by one byte', () => {
    const v = real[0]!
    const headers = { 'x-hmac-signature': v.expected_header_value! }
    expect(
      verifies(() =>
        easypost.verify({ headers, rawBody: Buffer.from(v.body), secrets: ['new-secret', v.secret], now }),
      ),
    ).toBe(true)
    expect(
      verifies(() => easypost.verify({ headers, rawBody: Buffer.from(`${v.body} `), secrets: [v.secret], now })),
    ).toBe(false)
  })
})

describe('AfterShip signatures', () => {
  const body = Buffer.from(JSON.stringify(aftershipWebhook(json('aftership/tracking-delivered.msg.json'))))
  const sign = (secret: string) => hmacSha256(secret, body).digest('base64')
  it('verifies base64 HMAC-SHA256 of the raw body with any live secret, and nothing else', () => {
    expect(
      verifies(() =>
        aftership.verify({
          headers: { 'aftership-hmac-sha256': sign('s2') },
          rawBody: body,
          secrets: ['s1', 's2'],
          now,
        }),
      ),
    ).toBe(true)
    expect(
      verifies(() =>
        aftership.verify({ headers: { 'aftership-hmac-sha256': sign('other') }, rawBody: body, secrets: ['s1'], now }),
      ),
    ).toBe(false)
    expect(verifies(() => aftership.verify({ headers: {}, rawBody: body, secrets: ['s1'], now }))).toBe(false)
  })
})

describe('EasyPost normalisation', () => {
  it('reads the SDK webhook body: FedEx in transit, every scan with its location, code and time', () => {
    const t = one(easypost.normalize(json('easypost/event-tracker-updated-in_transit.json')))
    expect(t).toMatchObject({
      carrier: 'fedex',
      status: 'in_transit',
      provider_status: 'in_transit',
      confidence: 'high',
    })
    expect(t.events.length).toBe(7)
    expect(t.events[0]).toMatchObject({
      status: 'info_received',
      provider_status: 'pre_transit',
      provider_sub_status: 'label_created',
      code: 'OC',
      occurred_at: '2024-07-31T15:00:00Z',
      utc_offset_minutes: 0,
    })
    expect(t.events[0]!.location).toMatchObject({ country: 'US', postal_code: '32837' })
    expect(t.estimated_delivery_at).toBe('2024-08-05T00:00:00.000Z')
  })

  it("flags the docs' delivered webhook, whose delivery scan is dated before its other scans, for review", () => {
    const t = one(easypost.normalize(json('easypost/event-tracker-updated-delivered.json')))
    expect(t).toMatchObject({
      carrier: 'ups',
      provider_status: 'delivered',
      status: 'out_for_delivery',
      confidence: 'low',
    })
    expect(t.review_reasons[0]).toContain('delivered')
    expect(t.signed_by).toBeTruthy()
  })

  it.each([
    ['tracker-pre_transit.json', 'info_received'],
    ['tracker-in_transit.json', 'in_transit'],
    ['tracker-out_for_delivery.json', 'out_for_delivery'],
    ['tracker-delivered.json', 'delivered'],
    ['tracker-error.json', 'unknown'],
  ])('maps the SDK tracker %s to %s', (file, status) => {
    const t = one(easypost.normalize(json(`easypost/${file}`)))
    expect(t.status).toBe(status)
    if (status === 'delivered') expect(t.signed_by).toBe('John Tester')
  })

  it('stores but ignores non-tracking events, and a tracker event without its tracker', () => {
    expect(easypost.normalize(json('easypost/event-batch-created.json'))).toMatchObject({ kind: 'ignored' })
    expect(easypost.normalize(json('easypost/event-batch-updated.json'))).toMatchObject({ kind: 'ignored' })
    expect(easypost.normalize(json('easypost/event-tracker-created.no-result.json'))).toMatchObject({ kind: 'ignored' })
  })

  it('refuses payloads it could never read', () => {
    expect(() => easypost.normalize([])).toThrow(MalformedPayload)
    expect(() => easypost.normalize({ object: 'Shipment' })).toThrow(MalformedPayload)
    expect(() =>
      easypost.normalize({ object: 'Tracker', tracking_code: 'X1', tracking_details: [{ datetime: 'yesterday' }] }),
    ).toThrow(MalformedPayload)
  })

  it("normalises customs holds and releases from the carrier's message", () => {
    const tracker = (message: string, detail: string) => ({
      object: 'Tracker',
      tracking_code: 'LX123',
      status: 'in_transit',
      carrier: 'USPS',
      tracking_details: [{ status: 'in_transit', status_detail: detail, message, datetime: '2026-11-20T10:00:00Z' }],
    })
    expect(one(easypost.normalize(tracker('Held in customs', 'held'))).events[0]).toMatchObject({
      status: 'customs_hold',
      sub_status: 'held',
    })
    expect(one(easypost.normalize(tracker('Released by customs', 'in_transit'))).events[0]).toMatchObject({
      status: 'in_transit',
      sub_status: 'customs_released',
    })
  })

  it('flags a tracker that says delivered with no delivery scan for review', () => {
    const body = json('easypost/tracker-in_transit.json')
    const t = one(easypost.normalize({ ...body, status: 'delivered' }))
    expect(t.confidence).toBe('low')
    expect(t.review_reasons.length).toBeGreaterThan(0)
  })
})

describe('AfterShip normalisation', () => {
  it('reads a delivered tracking with its checkpoints, offsets and locations', () => {
    const t = one(aftership.normalize(aftershipWebhook(json('aftership/tracking-delivered.msg.json'))))
    expect(t).toMatchObject({
      carrier: 'fedex',
      tracking_number: '111111111111',
      status: 'delivered',
      sub_status: 'Delivered_001',
      confidence: 'high',
    })
    const last = t.events[t.events.length - 1]!
    expect(last).toMatchObject({
      status: 'delivered',
      occurred_at: '2018-07-25T10:10:00+09:00',
      utc_offset_minutes: 540,
    })
    expect(last.location?.country).toBe('JPN')
  })

  it("keeps a past exception in a delivered parcel's history as history", () => {
    const t = one(
      aftership.normalize(aftershipWebhook(json('aftership/tracking-delivered-with-exception-checkpoint.msg.json'))),
    )
    expect(t.status).toBe('delivered')
    expect(t.events.some((e) => e.status === 'exception')).toBe(true)
  })

  it('maps lost, expired and pending', () => {
    expect(
      one(
        aftership.normalize(
          aftershipWebhook({ ...json('aftership/tracking-exception-lost.msg.json'), checkpoints: [] }),
        ),
      ).status,
    ).toBe('lost')
    expect(one(aftership.normalize(aftershipWebhook(json('aftership/tracking-expired.msg.json'))))).toMatchObject({
      status: 'unknown',
      sub_status: 'Expired_001',
    })
    expect(one(aftership.normalize(aftershipWebhook(json('aftership/tracking-pending.msg.json')))).status).toBe(
      'unknown',
    )
  })

  it("flags the SDK's lost mock, whose checkpoints end in a delivery, for review", () => {
    const t = one(aftership.normalize(aftershipWebhook(json('aftership/tracking-exception-lost.msg.json'))))
    expect(t.confidence).toBe('low')
  })

  it('normalises customs subtags', () => {
    const msg = {
      ...json('aftership/tracking-pending.msg.json'),
      tag: 'Exception',
      subtag: 'Exception_004',
      checkpoints: [
        {
          tag: 'InTransit',
          subtag: 'InTransit_006',
          checkpoint_time: '2026-11-20T08:00:00+01:00',
          message: 'Handed to customs',
        },
        {
          tag: 'Exception',
          subtag: 'Exception_004',
          checkpoint_time: '2026-11-20T12:00:00+01:00',
          message: 'Customs delay',
        },
        {
          tag: 'InTransit',
          subtag: 'InTransit_005',
          checkpoint_time: '2026-11-21T09:00:00+01:00',
          message: 'Customs cleared',
        },
      ],
    }
    const t = one(aftership.normalize(aftershipWebhook(msg)))
    expect(t.events.map((e) => [e.status, e.sub_status])).toEqual([
      ['customs_hold', 'customs_clearance_started'],
      ['customs_hold', 'customs_delay'],
      ['in_transit', 'customs_released'],
    ])
  })

  it('ignores other event types and refuses an update without its tracking', () => {
    expect(aftership.normalize({ event: 'edd_revise', msg: {} })).toMatchObject({ kind: 'ignored' })
    expect(() => aftership.normalize({ event: 'tracking_update' })).toThrow(MalformedPayload)
    expect(() =>
      aftership.normalize({ event: 'tracking_update', msg: { tracking_number: 'X', checkpoints: 'no' } }),
    ).toThrow(MalformedPayload)
  })
})
