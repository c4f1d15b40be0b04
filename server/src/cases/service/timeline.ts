import type { Transaction } from 'kysely'
import type { AuditActor } from '../../audit/service.js'
import { cursorValues, decodeCursor, encodeCursor } from '../../cursors.js'
import type { Database } from '../../db/schema.js'
import { AppError } from '../../errors.js'
import { newId } from '../../ids.js'
import { publishLive } from '../../live/publish.js'
import { carrierName } from '../../shipments/carriers.js'
import { getTeam } from '../../teams/service.js'
import { getUser } from '../../users/service.js'
import type { Db } from '../store/cases.js'
import * as timelineStore from '../store/timeline.js'
import type { TimelineFilter } from '../store/timeline.js'
import type { TimelineVisibility } from '../tables.js'
import { caseTimelineTypes } from '../timeline-types.js'
import { toTimelineEntry, type TimelineEntry } from '../types.js'

type Trx = Transaction<Database>

// The entry types every module declares (`Module.timeline`): this module's own until setup hands over the rest.
let entryTypes = new Set<string>(caseTimelineTypes)
// Those whose text the case's search document leaves out.
let unsearched: string[] = []

export function useTimelineTypes(types: readonly string[], unsearchedTypes: readonly string[] = []): void {
  entryTypes = new Set([...caseTimelineTypes, ...types])
  unsearched = [...unsearchedTypes]
}

/** The entry types search leaves out (for rebuilding a search document from a timeline). */
export const unsearchedTimelineTypes = (): readonly string[] => unsearched

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
  /** Who may read it: internal (the default: notes, side conversations, work) or public (the customer's conversation) */
  visibility?: TimelineVisibility
}

/**
 * The one way onto a case's timeline, for this module and every other: entries are typed (a
 * declared type), carry actor and event time, and a text for search. Returns the ids written.
 */
export async function appendTimelineEntries(
  trx: Trx,
  merchantId: string,
  entries: NewTimelineEntry[],
  now: Date,
): Promise<string[]> {
  const landed = await insertTimelineEntries(trx, merchantId, entries, now)
  await timelineStore.addTimelineSearch(trx, merchantId, searchTexts(landed))
  await announceTimelineEntries(trx, merchantId, landed)
  return landed.map((r) => r.id)
}

type LandedEntry = { id: string; case_id: string; type: string; text: string }

/** Writes the entries; returns those that landed (a dedup key refuses the rest). Search and announcing are the caller's. */
export async function insertTimelineEntries(
  trx: Trx,
  merchantId: string,
  entries: NewTimelineEntry[],
  now: Date,
): Promise<LandedEntry[]> {
  for (const e of entries) {
    if (!entryTypes.has(e.type)) throw new Error(`Timeline entry type "${e.type}" is not registered`)
  }
  const rows = entries.map((e) => ({
    merchant_id: merchantId,
    id: newId(),
    case_id: e.caseId,
    type: e.type,
    occurred_at: e.occurredAt,
    actor_type: e.actor.type,
    actor_id: e.actor.id,
    data: JSON.stringify(e.data ?? {}),
    text: (e.text ?? '').slice(0, 20_000),
    dedup_key: e.dedupKey ?? null,
    visibility: e.visibility ?? 'internal',
    created_at: now,
  }))
  const ids = new Set(await timelineStore.insertTimeline(trx, rows))
  return rows.filter((r) => ids.has(r.id))
}

/** What each case's search document gains from the entries that landed. */
export function searchTexts(landed: LandedEntry[]): Map<string, string> {
  const texts = new Map<string, string>()
  for (const r of landed)
    if (r.text && !unsearched.includes(r.type))
      texts.set(r.case_id, texts.has(r.case_id) ? `${texts.get(r.case_id)}\n${r.text}` : r.text)
  return texts
}

// An open case page shows new entries as they land (entries a dedup key refused are not news).
export async function announceTimelineEntries(trx: Trx, merchantId: string, landed: LandedEntry[]): Promise<void> {
  await publishLive(
    trx,
    [...new Set(landed.map((r) => r.case_id))].map((caseId) => ({
      merchant_id: merchantId,
      type: 'case.timeline',
      data: {
        case_id: caseId,
        entry_types: [...new Set(landed.filter((r) => r.case_id === caseId).map((r) => r.type))],
      },
    })),
  )
}

export async function appendTimelineEntry(
  trx: Trx,
  merchantId: string,
  entry: NewTimelineEntry,
  now: Date,
): Promise<string | null> {
  return (await appendTimelineEntries(trx, merchantId, [entry], now))[0] ?? null
}

export type TimelinePage = { data: (TimelineEntry & { names: Record<string, string> })[]; next_cursor: string | null }

const encode = (e: TimelineEntry) => encodeCursor([e.occurred_at.toISOString(), e.id])

export function decodeTimelineCursor(cursor: string | undefined): { at: Date; id: string } | undefined {
  if (!cursor) return undefined
  const [at, id] = cursorValues(decodeCursor(cursor), ['timestamp', 'uuid']) as [string, string]
  return { at: new Date(at), id }
}

export async function listTimelineEntries(
  db: Db,
  merchantId: string,
  caseIds: string[],
  f: Omit<TimelineFilter, 'limit'> & { limit: number },
): Promise<TimelinePage> {
  const rows = await timelineStore.listTimeline(db, merchantId, caseIds, { ...f, limit: f.limit + 1 })
  const entries = rows.slice(0, f.limit).map(toTimelineEntry)
  const named = entries.map((e) => ({ e, ids: referencedIds(e) }))
  const names = await resolveNames(
    db,
    merchantId,
    named.flatMap((n) => n.ids.people),
    named.flatMap((n) => n.ids.teams),
  )
  const data = named.map(({ e, ids }) => {
    const known = [...ids.people, ...ids.teams].filter((id) => names.has(id))
    return { ...e, names: { ...Object.fromEntries(known.map((id) => [id, names.get(id)!])), ...carrierNames(e) } }
  })
  return { data, next_cursor: rows.length > f.limit ? encode(data[data.length - 1]!) : null }
}

const ids = (...values: unknown[]): string[] => values.flat().filter((v): v is string => typeof v === 'string')

/** The people and teams an entry names by id; their names are looked up when it is read (people get renamed). */
function referencedIds(e: TimelineEntry): { people: string[]; teams: string[] } {
  type Change = { from?: unknown; to?: unknown }
  const d = e.data as {
    from?: unknown
    to?: unknown
    team_id?: unknown
    mentions?: unknown
    changes?: Record<string, Change>
  }
  const actor = e.actor.type === 'user' ? [e.actor.id] : []
  if (e.type === 'assigned') return { people: ids(actor, d.from, d.to), teams: ids(d.team_id) }
  if (e.type === 'note') return { people: ids(actor, Array.isArray(d.mentions) ? d.mentions : []), teams: [] }
  if (e.type === 'fields_changed') {
    const by = d.changes?.refund_authorised_by
    return { people: ids(actor, by?.from, by?.to), teams: ids(d.changes?.team_id?.from, d.changes?.team_id?.to) }
  }
  return { people: ids(actor), teams: [] }
}

/** A carrier scan names its carrier by code ("dpd"); people read the carrier's name ("DPD"). */
function carrierNames(e: TimelineEntry): Record<string, string> {
  const code = e.type === 'carrier_event' ? e.data.carrier : undefined
  const name = typeof code === 'string' ? carrierName(code) : undefined
  return name ? { [code as string]: name } : {}
}

async function resolveNames(
  db: Db,
  merchantId: string,
  people: string[],
  teams: string[],
): Promise<Map<string, string>> {
  // Someone since deleted has no name to show; any other failure is a failure.
  const gone = (err: unknown) => {
    if (err instanceof AppError && err.status === 404) return undefined
    throw err
  }
  const found = await Promise.all([
    ...[...new Set(people)].map(async (id) => [id, (await getUser(db, merchantId, id).catch(gone))?.name] as const),
    ...[...new Set(teams)].map(async (id) => [id, (await getTeam(db, merchantId, id).catch(gone))?.name] as const),
  ])
  return new Map(found.filter((f): f is readonly [string, string] => f[1] !== undefined))
}
