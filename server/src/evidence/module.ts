import { consumer, type Module } from '../modules.js'
import { evidenceEvents } from './events.js'
import { evidenceRoutes } from './routes.js'
import { systemContext } from '../auth/actor.js'
import { copyProofToCases, copyShipmentProofs } from './service/carrier-proofs.js'
import { refreshCaseEvidence } from './service/checklist.js'
import { eraseCustomerEvidence } from './service/erase-customer.js'
import { collectMessageAttachments } from './service/message-attachments.js'
import { evidenceBlobHeld, evidencePurger } from './service/purge-evidence.js'

/** Evidence on cases (issue 24): typed files judged by their bytes, on the case's timeline and in the audit trail. */
export const evidence: Module = {
  name: 'evidence',
  events: evidenceEvents,
  routes: evidenceRoutes,
  timeline: ['evidence_added', 'evidence_classified', 'evidence_deleted'],
  purgers: [evidencePurger],
  blobHolds: evidenceBlobHeld,
  consumers: [
    // A customer's erasure reaches their evidence (cases on legal hold keep theirs).
    consumer({
      name: 'evidence:customer-erasure',
      types: ['customer.redacted'],
      handle: async (event, ctx) => {
        if (event.subject_id) await eraseCustomerEvidence(ctx, event.merchant_id, event.subject_id, new Date())
      },
    }),
    // missing_evidence starts as the case type's whole list (a case keeps its type).
    consumer({
      name: 'evidence:checklist',
      types: ['case.opened'],
      handle: (event, ctx) =>
        ctx.db
          .transaction()
          .execute((trx) =>
            refreshCaseEvidence(trx, systemContext(event.merchant_id, 'evidence'), event.data.case_id, new Date()),
          ),
    }),
    // Carrier proofs of delivery become evidence on the shipment's cases: when the proof arrives, and when a case
    // opens on a shipment whose trackers hold proofs already.
    // A customer's photos and PDFs wait on the case as candidates for an agent to classify in one click.
    consumer({
      name: 'evidence:message-attachments',
      types: ['message.received'],
      accepts: (e) => e.data.visibility === 'public',
      handle: (event, ctx) => collectMessageAttachments(ctx, event.merchant_id, event.data.message_id),
    }),
    consumer({
      name: 'evidence:carrier-proof',
      types: ['tracking_media.stored'],
      handle: (event, ctx) => copyProofToCases(ctx, event.merchant_id, event.data.tracker_id, event.data.media_id),
    }),
    consumer({
      name: 'evidence:case-proofs',
      types: ['case.opened'],
      accepts: (e) => e.data.shipment_id !== null,
      handle: (event, ctx) => copyShipmentProofs(ctx, event.merchant_id, event.data.case_id, event.data.shipment_id!),
    }),
  ],
}
