import { AppError } from './errors.js'
import { isUuid } from './ids.js'

// Cursors are opaque to clients: anything that does not decode to the shape we wrote is refused alike, before
// it reaches SQL (a value list of the wrong length there is a row comparison of the wrong arity).

export const invalidCursor = () =>
  new AppError('validation_failed', 'The cursor is not valid', {
    errors: [{ path: 'querystring/cursor', message: 'is not a cursor from this API' }],
  })

export const encodeCursor = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url')

export function decodeCursor(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    throw invalidCursor()
  }
}

export type CursorValueKind = 'timestamp' | 'uuid' | 'integer' | 'number'

// As PostgreSQL's JSON and Date#toISOString write instants: four-digit years, which the database takes back.
const timestamp = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/
const fits: Record<CursorValueKind, (v: unknown) => boolean> = {
  timestamp: (v) => typeof v === 'string' && timestamp.test(v) && !Number.isNaN(Date.parse(v)),
  uuid: (v) => typeof v === 'string' && isUuid(v),
  integer: (v) => Number.isSafeInteger(v),
  number: (v) => typeof v === 'number' && Number.isFinite(v),
}

/** The cursor's values when there are exactly as many as kinds, each of its kind; otherwise a 400. */
export function cursorValues(values: unknown, kinds: readonly CursorValueKind[]): unknown[] {
  if (!Array.isArray(values) || values.length !== kinds.length || !kinds.every((kind, i) => fits[kind](values[i])))
    throw invalidCursor()
  return values
}
