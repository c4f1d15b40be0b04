import type { AuditActor } from './audit/service.js'

// What a bulk import shares with the modules that own its records: each module writes a batch of its
// records with set-based SQL (db/multi-row.ts) and one audit entry per record written, none for a repeat.

export type Outcome = 'created' | 'updated' | 'unchanged'

/** Who writes a batch: records are keyed by `source` and their external id; audit entries carry the actor and request id. */
export type Writer = { merchantId: string; source: string; actor: AuditActor; requestId: string }

/** A concurrent writer inserted one of the batch's records first: the batch is retried record by record. */
export class ConcurrentInsert extends Error {}

/** The batch's records held already (locked by `lock` until commit), by their external id at the writer's source. */
export async function lockHeld<R extends { external_id: string | null }>(
  w: Writer,
  records: { externalId: string }[],
  lock: (merchantId: string, source: string, externalIds: string[]) => Promise<R[]>,
): Promise<Map<string | null, R>> {
  const held = await lock(
    w.merchantId,
    w.source,
    records.map((r) => r.externalId),
  )
  return new Map(held.map((r) => [r.external_id, r]))
}
