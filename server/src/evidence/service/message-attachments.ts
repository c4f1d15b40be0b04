import { systemContext } from '../../auth/actor.js'
import type { AppContext } from '../../context.js'
import { AppError } from '../../errors.js'
import { getMessage, openAttachment } from '../../messaging/service.js'
import { documentFormats } from '../catalogue.js'
import * as store from '../store.js'
import { addEvidence } from './add-evidence.js'
import { evidenceContext } from './context.js'

/**
 * The photos and PDFs a customer sent with a message, as evidence candidates on its case (type `other` until an
 * agent classifies one). Inline parts (a signature's logo) are left out; so is anything the evidence checks refuse.
 */
export async function collectMessageAttachments(app: AppContext, merchantId: string, messageId: string) {
  const message = await getMessage(app.db, merchantId, messageId)
  if (message.direction !== 'in') return
  for (const a of message.attachments) {
    if (!a.stored || a.content_id || !documentFormats.includes(a.content_type)) continue
    const sourceRef = `message_attachment:${a.id}`
    if (await store.hasSourceRef(app.db, merchantId, message.case_id, sourceRef)) continue
    const file = await openAttachment(app.db, app.blobs, merchantId, messageId, a.id)
    try {
      await addEvidence(evidenceContext(app, systemContext(merchantId, 'messaging')), {
        caseId: message.case_id,
        typeKey: 'other',
        source: 'message_attachment',
        uploader: { kind: 'customer' },
        status: 'candidate',
        file: { stream: file.body, filename: file.fileName },
        sourceRef,
      })
    } catch (err) {
      file.body.destroy()
      if (err instanceof AppError && err.status < 500) continue
      throw err
    }
  }
}
