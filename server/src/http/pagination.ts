import { invalidCursor } from '../cursors.js'
import { isUuid } from '../ids.js'

// Cursors are opaque to clients: base64url of the last row's sort key (a UUIDv7, so time-ordered).
function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined
  const id = Buffer.from(cursor, 'base64url').toString('utf8')
  if (!isUuid(id)) throw invalidCursor()
  return id
}

function pageOf<T extends { id: string }>(rows: T[], limit: number): { data: T[]; next_cursor: string | null } {
  const data = rows.slice(0, limit)
  const more = rows.length > limit
  return { data, next_cursor: more ? Buffer.from(data[data.length - 1]!.id).toString('base64url') : null }
}

export type PageRequest = { after?: string; limit: number }

/**
 * One page of a list: asks the store for one row more than the page holds, so whether another page
 * follows is known without a count.
 */
export async function listPage<T extends { id: string }>(
  query: { limit?: number; cursor?: string },
  fetch: (page: PageRequest) => Promise<T[]>,
): Promise<{ data: T[]; next_cursor: string | null }> {
  const limit = query.limit ?? 50
  return pageOf(await fetch({ after: decodeCursor(query.cursor), limit: limit + 1 }), limit)
}
