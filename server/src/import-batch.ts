import type { AuditActor } from './audit/service.js'

// What a bulk import shares with the modules that own its records: each module writes a batch of its
// records with set-based SQL (db/multi-row.ts) and one audit entry per record written, none for a repeat.

export type Outcome = 'created' | 'updated' | 'unchanged'

/** Who writes a batch: records are keyed by `source` and their external id; audit entries carry the actor and request id. */
export type Writer = { merchantId: string; source: string; actor: AuditActor; requestId: string }

/** A concurrent writer inserted one of the batch's records first: the batch is retried record by record. */
export class ConcurrentInsert extends Error {}
