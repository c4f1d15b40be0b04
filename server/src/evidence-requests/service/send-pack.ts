import { requirePermission } from '../../auth/actor.js'
import { mailSetupOf, sendMessage } from '../../messaging/service.js'
import type { Address } from '../../messaging/service.js'
import type { EvidenceContext } from '../../evidence/index.js'
import { evidencePack } from './pack.js'

export type PackEmailInput = { to?: Address[]; subject?: string; text: string }

/**
 * Emails the case's evidence pack (as the caller may see it) as a ZIP attachment: to the case's customer unless
 * `to` names a carrier's or finance's address. The ZIP is stored first; a message refused after it takes it away.
 */
export async function emailEvidencePack(ctx: EvidenceContext, caseId: string, input: PackEmailInput, now: Date) {
  // The route needs messages.send; what goes out is the case's, so reading it is needed too.
  requirePermission(ctx.actor, 'cases.read')
  const { db, ...app } = ctx.app
  const pack = await evidencePack(ctx, caseId, now, 'emailed')
  const blob = await app.blobs.put(pack.stream, { merchantId: ctx.merchantId, maxBytes: app.config.filesMaxBytes })
  const file = { fileName: pack.filename, contentType: 'application/zip', sizeBytes: blob.sizeBytes, blobKey: blob.key }
  try {
    return await db
      .transaction()
      .execute((trx) => sendMessage(trx, ctx, caseId, { ...input, files: [file] }, mailSetupOf(app.config), now))
  } catch (err) {
    await app.blobs.delete(blob.key)
    throw err
  }
}
