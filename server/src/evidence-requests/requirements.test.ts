import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { expectError, startTestApp } from '../../test/harness.js'
import { systemContext } from '../auth/actor.js'
import { openCase } from '../cases/service.js'
import { pdf, photoJpeg } from '../evidence/testing.js'
import { addEvidence, evidenceContext } from '../evidence/index.js'
import { assertEvidenceComplete } from './service.js'

const { env, m, call, other } = await startTestApp({ other: true })
const [jpeg, pdfDoc] = await Promise.all([photoJpeg(), pdf()])
const db = env.ctx.db
const ctx = systemContext(m.id)

const open = (merchantId = m.id) =>
  db
    .transaction()
    .execute((trx) =>
      openCase(trx, systemContext(merchantId), { caseType: 'damaged', subject: 'Broken mug' }, new Date()),
    )
    .then((c) => c.id)

const add = (caseId: string, typeKey: string, bytes = jpeg) =>
  addEvidence(evidenceContext(env.ctx, ctx), {
    caseId,
    typeKey,
    source: 'upload',
    uploader: { kind: 'agent' },
    file: { stream: Readable.from([bytes]), filename: 'f' },
  })

describe('required evidence', () => {
  it("checks a case against its case type's required_evidence by default, and turns complete as evidence comes in", async () => {
    const caseId = await open()
    const first = await call('GET', `/cases/${caseId}/evidence/check`, undefined, 'viewer')
    expect(first.statusCode, first.body).toBe(200)
    expect(first.json()).toEqual({
      action: 'case',
      complete: false,
      required: ['damage_photo', 'packaging_photo', 'invoice'],
      present: [],
      missing: ['damage_photo', 'packaging_photo', 'invoice'],
      unknown: [],
    })
    await add(caseId, 'damage_photo')
    await add(caseId, 'packaging_photo')
    await add(caseId, 'invoice', pdfDoc)
    expect((await call('GET', `/cases/${caseId}/evidence/check?for=case`)).json()).toMatchObject({
      complete: true,
      present: ['damage_photo', 'invoice', 'packaging_photo'],
      missing: [],
      unknown: [],
    })
  })

  it('keeps per-action requirements, and the gate refuses with 409 evidence_missing until they are met', async () => {
    const put = await call(
      'PUT',
      '/evidence/requirements',
      { actions: { carrier_claim: ['damage_photo', 'proof_of_postage'], refund_approval: ['invoice'] } },
      'manager',
    )
    expect(put.statusCode, put.body).toBe(200)
    expect((await call('GET', '/evidence/requirements', undefined, 'agent')).json()).toEqual({
      actions: { carrier_claim: ['damage_photo', 'proof_of_postage'], refund_approval: ['invoice'] },
    })
    const caseId = await open()
    await add(caseId, 'damage_photo')
    expect((await call('GET', `/cases/${caseId}/evidence/check?for=carrier_claim`)).json()).toEqual({
      action: 'carrier_claim',
      complete: false,
      required: ['damage_photo', 'proof_of_postage'],
      present: ['damage_photo'],
      missing: ['proof_of_postage'],
      unknown: [],
    })
    const refused = await assertEvidenceComplete(db, m.id, caseId, 'carrier_claim').catch((e: unknown) => e)
    expect(refused).toMatchObject({
      code: 'evidence_missing',
      status: 409,
      details: { case_id: caseId, action: 'carrier_claim', missing: ['proof_of_postage'] },
    })
    await add(caseId, 'proof_of_postage', pdfDoc)
    expect((await assertEvidenceComplete(db, m.id, caseId, 'carrier_claim')).complete).toBe(true)
    // An action nobody set needs nothing.
    expect((await call('GET', `/cases/${caseId}/evidence/check?for=warranty_claim`)).json().complete).toBe(true)
    // Replacing drops what was left out.
    await call('PUT', '/evidence/requirements', { actions: { refund_approval: [] } })
    expect((await call('GET', '/evidence/requirements')).json()).toEqual({ actions: { refund_approval: [] } })
  })

  it("refuses unknown types, repeats, the case's own action and bad keys, and only managers set requirements", async () => {
    const bad = await call('PUT', '/evidence/requirements', {
      actions: { case: ['invoice'], carrier_claim: ['selfie', 'invoice', 'invoice'] },
    })
    expectError(bad, 422, 'evidence_requirement_invalid', {
      errors: [
        { path: '/actions/case', reason: expect.any(String) },
        { path: '/actions/carrier_claim/0', reason: 'unknown evidence type selfie' },
        { path: '/actions/carrier_claim/2', reason: 'invoice is listed twice' },
      ],
    })
    expectError(
      await call('PUT', '/evidence/requirements', { actions: { 'Bad-Key': [] } }),
      422,
      'evidence_requirement_invalid',
      {
        errors: [{ path: '/actions/Bad-Key', reason: 'not an action key' }],
      },
    )
    expect((await call('PUT', '/evidence/requirements', { actions: {} }, 'agent')).statusCode).toBe(403)
    expect((await call('GET', '/cases/00000000-0000-7000-8000-000000000000/evidence/check?for=x%00')).statusCode).toBe(
      400,
    )
  })

  it("answers 404 for another workspace's case, and keeps each workspace's requirements apart", async () => {
    const foreign = await open(other.id)
    expectError(await call('GET', `/cases/${foreign}/evidence/check`), 404, 'case_not_found', { case_id: foreign })
    const theirs = await call('GET', '/evidence/requirements', undefined, {
      authorization: `Bearer ${other.keys.admin}`,
    })
    expect(theirs.json()).toEqual({ actions: {} })
  })
})
