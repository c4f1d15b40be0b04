// What several modules' route handlers read from a request the same way.

/** A synced record's key in a request body: its source ('api' unless one is named) and its id there. */
export const sourceKey = <B extends { source?: string; external_id?: string }>(
  b: B,
): { source: string; externalId: B['external_id'] } => ({ source: b.source ?? 'api', externalId: b.external_id })
