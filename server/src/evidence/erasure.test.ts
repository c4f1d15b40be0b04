import path from 'node:path'
import type { Transaction } from 'kysely'
import { describe, expect, it } from 'vitest'
import { startTestApp } from '../../test/harness.js'
import { runDueJobs } from '../../test/jobs.js'
import { systemContext } from '../auth/actor.js'
import { openCase } from '../cases/service.js'
import type { Database } from '../db/schema.js'
import { redactCustomer, upsertCustomer } from '../customers/service.js'
import { sequenceOnce } from '../audit/sequencer.js'
import { verifyChain } from '../audit/verify.js'
import { runRetention } from '../retention/service/purge.js'
import { modules } from '../registry.js'
import { filesUnder, multipart, pdf, photoJpeg } from './testing.js'

const { env, app, m, call } = await startTestApp()
const db = env.ctx.db
const ctx = systemContext(m.id)
const blobRoot = path.join(env.ctx.config.dataDir, 'files')
const tx = <T>(fn: (trx: Transaction<Database>) => Promise<T>) => db.transaction().execute(fn)

async function customerCase(email: string) {
  const { customer } = await tx((trx) =>
    upsertCustomer(trx, ctx, { source: 'test', externalId: email, email, name: 'Sam Reed' }, new Date()),
  )
  const kase = await tx((trx) =>
    openCase(trx, ctx, { caseType: 'damaged', subject: 'Broken', customerId: customer.id }, new Date()),
  )
  return { customerId: customer.id, caseId: kase.id }
}

const day = 86_400_000
const itemRow = (id: string) => db.selectFrom('evidence_items').selectAll().where('id', '=', id).executeTakeFirst()
const hold = (caseId: string) =>
  call('POST', '/holds', { subject_type: 'case', subject_id: caseId, reason: 'Carrier dispute DX-7' })
/** The case closed, and its evidence taken, `days` ago. */
const ageCase = async (caseId: string, days: number) => {
  const at = new Date(Date.now() - days * day)
  await db.updateTable('cases').set({ closed_at: at }).where('id', '=', caseId).execute()
  await db.updateTable('evidence_items').set({ created_at: at }).where('case_id', '=', caseId).execute()
}

async function upload(caseId: string, type: string, name: string, data: Buffer) {
  const body = multipart({ type }, { name, data })
  const res = await app.inject({
    method: 'POST',
    url: `/api/v1/cases/${caseId}/evidence`,
    headers: { ...body.headers, authorization: `Bearer ${m.keys.admin}` },
    payload: body.payload,
  })
  expect(res.statusCode, res.body).toBe(201)
  return res.json() as { id: string; sha256: string }
}

describe("a customer's erasure", () => {
  it("deletes the evidence on the customer's cases, files included, and leaves other customers' alone", async () => {
    const sam = await customerCase('sam@example.com')
    const kim = await customerCase('kim@example.com')
    const photo = await upload(sam.caseId, 'damage_photo', 'sam-at-home.jpg', await photoJpeg())
    await upload(sam.caseId, 'invoice', 'sam-invoice.pdf', await pdf())
    const kept = await upload(kim.caseId, 'damage_photo', 'kim.jpg', await photoJpeg())
    const filesBefore = await filesUnder(blobRoot)

    await tx((trx) => redactCustomer(trx, ctx, sam.customerId, new Date()))
    await runDueJobs(env.ctx, modules)
    await runDueJobs(env.ctx, modules)

    expect((await call('GET', `/cases/${sam.caseId}/evidence`)).json().data).toEqual([])
    expect((await call('GET', `/cases/${kim.caseId}/evidence`)).json().data.map((i: { id: string }) => i.id)).toEqual([
      kept.id,
    ])
    // Two files and a thumbnail gone, nothing else.
    expect((await filesUnder(blobRoot)).length).toBe(filesBefore.length - 3)
    const row = await db
      .selectFrom('cases')
      .select('evidence_count')
      .where('id', '=', sam.caseId)
      .executeTakeFirstOrThrow()
    expect(row.evidence_count).toBe(0)
    const audit = await db
      .selectFrom('audit_entries')
      .select('changes')
      .where('entity_id', '=', photo.id)
      .where('action', '=', 'evidence.erased')
      .executeTakeFirstOrThrow()
    expect(JSON.stringify(audit.changes)).toContain(photo.sha256)
    expect(JSON.stringify(audit.changes)).not.toContain('sam-at-home')
  })
})

describe('legal holds and retention', () => {
  it("keeps a held case's photos through the purge and an erasure, takes the others', and the audit chain verifies", async () => {
    const held = await customerCase('held@example.com')
    const free = await customerCase('free@example.com')
    const heldPhoto = await upload(held.caseId, 'damage_photo', 'held.jpg', await photoJpeg())
    const freePhoto = await upload(free.caseId, 'damage_photo', 'free.jpg', await photoJpeg())
    // Photos are kept a year after their case closes (the default policy): both cases closed two years ago.
    await ageCase(held.caseId, 730)
    await ageCase(free.caseId, 730)
    expect((await hold(held.caseId)).statusCode).toBe(201)
    const heldRow = (await itemRow(heldPhoto.id))!

    // The file store refuses to delete a held file, whoever asks.
    await expect(env.ctx.blobs.delete(heldRow.blob_key)).rejects.toMatchObject({ code: 'legal_hold' })
    expect((await call('DELETE', `/evidence/${heldPhoto.id}`)).json().error.code).toBe('legal_hold')

    const runs = await runRetention(env.ctx, m.id, new Date())
    // One run per policy: the photos' is the one that acts.
    expect(runs.find((r) => r.kind === 'evidence:damage_photo')).toMatchObject({
      removed: 1,
      held: 1,
      error: null,
    })
    expect(await itemRow(freePhoto.id)).toBeUndefined()
    expect(await itemRow(heldPhoto.id)).toMatchObject({ sha256: heldPhoto.sha256 })
    expect(await env.ctx.blobs.stat(heldRow.blob_key)).toBeDefined()
    const purged = await db
      .selectFrom('audit_entries')
      .select('changes')
      .where('entity_id', '=', freePhoto.id)
      .where('action', '=', 'evidence.purged')
      .executeTakeFirstOrThrow()
    expect(JSON.stringify(purged.changes)).toContain(freePhoto.sha256)

    // Erasing the held customer is refused while the hold stands; the photo and its file stay.
    expect((await call('DELETE', `/customers/${held.customerId}`)).json().error.code).toBe('legal_hold')
    await runDueJobs(env.ctx, modules)
    expect(await itemRow(heldPhoto.id)).toBeDefined()

    while ((await sequenceOnce(db, new Date())) > 0);
    expect(await verifyChain(db, m.id)).toMatchObject({ ok: true })
  })
})
