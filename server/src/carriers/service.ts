import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../db/schema.js'
import { AppError } from '../errors.js'
import type { BlobStore } from '../files/index.js'
import { newId } from '../ids.js'
import { enqueueEvent, enqueueEvents } from '../jobs/outbox.js'
import {
  applyTracking,
  findShipmentIdsByTracking,
  listLateShipments,
  listStaleShipments,
  markOverdue,
  type TrackingState,
} from '../shipments/tracking.js'
import { resolveCarrier } from '../shipments/carriers.js'
import { parseWebhookJson } from '../intake/payload.js'
import type { ServiceContext } from '../auth/actor.js'
import { recordAuditFor } from '../changes.js'
import {
  MalformedPayload,
  statusRank,
  type Normalized,
  type NormalizedEvent,
  type NormalizedTracking,
  type TrackingStatus,
} from './model.js'
import { carrierProviderList } from './providers/index.js'
import type { CarrierProvider } from './providers/types.js'
import * as store from './store.js'
import type { StaleRule } from './tables.js'

type Trx = Transaction<Database>
type Db = Kysely<Database> | Trx

const providers = new Map(carrierProviderList.map((p) => [p.provider, p]))

export const carrierProviders = (): CarrierProvider[] => [...providers.values()]

export function findCarrierProvider(provider: string): CarrierProvider {
  const p = providers.get(provider)
  if (!p)
    throw new AppError('provider_unknown', `No carrier provider "${provider}"`, {
      provider,
      known_providers: [...providers.keys()].sort(),
    })
  return p
}

/** Parses and normalises a body; a body that is not JSON, could never be stored, or is not the provider's shape is a 400. */
export function normalizeBody(p: CarrierProvider, body: Buffer | string): Normalized {
  return normalizePayload(p, parseWebhookJson(body))
}

export function normalizePayload(p: CarrierProvider, payload: unknown): Normalized {
  try {
    return p.normalize(payload)
  } catch (err) {
    if (err instanceof MalformedPayload)
      throw new AppError('payload_invalid', `Not a ${p.label} payload: ${err.message}`, {
        provider: p.provider,
        reason: err.message,
      })
    throw err
  }
}

/** The event's identity: the provider's id, else what it says, so a re-sent scan is kept once. */
export function eventKey(e: NormalizedEvent): string {
  if (e.id) return `id:${e.id}`
  const what = [
    Date.parse(e.occurred_at),
    e.provider_status,
    e.provider_sub_status,
    e.code,
    e.message,
    e.location?.city,
    e.location?.postal_code,
    e.location?.country,
  ]
  return `h:${createHash('sha256').update(JSON.stringify(what)).digest('base64url').slice(0, 32)}`
}

export type RecordInput = { merchantId: string; provider: string; deliveryId: string | null; blobs: BlobStore }
export type Recorded = {
  trackerId: string
  newEvents: number
  status: TrackingStatus
  statusChanged: boolean
  shipmentIds: string[]
}

const carrierKey = (t: NormalizedTracking) => t.carrier ?? t.carrier_name?.toLowerCase() ?? 'unknown'

type Newest = Pick<
  store.TrackingEventRow,
  'status' | 'sub_status' | 'provider_status' | 'provider_sub_status' | 'occurred_at'
> & { id: string | null }

// By event time, then the status further along: the order findNewestEvent sorts by before the event key.
const byTimeAndRank = (a: Newest, b: Newest) =>
  a.occurred_at.getTime() - b.occurred_at.getTime() ||
  statusRank(a.status as TrackingStatus) - statusRank(b.status as TrackingStatus)

/**
 * The tracker's newest event once `inserted` joined its history, read from the database only when it
 * is not certain otherwise: a new event newer (by time, then status rank) than the tracker's current
 * one, and than the other new ones, is the newest; if all are older, the current one stays (id null:
 * not among `inserted`). A tie goes to the database, whose order also breaks it by event key.
 */
async function newestEvent(
  trx: Trx,
  tracker: store.TrackerRow,
  inserted: store.TrackingEventRow[],
): Promise<Newest | undefined> {
  const current: Newest | undefined = tracker.status_at
    ? {
        id: null,
        status: tracker.status,
        sub_status: tracker.sub_status,
        provider_status: tracker.provider_status,
        provider_sub_status: tracker.provider_sub_status,
        occurred_at: tracker.status_at,
      }
    : undefined
  const top = inserted.reduce<store.TrackingEventRow | undefined>(
    (best, e) => (!best || byTimeAndRank(e, best) > 0 ? e : best),
    undefined,
  )
  if (!top) return current
  const unique = inserted.every((e) => e === top || byTimeAndRank(e, top) < 0)
  if (unique && (!current || byTimeAndRank(top, current) > 0)) return top
  if (current && byTimeAndRank(top, current) < 0) return current
  return store.findNewestEvent(trx, tracker.merchant_id, tracker.id)
}

/**
 * Records one normalised tracking result in the caller's transaction: the tracker, the events not seen
 * before, the newest status by event time (never regressed by an older event), proofs of delivery, and
 * the shipments it tracks. Idempotent: the same result again changes nothing and announces nothing.
 */
export async function recordTracking(
  trx: Trx,
  input: RecordInput,
  t: NormalizedTracking,
  now: Date,
): Promise<Recorded> {
  const tracker = await store.upsertTracker(trx, {
    merchant_id: input.merchantId,
    id: newId(),
    carrier_key: carrierKey(t),
    carrier_code: t.carrier,
    carrier_name: t.carrier_name,
    tracking_number: t.tracking_number,
    carrier_ref: t.carrier_ref ?? '',
    provider: input.provider,
    provider_tracker_id: t.provider_tracker_id,
    last_received_at: now,
    created_at: now,
    updated_at: now,
  })
  const byKey = new Map(t.events.map((e) => [eventKey(e), e]))
  const inserted = await store.insertEvents(
    trx,
    [...byKey].map(([key, e]) => ({
      merchant_id: input.merchantId,
      id: newId(),
      tracker_id: tracker.id,
      event_key: key,
      status: e.status,
      sub_status: e.sub_status,
      provider_status: e.provider_status,
      provider_sub_status: e.provider_sub_status,
      code: e.code,
      message: e.message,
      occurred_at: new Date(e.occurred_at),
      utc_offset_minutes: e.utc_offset_minutes,
      location: e.location ? JSON.stringify(e.location) : null,
      facility: e.facility,
      device: e.device,
      driver: e.driver,
      signed_by: e.signed_by,
      delivery_id: input.deliveryId,
      recorded_at: now,
    })),
  )
  for (const proof of t.proof_of_delivery) await storeProof(trx, input, tracker.id, proof, now)

  const newest = await newestEvent(trx, tracker, inserted)
  // Confidence and review reasons belong to the payload that brought the newest event.
  const fromThisPayload = newest ? inserted.some((e) => e.id === newest.id) : false
  const status = (newest?.status ?? 'unknown') as TrackingStatus
  const statusChanged = status !== tracker.status || (newest?.sub_status ?? null) !== tracker.sub_status
  const patch = {
    status,
    sub_status: newest?.sub_status ?? null,
    provider_status: newest?.provider_status ?? t.provider_status,
    provider_sub_status: newest?.provider_sub_status ?? t.provider_sub_status,
    status_at: newest?.occurred_at ?? null,
    last_event_at: newest?.occurred_at ?? null,
    ...(fromThisPayload || !newest
      ? { confidence: t.confidence, review_reasons: JSON.stringify(t.review_reasons) }
      : {}),
    estimated_delivery_at: t.estimated_delivery_at ? new Date(t.estimated_delivery_at) : tracker.estimated_delivery_at,
    signed_by: t.signed_by ?? tracker.signed_by,
    carrier_name: tracker.carrier_name ?? t.carrier_name,
    updated_at: now,
  }
  const updated =
    inserted.length || statusChanged || t.estimated_delivery_at || t.signed_by
      ? await store.updateTracker(trx, input.merchantId, tracker.id, patch)
      : tracker
  const shipmentIds = await linkTracker(trx, input.merchantId, updated, now)
  await enqueueEvents(
    trx,
    inserted.map((e) => ({
      merchant_id: input.merchantId,
      type: 'tracking_event.recorded',
      subject_id: tracker.id,
      occurred_at: e.occurred_at,
      data: {
        tracker_id: tracker.id,
        event_id: e.id,
        carrier: updated.carrier_code,
        tracking_number: updated.tracking_number,
        status: e.status,
        sub_status: e.sub_status,
        message: e.message,
        occurred_at: e.occurred_at.toISOString(),
        // An older scan arriving late is history: it is recorded, and says so, but the current status is the newest's.
        current: e.id === newest?.id,
        // The scan that moved the status is announced again by shipment.status_changed, with its context.
        status_changed: statusChanged && e.id === newest?.id,
        shipment_ids: shipmentIds,
        recorded_at: now.toISOString(),
      },
    })),
  )
  return { trackerId: tracker.id, newEvents: inserted.length, status, statusChanged, shipmentIds }
}

const proofTypes = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/tiff', 'application/pdf']

async function storeProof(
  trx: Trx,
  input: RecordInput,
  trackerId: string,
  proof: NormalizedTracking['proof_of_delivery'][number],
  now: Date,
) {
  const bytes = Buffer.from(proof.data_base64, 'base64')
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  if (await store.hasMedia(trx, input.merchantId, trackerId, sha256)) return
  let blob: Awaited<ReturnType<typeof input.blobs.put>>
  try {
    // Types are decided from the bytes, not from what the payload claims.
    blob = await input.blobs.put(Readable.from([bytes]), {
      merchantId: input.merchantId,
      maxBytes: 10 * 1024 * 1024,
      allowedTypes: proofTypes,
    })
  } catch (err) {
    // Not an image or document, or too large: the tracking still counts; the proof is not kept.
    if (err instanceof AppError && err.status < 500) return
    throw err
  }
  const id = newId()
  const inserted = await store.insertMedia(trx, {
    merchant_id: input.merchantId,
    id,
    tracker_id: trackerId,
    event_key: null,
    kind: proof.kind,
    file_key: blob.key,
    content_type: blob.contentType,
    size_bytes: blob.sizeBytes,
    sha256,
    created_at: now,
  })
  if (inserted)
    await enqueueEvent(trx, {
      merchant_id: input.merchantId,
      type: 'tracking_media.stored',
      subject_id: trackerId,
      occurred_at: now,
      data: { tracker_id: trackerId, media_id: id, kind: proof.kind, content_type: blob.contentType, sha256 },
    })
}

const stateOf = (t: store.TrackerRow): TrackingState => ({
  trackerId: t.id,
  provider: t.provider,
  carrierCode: t.carrier_code,
  carrierName: t.carrier_name,
  trackingNumber: t.tracking_number,
  status: t.status,
  subStatus: t.sub_status,
  statusAt: t.status_at,
  confidence: t.confidence,
  reviewReasons: t.review_reasons,
  lastEventAt: t.last_event_at,
  estimatedDeliveryAt: t.estimated_delivery_at,
  signedBy: t.signed_by,
})

/** Links the tracker to the shipments it tracks (new ones included) and hands each its state. */
async function linkTracker(trx: Trx, merchantId: string, tracker: store.TrackerRow, now: Date): Promise<string[]> {
  const ids = await findShipmentIdsByTracking(trx, merchantId, tracker.carrier_code, tracker.tracking_number)
  await store.linkShipments(trx, merchantId, tracker.id, ids, now)
  for (const id of ids) await applyTracking(trx, merchantId, id, stateOf(tracker), now)
  return ids
}

/**
 * A shipment created or given a tracking number later than its carrier's first events: the events
 * kept for that number are linked now (consumer of shipment.created / shipment.updated).
 */
export async function linkShipmentToTrackers(
  trx: Trx,
  merchantId: string,
  shipment: { id: string; carrier_code: string | null; tracking_number: string | null },
  now: Date,
): Promise<number> {
  if (!shipment.tracking_number) return 0
  const trackers = (await store.lockTrackersByNumber(trx, merchantId, shipment.tracking_number)).filter(
    (t) => !shipment.carrier_code || !t.carrier_code || t.carrier_code === shipment.carrier_code,
  )
  for (const t of trackers) {
    await store.linkShipments(trx, merchantId, t.id, [shipment.id], now)
    await applyTracking(trx, merchantId, shipment.id, stateOf(t), now)
  }
  return trackers.length
}

export type TrackerView = Omit<store.TrackerRow, 'merchant_id' | 'review_reasons'> & {
  review_reasons: string[]
  shipment_ids: string[]
}

export type ProofView = { id: string; kind: string; content_type: string; size_bytes: number; created_at: Date }
type TrackerWithEvents = TrackerView & { events: store.TrackingEventRow[]; proofs: ProofView[] }

async function withEvents(db: Db, t: store.TrackerRow): Promise<TrackerWithEvents> {
  const { merchant_id: merchantId, ...rest } = t
  const media = await store.listMedia(db, merchantId, [t.id])
  return {
    ...rest,
    shipment_ids: await store.listLinkedShipmentIds(db, merchantId, t.id),
    events: await store.listEvents(db, merchantId, [t.id]),
    proofs: media.map((m) => ({
      id: m.id,
      kind: m.kind,
      content_type: m.content_type,
      size_bytes: Number(m.size_bytes),
      created_at: m.created_at,
    })),
  }
}

/** A stored proof of delivery (signature, photo, document) with its bytes, for the console to show. */
export async function openProof(db: Db, blobs: BlobStore, merchantId: string, trackerId: string, id: string) {
  const row = await store.findMedia(db, merchantId, trackerId, id)
  if (!row) throw new AppError('proof_not_found', 'No such proof of delivery', { tracker_id: trackerId, proof_id: id })
  return {
    kind: row.kind,
    contentType: row.content_type,
    sizeBytes: Number(row.size_bytes),
    body: await blobs.get(row.file_key),
  }
}

export async function getTracker(db: Db, merchantId: string, id: string): Promise<TrackerWithEvents> {
  const t = await store.findTracker(db, merchantId, id)
  if (!t) throw new AppError('tracker_not_found', 'No such tracker', { tracker_id: id })
  return withEvents(db, t)
}

export async function trackersOfShipment(db: Db, merchantId: string, shipmentId: string): Promise<TrackerWithEvents[]> {
  return Promise.all((await store.listTrackersForShipment(db, merchantId, shipmentId)).map((t) => withEvents(db, t)))
}

export type TrackingSettings = { stale_after_hours: number; stale_rules: StaleRule[] }
export const defaultStaleHours = 72

export async function getSettings(db: Db, merchantId: string): Promise<TrackingSettings> {
  const row = await store.findSettings(db, merchantId)
  return { stale_after_hours: row?.stale_after_hours ?? defaultStaleHours, stale_rules: row?.stale_rules ?? [] }
}

export async function updateSettings(
  trx: Trx,
  ctx: ServiceContext,
  input: TrackingSettings,
  now: Date,
): Promise<TrackingSettings> {
  const before = await getSettings(trx, ctx.merchantId)
  for (const r of input.stale_rules) {
    if (r.carrier && !resolveCarrier(r.carrier).known) {
      throw new AppError('validation_failed', `Unknown carrier ${r.carrier}`, {
        errors: [{ path: 'body/stale_rules', message: `unknown carrier ${r.carrier}` }],
      })
    }
  }
  const rules = input.stale_rules.map((r) => ({
    carrier: r.carrier ? resolveCarrier(r.carrier).code : null,
    service: r.service ?? null,
    hours: r.hours,
  }))
  await store.saveSettings(trx, {
    merchant_id: ctx.merchantId,
    stale_after_hours: input.stale_after_hours,
    stale_rules: JSON.stringify(rules),
    updated_at: now,
  })
  const after = { stale_after_hours: input.stale_after_hours, stale_rules: rules }
  await recordAuditFor(
    trx,
    ctx,
    {
      action: 'tracking_settings.updated',
      entityType: 'tracking_settings',
      entityId: ctx.merchantId,
      before,
      after,
    },
    now,
  )
  return after
}

export const listStale = async (db: Db, merchantId: string, now: Date, page: { after?: string; limit: number }) => {
  const s = await getSettings(db, merchantId)
  return listStaleShipments(db, merchantId, s.stale_rules, s.stale_after_hours, now, page)
}
export const listLate = (db: Db, merchantId: string, now: Date, page: { after?: string; limit: number }) =>
  listLateShipments(db, merchantId, now, page)

/**
 * `carriers:overdue` (cron): announces `shipment.stale` and `shipment.late` once per episode, for
 * every workspace; a new scan (stale) or the delivery (late) ends the episode.
 */
export async function announceOverdue(
  db: Kysely<Database>,
  merchantIds: string[],
  now: Date,
): Promise<{ stale: number; late: number }> {
  const counts = { stale: 0, late: 0 }
  for (const merchantId of merchantIds) {
    for (const kind of ['stale', 'late'] as const) {
      let after: string | undefined
      for (;;) {
        const page =
          kind === 'stale'
            ? await listStale(db, merchantId, now, { after, limit: 500 })
            : await listLate(db, merchantId, now, { after, limit: 500 })
        for (const s of page.filter((p) => !p.since)) {
          await db.transaction().execute(async (trx) => {
            if (!(await markOverdue(trx, merchantId, s.shipment_id, kind, now))) return
            counts[kind]++
            await enqueueEvent(trx, {
              merchant_id: merchantId,
              type: `shipment.${kind}`,
              subject_id: s.shipment_id,
              occurred_at: now,
              data: {
                ...s,
                last_tracking_event_at: s.last_tracking_event_at?.toISOString() ?? null,
                shipped_at: s.shipped_at?.toISOString() ?? null,
                due_at: s.due_at?.toISOString() ?? null,
                since: now.toISOString(),
              },
            })
          })
        }
        if (page.length < 500) break
        after = page[page.length - 1]!.shipment_id
      }
    }
  }
  return counts
}
