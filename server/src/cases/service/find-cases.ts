import { AppError } from '../../errors.js'
import * as store from '../store.js'
import { toCase, toLink, type Case, type CaseDetail } from '../types.js'
import { listTimelineEntries, type TimelinePage } from './timeline.js'

/** The case row, or 404: also what routes check before a permission that depends on the request (404 before 403). */
export async function findCaseOrThrow(db: store.Db, merchantId: string, id: string): Promise<store.CaseRow> {
  const row = await store.findCase(db, merchantId, id)
  if (!row) throw new AppError('case_not_found', 404, 'No such case', { case_id: id })
  return row
}

export async function getCase(db: store.Db, merchantId: string, id: string): Promise<CaseDetail> {
  const row = await findCaseOrThrow(db, merchantId, id)
  const [links, followers, children] = await Promise.all([
    store.listLinks(db, merchantId, [id]), store.listFollowers(db, merchantId, id), store.listChildren(db, merchantId, id),
  ])
  return { ...toCase(row), links: links.map(toLink), followers, children: children.map((c) => c.id) }
}

export type CaseList = { data: Case[]; next_cursor: string | null; counts?: Record<store.AgeBucket, number> }

const badCursor = () => new AppError('validation_failed', 400, 'The cursor is not valid', { errors: [{ path: 'querystring/cursor', message: 'is not a cursor from this API' }] })

// Cursors carry the sort they were made for, so a cursor reused with another sort is refused, not misread.
function decodeCursor(cursor: string | undefined, sort: store.CaseSort): unknown[] | undefined {
  if (!cursor) return undefined
  let decoded: unknown
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw badCursor()
  }
  const [s, values] = Array.isArray(decoded) ? decoded : []
  if (s !== sort || !Array.isArray(values) || !values.every((v) => typeof v === 'string' || typeof v === 'number')) throw badCursor()
  return values
}

/** Filters, full-text search (ranked when sorted by relevance), keyset pages, and counts per age bucket. */
export async function listCases(db: store.Db, merchantId: string, f: store.CaseFilter, o: { sort: store.CaseSort; cursor?: string; limit: number; counts?: boolean }, now: Date): Promise<CaseList> {
  // "CD-1042" finds that case.
  const byNumber = f.q?.trim().match(/^CD-?(\d{1,15})$/i)
  const filter = byNumber ? { ...f, q: undefined, number: Number(byNumber[1]) } : f
  const rows = await store.listCases(db, merchantId, filter, o.sort, { after: decodeCursor(o.cursor, o.sort), limit: o.limit + 1 }, now)
  const page = rows.slice(0, o.limit)
  const last = page[page.length - 1]
  return {
    data: page.map(toCase),
    next_cursor: rows.length > o.limit && last ? Buffer.from(JSON.stringify([o.sort, last.sort_key])).toString('base64url') : null,
    ...(o.counts ? { counts: await store.countCasesByAge(db, merchantId, filter, now) } : {}),
  }
}

/** The case's timeline with those of the cases merged into it, in event-time order. */
export async function listCaseTimeline(db: store.Db, merchantId: string, caseId: string, f: { types?: string[]; after?: { at: Date; id: string }; limit: number; desc?: boolean }): Promise<TimelinePage> {
  await findCaseOrThrow(db, merchantId, caseId)
  const merged = await store.listMergedIds(db, merchantId, caseId)
  return listTimelineEntries(db, merchantId, [caseId, ...merged], f)
}
