import { systemContext } from '../../auth/actor.js'
import { listCaseIdsOfCustomer } from '../../cases/service.js'
import type { AppContext } from '../../context.js'
import { findErasedAt } from '../../customers/service.js'
import { isHeld } from '../hold.js'
import * as store from '../store.js'
import { evidenceContext } from './context.js'
import { removeItem } from './manage-evidence.js'

/**
 * A customer's erasure reaching their evidence (GDPR; Shopify's customers/redact): every item on their cases from
 * before the erasure is deleted, row and files, except on cases under legal hold. The audit trail keeps each file's
 * hash, never its name. Idempotent: a second run finds nothing left to remove.
 */
export async function eraseCustomerEvidence(
  app: AppContext,
  merchantId: string,
  customerId: string,
  now: Date,
): Promise<number> {
  const erasedAt = await findErasedAt(app.db, merchantId, customerId)
  if (!erasedAt) return 0
  const { own } = await listCaseIdsOfCustomer(app.db, merchantId, customerId)
  const ctx = evidenceContext(app, systemContext(merchantId, 'erasure'), now)
  const removed = await app.db.transaction().execute(async (trx) => {
    const rows = (await store.listItemsOfCases(trx, merchantId, own)).filter((r) => r.created_at <= erasedAt)
    const held = new Set<string>()
    for (const caseId of new Set(rows.map((r) => r.case_id)))
      if (await isHeld(trx, merchantId, { caseId, customerId })) held.add(caseId)
    const gone = rows.filter((r) => !held.has(r.case_id))
    for (const row of gone) await removeItem(trx, ctx, row, 'evidence.erased')
    return gone
  })
  // After the commit: a rollback must not have lost the files.
  await Promise.all(removed.flatMap((r) => [r.blob_key, r.thumbnail_key]).map((k) => k && app.blobs.delete(k)))
  return removed.length
}
