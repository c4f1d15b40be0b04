import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { AppError } from '../../errors.js'
import { MalformedPayload, type NormalizedEvent, type TrackingStatus } from '../model.js'
import type { StatusTableRow } from './types.js'

// What the providers' adapters share: HMAC schemes over the raw body, reading loosely typed JSON, and
// their status tables.

export const refuse = (reason: string, message: string) => new AppError('signature_invalid', message, { reason })

/** Constant-time comparison of a received signature against each live secret's (rotation keeps two). */
export function matchesAny(received: string, expected: (secret: string) => string, secrets: string[]): boolean {
  const got = Buffer.from(received)
  let ok = false
  for (const secret of secrets) {
    const want = Buffer.from(expected(secret))
    // Every secret is compared, so timing does not tell which one matched.
    if (want.length === got.length && timingSafeEqual(want, got)) ok = true
  }
  return ok
}

export const hmacSha256 = (key: string | Buffer, body: Buffer | string) => createHmac('sha256', key).update(body)

/** For providers whose events carry no id: the same bytes are the same event. */
export const bodyHash = (body: Buffer) => `sha256:${createHash('sha256').update(body).digest('hex')}`

/** The provider's event id at `field` of the JSON body, or a hash of the bytes when it has none. */
export function eventIdOrHash(rawBody: Buffer, field: string): string {
  try {
    const id = (JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>)[field]
    if (typeof id === 'string' && id && id.length <= 200) return `evt:${id}`
  } catch {
    /* a body that is not JSON is refused by verify */
  }
  return bodyHash(rawBody)
}

export const obj = (v: unknown): Record<string, unknown> | null =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null

/** A list of scan objects (absent or null: none), each read by `toEvent`; anything else is malformed. */
export function readEvents(
  list: unknown,
  name: string,
  toEvent: (o: Record<string, unknown>, i: number) => NormalizedEvent,
): NormalizedEvent[] {
  if (list === undefined || list === null) return []
  if (!Array.isArray(list)) throw new MalformedPayload(`${name} is not a list`)
  return list.map((item, i) => {
    const o = obj(item)
    if (!o) throw new MalformedPayload(`${name}[${i}] is not an object`)
    return toEvent(o, i)
  })
}

/** A status table's rows for the provider's statuses, each mapped to its canonical status on its own. */
export const statusRows = (
  statuses: Record<string, TrackingStatus>,
  note: (providerStatus: string) => string | undefined,
): StatusTableRow[] =>
  Object.entries(statuses).map(([s, status]) => ({
    provider_status: s,
    provider_sub_status: null,
    status,
    note: note(s),
  }))

/** A status table's rows for sub-statuses that decide the canonical status, under the status `parent` names. */
export const subStatusRows = (
  subStatuses: Record<string, TrackingStatus>,
  parent: (subStatus: string) => string,
  note: (subStatus: string) => string | undefined,
): StatusTableRow[] =>
  Object.entries(subStatuses).map(([sub, status]) => ({
    provider_status: parent(sub),
    provider_sub_status: sub,
    status,
    note: note(sub),
  }))
