import { newId } from './ids.js'

// What the services that keep records by their id at a source (orders, shipments) share: a source's own
// clock orders its updates, and a record is inserted or updated with the race between two inserts settled.

/** An update older, by the source's clock, than the one held is stale: it is ignored. */
export const isStale = (sourceUpdatedAt: Date | null | undefined, held: { source_updated_at: Date | null }) =>
  !!(sourceUpdatedAt && held.source_updated_at && sourceUpdatedAt < held.source_updated_at)

/** A repeat still advances the source's clock, or an older, different update could slip in after it. */
export const advancesClock = (sourceUpdatedAt: Date | null | undefined, held: { source_updated_at: Date | null }) =>
  !!sourceUpdatedAt && (!held.source_updated_at || sourceUpdatedAt > held.source_updated_at)

/** The columns a new record starts with: its keys, at the source too, and when we first heard of it. */
export const newSourceRecord = (merchantId: string, input: { source: string; externalId: string }, now: Date) => ({
  merchant_id: merchantId,
  id: newId(),
  source: input.source,
  external_id: input.externalId,
  created_at: now,
})

/**
 * Updates the held row, or inserts the record; undefined when the insert found the record inserted by a
 * concurrent writer first (the caller runs again, and its write becomes an update of theirs).
 */
export async function writeSourceRecord<Row>(
  held: Row | undefined,
  write: { update: (held: Row) => Promise<Row>; insert: () => Promise<Row | undefined> },
): Promise<{ row: Row; outcome: 'created' | 'updated' } | undefined> {
  if (held) return { row: await write.update(held), outcome: 'updated' }
  const inserted = await write.insert()
  return inserted && { row: inserted, outcome: 'created' }
}
