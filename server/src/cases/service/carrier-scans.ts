import type { Transaction } from 'kysely'
import { auditActor, systemActor } from '../../auth/actor.js'
import type { Database } from '../../db/schema.js'
import type { DomainEvent } from '../../jobs/events.js'
import * as linkStore from '../store/links.js'
import { appendTimelineEntries } from './timeline.js'

type ScanData = {
  event_id: string
  tracker_id: string
  carrier: string | null
  tracking_number: string
  status: string
  sub_status: string | null
  message: string | null
  occurred_at: string
  current: boolean
  status_changed?: boolean
  shipment_ids?: string[]
  recorded_at?: string
}

/** Whether a scan can land on a case timeline: only scans of linked shipments that did not move the status. */
const reachesCases = (d: ScanData): d is ScanData & { shipment_ids: string[]; recorded_at: string } =>
  !d.status_changed && Boolean(d.shipment_ids?.length) && Boolean(d.recorded_at)

export const scanReachesCases = (event: DomainEvent<'tracking_event.recorded'>): boolean => reachesCases(event.data)

/**
 * Every carrier scan of a linked shipment lands on the case's timeline, at its event time, once. Scans
 * that moved the status arrive through shipment.status_changed (with the exception policy's view of them);
 * older scans recorded late are marked as history.
 */
export async function onTrackingEventRecorded(
  trx: Transaction<Database>,
  event: DomainEvent<'tracking_event.recorded'>,
  now: Date,
): Promise<number> {
  const d: ScanData = event.data
  if (!reachesCases(d)) return 0
  // Cases opened after the scan was recorded do not get it (whether they do would depend on which consumer ran first).
  const caseIds = await linkStore.listCaseIdsForShipments(
    trx,
    event.merchant_id,
    d.shipment_ids,
    new Date(d.recorded_at),
  )
  const text = [d.carrier ?? 'Carrier', d.status.replace(/_/g, ' '), d.message ?? '', d.tracking_number]
    .filter(Boolean)
    .join(': ')
  const actor = auditActor(systemActor(event.merchant_id, 'carrier scans'))
  const ids = await appendTimelineEntries(
    trx,
    event.merchant_id,
    caseIds.map((caseId) => ({
      caseId,
      type: 'carrier_event',
      actor,
      occurredAt: new Date(d.occurred_at),
      dedupKey: `scan:${d.event_id}`,
      data: {
        tracker_id: d.tracker_id,
        event_id: d.event_id,
        status: d.status,
        sub_status: d.sub_status,
        message: d.message,
        tracking_number: d.tracking_number,
        carrier: d.carrier,
        history: !d.current,
      },
      text,
    })),
    now,
  )
  return ids.length
}
