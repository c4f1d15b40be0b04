import { cursorValues, decodeCursor, encodeCursor, invalidCursor } from '../../cursors.js'
import { AppError } from '../../errors.js'
import * as caseListStore from '../store/case-list.js'
import type { AgeBucket, CaseFilter, CaseSort } from '../store/case-list.js'
import * as caseStore from '../store/cases.js'
import type { CaseRow, Db } from '../store/cases.js'
import * as followerStore from '../store/followers.js'
import * as linkStore from '../store/links.js'
import { toCase, type Case, type CaseDetail } from '../types.js'
import { liveLinks } from './links.js'
import { listTimelineEntries, type TimelinePage } from './timeline.js'

/** The case row, or 404: also what routes check before a permission that depends on the request (404 before 403). */
export async function findCaseOrThrow(db: Db, merchantId: string, id: string): Promise<CaseRow> {
  const row = await caseStore.findCase(db, merchantId, id)
  if (!row) throw new AppError('case_not_found', 'No such case', { case_id: id })
  return row
}

export async function getCase(db: Db, merchantId: string, id: string): Promise<CaseDetail> {
  const row = await findCaseOrThrow(db, merchantId, id)
  const [links, followers, children] = await Promise.all([
    linkStore.listLinks(db, merchantId, [id]),
    followerStore.listFollowers(db, merchantId, id),
    caseStore.listChildren(db, merchantId, id),
  ])
  return {
    ...toCase(row),
    links: await liveLinks(db, merchantId, links),
    followers,
    children: children.map((c) => c.id),
  }
}

export type CaseList = { data: Case[]; next_cursor: string | null; counts?: Record<AgeBucket, number> }

// Cursors carry the sort they were made for, so a cursor reused with another sort is refused, not misread; its
// values must fit that sort's keys (a relevance sort has one more key with a search than without).
function decodeCaseCursor(cursor: string | undefined, sort: CaseSort, q: string | undefined): unknown[] | undefined {
  if (!cursor) return undefined
  const decoded = decodeCursor(cursor)
  const [s, values] = Array.isArray(decoded) && decoded.length === 2 ? decoded : []
  if (s !== sort) throw invalidCursor()
  return cursorValues(values, caseListStore.sortKeyKinds(sort, q))
}

/** Filters, full-text search (ranked when sorted by relevance), keyset pages, and counts per age bucket. */
export async function listCases(
  db: Db,
  merchantId: string,
  f: CaseFilter,
  o: { sort: CaseSort; cursor?: string; limit: number; counts?: boolean },
  now: Date,
): Promise<CaseList> {
  // "CD-1042" finds that case.
  const byNumber = f.q?.trim().match(/^CD-?(\d{1,15})$/i)
  const filter = byNumber ? { ...f, q: undefined, number: Number(byNumber[1]) } : f
  const rows = await caseListStore.listCases(
    db,
    merchantId,
    filter,
    o.sort,
    { after: decodeCaseCursor(o.cursor, o.sort, filter.q), limit: o.limit + 1 },
    now,
  )
  const page = rows.slice(0, o.limit)
  const last = page[page.length - 1]
  return {
    data: page.map(toCase),
    next_cursor: rows.length > o.limit && last ? encodeCursor([o.sort, last.sort_key]) : null,
    ...(o.counts ? { counts: await caseListStore.countCasesByAge(db, merchantId, filter, now) } : {}),
  }
}

/** The case's timeline with those of the cases merged into it, in event-time order. */
export async function listCaseTimeline(
  db: Db,
  merchantId: string,
  caseId: string,
  f: { types?: string[]; after?: { at: Date; id: string }; limit: number; desc?: boolean },
): Promise<TimelinePage> {
  await findCaseOrThrow(db, merchantId, caseId)
  const merged = await caseStore.listMergedIds(db, merchantId, caseId)
  return listTimelineEntries(db, merchantId, [caseId, ...merged], f)
}
