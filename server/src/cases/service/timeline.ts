import type { Transaction } from 'kysely'
import type { AuditActor } from '../../audit/service.js'
import { cursorValues, decodeCursor, encodeCursor } from '../../cursors.js'
import type { Database } from '../../db/schema.js'
import { newId } from '../../ids.js'
import { publishLive } from '../../live/publish.js'
import * as store from '../store.js'
import { toTimelineEntry, type TimelineEntry } from '../types.js'

type Trx = Transaction<Database>

// Entry types this module writes; other modules register theirs (message, sla.breached, evidence.added…).
const entryTypes = new Set([
  'case.opened', 'status_changed', 'priority_changed', 'assigned', 'fields_changed', 'note', 'carrier_event', 'link_added', 'link_removed',
  'merged', 'merged_into', 'escalated', 'reopened', 'follow_up', 'review_opened', 'split', 'incident_attached', 'incident_detached',
])

export function registerTimelineEntryType(type: string): void {
  entryTypes.add(type)
}

export type NewTimelineEntry = {
  caseId: string
  type: string
  actor: AuditActor
  occurredAt: Date
  data?: Record<string, unknown>
  /** What full-text search finds the case by */
  text?: string
  /** The same key on the same case lands once (retried consumers and jobs) */
  dedupKey?: string
}

/**
 * The one way onto a case's timeline, for this module and every other: entries are typed (a
 * registered type), carry actor and event time, and a text for search. Returns the ids written.
 */
export async function appendTimelineEntries(trx: Trx, merchantId: string, entries: NewTimelineEntry[], now: Date): Promise<string[]> {
  for (const e of entries) {
    if (!entryTypes.has(e.type)) throw new Error(`Timeline entry type "${e.type}" is not registered`)
  }
  const rows = entries.map((e) => ({
    merchant_id: merchantId, id: newId(), case_id: e.caseId, type: e.type, occurred_at: e.occurredAt, actor_type: e.actor.type, actor_id: e.actor.id,
    data: JSON.stringify(e.data ?? {}), text: (e.text ?? '').slice(0, 20_000), dedup_key: e.dedupKey ?? null, created_at: now,
  }))
  const ids = new Set(await store.insertTimeline(trx, rows))
  // An open case page shows new entries as they land (entries a dedup key refused are not news).
  const landed = rows.filter((r) => ids.has(r.id))
  const texts = new Map<string, string>()
  for (const r of landed) if (r.text) texts.set(r.case_id, texts.has(r.case_id) ? `${texts.get(r.case_id)}\n${r.text}` : r.text)
  await store.addTimelineSearch(trx, merchantId, texts)
  await publishLive(trx, [...new Set(landed.map((r) => r.case_id))].map((caseId) => ({
    merchant_id: merchantId, type: 'case.timeline', data: { case_id: caseId, entry_types: [...new Set(landed.filter((r) => r.case_id === caseId).map((r) => r.type))] },
  })))
  return landed.map((r) => r.id)
}

export async function appendTimelineEntry(trx: Trx, merchantId: string, entry: NewTimelineEntry, now: Date): Promise<string | null> {
  return (await appendTimelineEntries(trx, merchantId, [entry], now))[0] ?? null
}

export type TimelinePage = { data: TimelineEntry[]; next_cursor: string | null }

const encode = (e: TimelineEntry) => encodeCursor([e.occurred_at.toISOString(), e.id])

export function decodeTimelineCursor(cursor: string | undefined): { at: Date; id: string } | undefined {
  if (!cursor) return undefined
  const [at, id] = cursorValues(decodeCursor(cursor), ['timestamp', 'uuid']) as [string, string]
  return { at: new Date(at), id }
}

export async function listTimelineEntries(db: store.Db, merchantId: string, caseIds: string[], f: Omit<store.TimelineFilter, 'limit'> & { limit: number }): Promise<TimelinePage> {
  const rows = await store.listTimeline(db, merchantId, caseIds, { ...f, limit: f.limit + 1 })
  const data = rows.slice(0, f.limit).map(toTimelineEntry)
  return { data, next_cursor: rows.length > f.limit ? encode(data[data.length - 1]!) : null }
}
