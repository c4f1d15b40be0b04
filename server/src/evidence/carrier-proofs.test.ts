import { describe, expect, it } from 'vitest'
import { FixtureKit } from '../../test/route-fixtures.js'
import { runDueJobs } from '../../test/jobs.js'
import { startTestApp } from '../../test/harness.js'
import { systemContext } from '../auth/actor.js'
import { findCarrierProvider, normalizePayload, recordTracking } from '../carriers/service.js'
import { openCase } from '../cases/service.js'
import { modules } from '../registry.js'
import { upsertShipment } from '../shipments/service.js'
import { copyShipmentProofs } from './service/carrier-proofs.js'
import { photoPng } from './testing.js'

const { env, m, call } = await startTestApp()
const db = env.ctx.db
const kit = new FixtureKit(env.ctx, m)
const ctx = systemContext(m.id)
const jobs = () => runDueJobs(env.ctx, modules)

async function shipment(trackingNumber: string) {
  const order = await kit.order()
  const { shipment } = await db
    .transaction()
    .execute((trx) =>
      upsertShipment(
        trx,
        ctx,
        { source: 'test', externalId: kit.unique('s'), orderId: order.id, carrier: 'UPS', trackingNumber },
        new Date(),
      ),
    )
  return shipment.id
}

async function deliverWithProof(trackingNumber: string, proofs: { kind: string; data: Buffer }[]) {
  const result = normalizePayload(findCarrierProvider('generic'), {
    type: 'tracking.updated',
    data: {
      carrier: 'ups',
      tracking_number: trackingNumber,
      events: [{ status: 'delivered', occurred_at: '2026-11-02T10:00:00Z' }],
      proof_of_delivery: proofs.map((p) => ({
        kind: p.kind,
        content_type: 'image/png',
        data_base64: p.data.toString('base64'),
      })),
    },
  })
  if (result.kind !== 'tracking') throw new Error('payload ignored')
  await db
    .transaction()
    .execute((trx) =>
      recordTracking(
        trx,
        { merchantId: m.id, provider: 'generic', deliveryId: null, blobs: env.ctx.blobs },
        result.shipments[0]!,
        new Date(),
      ),
    )
}

const openOn = (shipmentId: string) =>
  db
    .transaction()
    .execute((trx) => openCase(trx, ctx, { caseType: 'lost_parcel', subject: 'Where is it', shipmentId }, new Date()))

const evidenceOf = async (caseId: string) => (await call('GET', `/cases/${caseId}/evidence`)).json().data

describe('carrier proofs of delivery as evidence', () => {
  it('copies a proof that arrives onto the cases already open on the shipment, once', async () => {
    const tn = kit.unique('1Z')
    const shipmentId = await shipment(tn)
    const kase = await openOn(shipmentId)
    await jobs()
    await deliverWithProof(tn, [
      { kind: 'signature', data: await photoPng(40, 20) },
      { kind: 'photo', data: await photoPng(64, 48) },
    ])
    await jobs()
    await jobs()
    const items = await evidenceOf(kase.id)
    expect(items.map((i: { type_key: string }) => i.type_key).sort()).toEqual(['pod_image', 'pod_signature'])
    expect(items[0]).toMatchObject({
      source: 'carrier_pod',
      uploader_kind: 'carrier',
      shipment_id: shipmentId,
      status: 'active',
    })
    const row = await db
      .selectFrom('cases')
      .select('evidence_count')
      .where('id', '=', kase.id)
      .executeTakeFirstOrThrow()
    expect(row.evidence_count).toBe(2)
  })

  it('copies the proofs a shipment already has onto a case opened later', async () => {
    const tn = kit.unique('1Z')
    const shipmentId = await shipment(tn)
    await deliverWithProof(tn, [{ kind: 'signature', data: await photoPng(30, 10) }])
    await jobs()
    const kase = await openOn(shipmentId)
    await jobs()
    expect((await evidenceOf(kase.id)).map((i: { type_key: string }) => i.type_key)).toEqual(['pod_signature'])
    // A second case on the same shipment gets its own copy; the first keeps one.
    const second = await openOn(shipmentId)
    await jobs()
    expect(await evidenceOf(second.id)).toHaveLength(1)
    expect(await evidenceOf(kase.id)).toHaveLength(1)
    // Replayed (a redelivered event): the source_ref keeps it one copy, and no blob is left over.
    await copyShipmentProofs(env.ctx, m.id, kase.id, shipmentId)
    expect(await evidenceOf(kase.id)).toHaveLength(1)
  })
})
