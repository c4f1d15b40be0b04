// What other modules use of retention: the legal-hold checks.
export { assertNotHeld, findHolds, heldCaseIds, isHeld, type HoldTarget } from './service/find-holds.js'

/*
 * The evidence module's seam (wired at merge, in evidence/module.ts; nothing here imports evidence):
 *
 *   purgers: [{ kind: 'evidence', purge: purgeEvidence }],
 *   blobHolds: evidenceBlobHeld,
 *
 *   // One batch of the evidence policy of type `batch.scope` ('' = every type not in batch.otherScopes): up to
 *   // batch.limit evidence_items with id > batch.cursor and created_at < batch.cutoff, locked FOR UPDATE SKIP
 *   // LOCKED; batch.judgeCases(trx, caseIds) says per case 'purge' | 'held' | 'keep' (a legal hold, or not
 *   // closed before the cutoff for after 'case_closed'). Unless batch.dryRun: delete the 'purge' rows (with
 *   // evidence_count, timeline and audit with the SHA-256, event evidence.deleted), commit, then
 *   // ctx.blobs.delete(blob_key and thumbnail_key). Return { removed: ids, held: count of 'held' rows,
 *   // cursor: last id seen, or null when fewer than batch.limit were found }.
 *   purgeEvidence(ctx: AppContext, batch: PurgeBatch): Promise<PurgeResult>
 *
 *   // Whether the file is an evidence item's original or thumbnail on a case a hold keeps (isHeld above):
 *   // GuardedBlobStore then refuses its deletion with 409 legal_hold.
 *   evidenceBlobHeld(db: Db, merchantId: string, blobKey: string): Promise<boolean>
 *
 * ev-core's no-op seam evidence/hold.ts (assertNotHeld, isHeld; same signatures) becomes
 *   export { assertNotHeld, isHeld } from '../retention/index.js'
 */
