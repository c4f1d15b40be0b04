import { systemContext } from '../../auth/actor.js'
import type { Db } from '../../db/owned.js'
import type { Purger } from '../../modules.js'
import { isHeld } from '../hold.js'
import * as store from '../store.js'
import { evidenceContext } from './context.js'
import { removeItem } from './manage-evidence.js'

/**
 * The evidence retention policies: an item past its type's time (on a case closed long enough, for 'case_closed')
 * is deleted like an agent's deletion (evidence_count, timeline, audit with the SHA-256, evidence.deleted), then
 * its files. Items on cases a legal hold keeps stay whole.
 */
export const evidencePurger: Purger = {
  kind: 'evidence',
  purge: async (app, batch) => {
    const { merchantId, limit, dryRun, now } = batch
    const ctx = evidenceContext(app, systemContext(merchantId, 'retention'), now)
    const result = await app.db.transaction().execute(async (trx) => {
      const rows = await store.lockItemsToPurge(trx, merchantId, {
        scope: batch.scope,
        otherScopes: batch.otherScopes,
        before: batch.cutoff,
        after: batch.cursor,
        limit,
      })
      const verdicts = await batch.judgeCases(trx, [...new Set(rows.map((r) => r.case_id))])
      const due = rows.filter((r) => verdicts.get(r.case_id) === 'purge')
      const held = rows.filter((r) => verdicts.get(r.case_id) === 'held').length
      const cursor = rows.length < limit ? null : rows[rows.length - 1]!.id
      if (!dryRun) for (const row of due) await removeItem(trx, ctx, row, 'evidence.purged')
      return { removed: due, held, cursor }
    })
    // After the commit: a rollback must not have lost the files.
    if (!dryRun)
      for (const key of result.removed.flatMap((r) => [r.blob_key, r.thumbnail_key]))
        if (key) await app.blobs.delete(key)
    return { removed: result.removed.map((r) => r.id), held: result.held, cursor: result.cursor }
  },
}

/** The file store's check: an evidence file on a case a legal hold keeps is not deleted. */
export async function evidenceBlobHeld(db: Db, merchantId: string, blobKey: string): Promise<boolean> {
  const caseId = await store.findCaseOfBlob(db, merchantId, blobKey)
  return caseId !== undefined && isHeld(db, merchantId, { caseId })
}
