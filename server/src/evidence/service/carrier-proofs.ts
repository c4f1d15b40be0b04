import { systemContext } from '../../auth/actor.js'
import { getTracker, openProof, trackersOfShipment } from '../../carriers/service.js'
import { listCases } from '../../cases/service.js'
import type { AppContext } from '../../context.js'
import { AppError } from '../../errors.js'
import * as store from '../store.js'
import { addEvidence } from './add-evidence.js'
import { listEvidenceTypes } from './catalogue.js'
import { evidenceContext } from './context.js'

type Proof = { trackerId: string; id: string; kind: string; contentType: string }

// A signature is pod_signature and a photo pod_image; a document (or a picture those types do not take, a TIFF
// signature say) is kept as `other` when that takes it, else not copied.
const typeFor = (kind: string) => (kind === 'signature' ? 'pod_signature' : kind === 'photo' ? 'pod_image' : 'other')

/** A proof just stored on a tracker, onto the cases of the tracker's shipments. */
export async function copyProofToCases(app: AppContext, merchantId: string, trackerId: string, mediaId: string) {
  const tracker = await getTracker(app.db, merchantId, trackerId)
  const proof = tracker.proofs.find((p) => p.id === mediaId)
  if (!proof) return
  for (const shipmentId of tracker.shipment_ids) {
    const cases = await listCases(app.db, merchantId, { shipmentId }, { sort: 'created_asc', limit: 200 }, new Date())
    for (const c of cases.data)
      await copyProof(app, merchantId, c.id, shipmentId, {
        trackerId,
        id: proof.id,
        kind: proof.kind,
        contentType: proof.content_type,
      })
  }
}

/** A case just opened on a shipment: the proofs its trackers already hold. */
export async function copyShipmentProofs(app: AppContext, merchantId: string, caseId: string, shipmentId: string) {
  for (const t of await trackersOfShipment(app.db, merchantId, shipmentId))
    for (const p of t.proofs)
      await copyProof(app, merchantId, caseId, shipmentId, {
        trackerId: t.id,
        id: p.id,
        kind: p.kind,
        contentType: p.content_type,
      })
}

/**
 * The proof's bytes as a new evidence item of the case (its own blob: the tracker keeps its copy), judged like any
 * upload. Once per case and proof: the source_ref's unique index settles a race between the two consumers.
 */
async function copyProof(app: AppContext, merchantId: string, caseId: string, shipmentId: string, proof: Proof) {
  const sourceRef = `tracking_media:${proof.id}`
  if (await store.hasSourceRef(app.db, merchantId, caseId, sourceRef)) return
  const type = (await listEvidenceTypes(app.db, merchantId)).find((t) => t.key === typeFor(proof.kind))
  if (!type?.formats.includes(proof.contentType)) return
  const file = await openProof(app.db, app.blobs, merchantId, proof.trackerId, proof.id)
  try {
    await addEvidence(evidenceContext(app, systemContext(merchantId, 'carrier')), {
      caseId,
      typeKey: type.key,
      source: 'carrier_pod',
      uploader: { kind: 'carrier' },
      file: { stream: file.body, filename: `${proof.kind}-${proof.id.slice(-12)}` },
      shipmentId,
      sourceRef,
    })
  } catch (err) {
    file.body.destroy()
    // A merged case, or a proof the evidence checks refuse: the carrier's copy stays on the tracker.
    if (err instanceof AppError && err.status < 500) return
    throw err
  }
}
