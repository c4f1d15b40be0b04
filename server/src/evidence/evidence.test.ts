import path from 'node:path'
import { Readable } from 'node:stream'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { startTestApp } from '../../test/harness.js'
import { runDueJobs } from '../../test/jobs.js'
import { systemContext } from '../auth/actor.js'
import { openCase } from '../cases/service.js'
import { modules } from '../registry.js'
import { addEvidence, evidenceChecklist, evidenceContext } from './index.js'
import { filesUnder, multipart, pdf, photoJpeg, photoPng } from './testing.js'

const { env, app, m, call, other } = await startTestApp({ other: true })
const db = env.ctx.db
const blobRoot = path.join(env.ctx.config.dataDir, 'files')

async function newCase(merchantId = m.id) {
  const c = await db
    .transaction()
    .execute((trx) =>
      openCase(trx, systemContext(merchantId), { caseType: 'damaged', subject: 'Broken mug' }, new Date()),
    )
  return c.id
}

function upload(
  caseId: string,
  fields: Record<string, string>,
  file: Parameters<typeof multipart>[1],
  key = m.keys.admin,
) {
  const body = multipart(fields, file)
  return app.inject({
    method: 'POST',
    url: `/api/v1/cases/${caseId}/evidence`,
    headers: { ...body.headers, authorization: `Bearer ${key}` },
    payload: body.payload,
  })
}

const caseRow = (id: string) => db.selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

describe('uploading evidence', () => {
  it('re-encodes a photo upright without its EXIF location, with a thumbnail, and records it everywhere', async () => {
    const caseId = await newCase()
    const jpeg = await photoJpeg(64, 48)
    expect((await sharp(jpeg).metadata()).exif).toBeDefined()
    const res = await upload(
      caseId,
      { type: 'damage_photo', notes: 'Corner crushed', captured_at: '2026-12-01T09:00:00Z', fields: '{"angle":"top"}' },
      { name: 'IMG_0001.jpg', data: jpeg, contentType: 'image/jpeg' },
    )
    expect(res.statusCode, res.body).toBe(201)
    const item = res.json()
    expect(item).toMatchObject({
      case_id: caseId,
      type_key: 'damage_photo',
      source: 'upload',
      uploader_kind: 'agent',
      status: 'active',
      content_type: 'image/jpeg',
      original_name: 'IMG_0001.jpg',
      has_thumbnail: true,
      notes: 'Corner crushed',
      fields: { angle: 'top' },
      captured_at: '2026-12-01T09:00:00.000Z',
    })

    const file = await call('GET', `/evidence/${item.id}/file`)
    expect(file.statusCode).toBe(200)
    expect(file.headers['content-type']).toBe('image/jpeg')
    expect(file.headers['x-content-type-options']).toBe('nosniff')
    expect(file.headers['content-disposition']).toBe(
      `attachment; filename="IMG_0001.jpg"; filename*=UTF-8''IMG_0001.jpg`,
    )
    const stored = await sharp(file.rawPayload).metadata()
    expect([stored.width, stored.height, stored.exif]).toEqual([48, 64, undefined])
    expect(item.sha256).toBe((await import('node:crypto')).createHash('sha256').update(file.rawPayload).digest('hex'))

    const thumb = await call('GET', `/evidence/${item.id}/thumbnail`)
    expect(thumb.headers['content-type']).toBe('image/webp')
    const t = await sharp(thumb.rawPayload).metadata()
    expect([t.format, Math.max(t.width!, t.height!) <= 320]).toEqual(['webp', true])

    expect((await caseRow(caseId)).evidence_count).toBe(1)
    const timeline = await db
      .selectFrom('case_timeline')
      .select(['type', 'data'])
      .where('case_id', '=', caseId)
      .execute()
    expect(timeline.map((e) => e.type)).toContain('evidence_added')
    const audits = await db
      .selectFrom('audit_entries')
      .select(['action', 'changes'])
      .where('entity_id', '=', item.id)
      .orderBy('id')
      .execute()
    expect(audits.map((a) => a.action)).toEqual(['evidence.uploaded', 'evidence.downloaded'])
    for (const a of audits) expect(JSON.stringify(a.changes)).toContain(item.sha256)
    // The name may name a person: the trail holds its hash only.
    expect(JSON.stringify(audits[0]!.changes)).not.toContain('IMG_0001')
    const events = await db.selectFrom('outbox').select(['type', 'data']).where('type', '=', 'evidence.added').execute()
    expect(events.map((e) => e.data)).toContainEqual({
      evidence_id: item.id,
      case_id: caseId,
      type_key: 'damage_photo',
      source: 'upload',
      request_id: null,
    })
  })

  it('keeps the EXIF when the workspace says so', async () => {
    expect((await call('PUT', '/evidence/settings', { keep_exif: true })).json()).toEqual({ keep_exif: true })
    try {
      const res = await upload(await newCase(), { type: 'damage_photo' }, { name: 'a.jpg', data: await photoJpeg() })
      const file = await call('GET', `/evidence/${res.json().id}/file`)
      expect((await sharp(file.rawPayload).metadata()).exif?.toString('latin1')).toContain('PhonyPhone')
    } finally {
      await call('PUT', '/evidence/settings', { keep_exif: false })
    }
  })

  it('stores a PDF as sent, byte for byte', async () => {
    const data = await pdf()
    const res = await upload(await newCase(), { type: 'proof_of_postage' }, { name: 'receipt.pdf', data })
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json()).toMatchObject({ content_type: 'application/pdf', has_thumbnail: false, size_bytes: data.length })
    const file = await call('GET', `/evidence/${res.json().id}/file`)
    expect(file.rawPayload.equals(data)).toBe(true)
    expect((await call('GET', `/evidence/${res.json().id}/thumbnail`)).json().error.code).toBe('file_not_found')
  })

  it('sanitises the stored name and encodes it safely for the download', async () => {
    const res = await upload(
      await newCase(),
      { type: 'damage_photo' },
      { name: '../../etc/\u202eevil\u0007ñame;%.png', data: await photoPng() },
    )
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json().original_name).toBe('evilñame;%.png')
    const file = await call('GET', `/evidence/${res.json().id}/file`)
    expect(file.headers['content-disposition']).toBe(
      `attachment; filename="evil_ame;_.png"; filename*=UTF-8''evil%C3%B1ame%3B%25.png`,
    )
  })

  it('refuses a request without a file, with fields after it, or of the wrong media type', async () => {
    const caseId = await newCase()
    const noFile = await upload(caseId, { type: 'damage_photo' }, undefined)
    expect([noFile.statusCode, noFile.json().error.code]).toEqual([400, 'file_missing'])
    const noType = await upload(caseId, {}, { name: 'a.png', data: await photoPng() })
    expect([noType.statusCode, noType.json().error.code]).toEqual([400, 'validation_failed'])
    const badFields = await upload(
      caseId,
      { type: 'damage_photo', fields: '[nope' },
      { name: 'a.png', data: await photoPng() },
    )
    expect(badFields.json().error).toMatchObject({
      code: 'validation_failed',
      details: { errors: [{ path: 'body/fields' }] },
    })
    for (const fields of [{ notes: 'a\u0000b' }, { fields: '{"a":"\\u0000"}' }] as Record<string, string>[]) {
      const nul = await upload(caseId, { type: 'damage_photo', ...fields }, { name: 'a.png', data: await photoPng() })
      expect([nul.statusCode, nul.json().error.code]).toEqual([400, 'validation_failed'])
    }
    const json = await call('POST', `/cases/${caseId}/evidence`, { type: 'damage_photo' })
    expect([json.statusCode, json.json().error.code]).toEqual([400, 'validation_failed'])
    const text = await app.inject({
      method: 'POST',
      url: `/api/v1/cases/${caseId}/evidence`,
      headers: { authorization: `Bearer ${m.keys.admin}`, 'content-type': 'text/plain' },
      payload: 'hello',
    })
    expect(text.statusCode).toBe(415)
    const unknown = await upload(caseId, { type: 'selfie' }, { name: 'a.png', data: await photoPng() })
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([422, 'evidence_type_unknown'])
    expect((await caseRow(caseId)).evidence_count).toBe(0)
  })

  it("answers 404 for another workspace's case and evidence, and stores nothing", async () => {
    const before = await filesUnder(blobRoot)
    const foreignCase = await newCase(other.id)
    const res = await upload(foreignCase, { type: 'damage_photo' }, { name: 'a.png', data: await photoPng() })
    expect([res.statusCode, res.json().error.code]).toEqual([404, 'case_not_found'])
    expect(await filesUnder(blobRoot)).toEqual(before)
    const theirs = await upload(
      foreignCase,
      { type: 'damage_photo' },
      { name: 'a.png', data: await photoPng() },
      other.keys.admin,
    )
    expect(theirs.statusCode).toBe(201)
    for (const url of [`/evidence/${theirs.json().id}`, `/evidence/${theirs.json().id}/file`])
      expect((await call('GET', url)).statusCode).toBe(404)
    expect((await call('DELETE', `/evidence/${theirs.json().id}`)).statusCode).toBe(404)
  })
})

describe('sensitive evidence', () => {
  it('is listed and served only to holders of evidence.sensitive.read', async () => {
    const caseId = await newCase()
    const invoice = await upload(caseId, { type: 'invoice' }, { name: 'invoice.pdf', data: await pdf() })
    const photo = await upload(caseId, { type: 'damage_photo' }, { name: 'a.png', data: await photoPng() })
    const ids = (role: 'agent' | 'finance' | 'viewer' | 'manager') =>
      call('GET', `/cases/${caseId}/evidence`, undefined, role).then((r) =>
        r.json().data.map((i: { id: string }) => i.id),
      )
    expect(await ids('agent')).toEqual([photo.json().id])
    expect(await ids('viewer')).toEqual([photo.json().id])
    expect(await ids('finance')).toEqual([invoice.json().id, photo.json().id])
    expect(await ids('manager')).toEqual([invoice.json().id, photo.json().id])
    const asAgent = await call('GET', `/evidence/${invoice.json().id}/file`, undefined, 'agent')
    expect([asAgent.statusCode, asAgent.json().error.code]).toEqual([404, 'evidence_not_found'])
    expect((await call('GET', `/evidence/${invoice.json().id}/file`, undefined, 'finance')).statusCode).toBe(200)
    // Nor can an agent hide a photo behind a sensitive type it could not read back.
    const retype = await call('PATCH', `/evidence/${photo.json().id}`, { type_key: 'police_report' }, 'agent')
    expect([retype.statusCode, retype.json().error.code]).toEqual([403, 'forbidden'])
  })
})

describe('changing and deleting evidence', () => {
  it('classifies a candidate in one request: it becomes active and counts', async () => {
    const caseId = await newCase()
    const ctx = evidenceContext(env.ctx, systemContext(m.id))
    const candidate = await addEvidence(ctx, {
      caseId,
      typeKey: 'other',
      source: 'message_attachment',
      uploader: { kind: 'customer' },
      status: 'candidate',
      file: { stream: Readable.from([await photoPng()]), filename: 'photo.png' },
    })
    expect((await caseRow(caseId)).evidence_count).toBe(0)
    const res = await call('PATCH', `/evidence/${candidate.id}`, { type_key: 'damage_photo' }, 'agent')
    expect(res.json()).toMatchObject({ status: 'active', type_key: 'damage_photo' })
    expect((await caseRow(caseId)).evidence_count).toBe(1)
    const wrong = await call('PATCH', `/evidence/${candidate.id}`, { type_key: 'nope_type' })
    expect([wrong.statusCode, wrong.json().error.code]).toEqual([422, 'evidence_type_unknown'])
  })

  it('refuses a type that does not accept the stored file', async () => {
    const res = await upload(await newCase(), { type: 'other' }, { name: 'r.pdf', data: await pdf() })
    const patch = await call('PATCH', `/evidence/${res.json().id}`, { type_key: 'damage_photo' })
    expect(patch.json().error).toMatchObject({ code: 'unsupported_file_type', details: { reason: 'type_mismatch' } })
  })

  it('deletes the row and its files, keeps the count true, and audits the hash', async () => {
    const caseId = await newCase()
    const before = await filesUnder(blobRoot)
    const res = await upload(caseId, { type: 'damage_photo' }, { name: 'a.jpg', data: await photoJpeg() })
    expect((await filesUnder(blobRoot)).length).toBe(before.length + 2)
    const del = await call('DELETE', `/evidence/${res.json().id}`)
    expect(del.statusCode).toBe(204)
    expect(await filesUnder(blobRoot)).toEqual(before)
    expect((await caseRow(caseId)).evidence_count).toBe(0)
    expect((await call('GET', `/evidence/${res.json().id}`)).statusCode).toBe(404)
    const audit = await db
      .selectFrom('audit_entries')
      .select(['action', 'changes'])
      .where('entity_id', '=', res.json().id)
      .where('action', '=', 'evidence.deleted')
      .executeTakeFirstOrThrow()
    expect(JSON.stringify(audit.changes)).toContain(res.json().sha256)
    const event = await db.selectFrom('outbox').select('data').where('type', '=', 'evidence.deleted').execute()
    expect(event.map((e) => e.data)).toContainEqual(expect.objectContaining({ evidence_id: res.json().id }))
  })
})

describe('evidence types', () => {
  it('lists the built-in types with the sensitive ones marked, and adds and changes the workspace’s own', async () => {
    const list = (await call('GET', '/evidence/types')).json().data as { key: string; sensitive: boolean }[]
    expect(list.filter((t) => t.sensitive).map((t) => t.key)).toEqual([
      'invoice',
      'commercial_invoice',
      'police_report',
      'identity_document',
    ])
    const created = await call('POST', '/evidence/types', {
      key: 'unboxing_video_still',
      label: 'Unboxing still',
      kind: 'photo',
    })
    expect(created.statusCode, created.body).toBe(201)
    expect(created.json()).toMatchObject({ builtin: false, formats: ['image/jpeg', 'image/png', 'image/webp'] })
    const again = await call('POST', '/evidence/types', { key: 'invoice', label: 'Mine', kind: 'document' })
    expect([again.statusCode, again.json().error.code]).toEqual([409, 'evidence_type_exists'])
    const badFormats = await call('POST', '/evidence/types', {
      key: 'scan',
      label: 'Scan',
      kind: 'photo',
      formats: ['application/pdf'],
    })
    expect([badFormats.statusCode, badFormats.json().error.code]).toEqual([422, 'evidence_type_invalid'])
    const changed = await call('PATCH', '/evidence/types/damage_photo', { sensitive: true, max_bytes: 1000 })
    expect(changed.json()).toMatchObject({ key: 'damage_photo', sensitive: true, max_bytes: 1000, builtin: true })
    await call('PATCH', '/evidence/types/damage_photo', { sensitive: false, max_bytes: 20 * 1024 * 1024 })
    const kind = await call('PATCH', '/evidence/types/damage_photo', { kind: 'document' })
    expect(kind.json().error.code).toBe('evidence_type_invalid')
    expect((await call('PATCH', '/evidence/types/no_such', { label: 'x' })).statusCode).toBe(404)
  })
})

describe('required evidence on the case list', () => {
  it('keeps missing_evidence true to the case type and filters cases by it and by having evidence', async () => {
    const caseId = await newCase()
    await runDueJobs(env.ctx, modules)
    expect((await caseRow(caseId)).missing_evidence).toEqual(['damage_photo', 'packaging_photo', 'invoice'])
    const ids = async (query: string) =>
      (await call('GET', `/cases?${query}&limit=200`)).json().data.map((c: { id: string }) => c.id) as string[]
    expect(await ids('missing_evidence=true')).toContain(caseId)
    expect(await ids('has_evidence=false')).toContain(caseId)
    expect(await ids('has_evidence=true')).not.toContain(caseId)

    await upload(caseId, { type: 'damage_photo' }, { name: 'a.png', data: await photoPng() })
    expect((await caseRow(caseId)).missing_evidence).toEqual(['packaging_photo', 'invoice'])
    expect(await ids('has_evidence=true')).toContain(caseId)
    await upload(caseId, { type: 'packaging_photo' }, { name: 'b.png', data: await photoPng() })
    const invoice = await upload(caseId, { type: 'invoice' }, { name: 'c.pdf', data: await pdf() })
    expect((await caseRow(caseId)).missing_evidence).toEqual([])
    expect(await ids('missing_evidence=false')).toContain(caseId)
    expect(await ids('missing_evidence=true')).not.toContain(caseId)
    expect((await call('GET', `/cases/${caseId}`)).json()).toMatchObject({ evidence_count: 3, missing_evidence: [] })

    expect((await call('GET', `/cases/${caseId}/evidence/check`, undefined, 'viewer')).json()).toEqual({
      action: 'case',
      complete: true,
      required: ['damage_photo', 'packaging_photo', 'invoice'],
      present: ['damage_photo', 'invoice', 'packaging_photo'],
      missing: [],
      unknown: [],
    })
    await call('DELETE', `/evidence/${invoice.json().id}`)
    expect((await call('GET', `/cases/${caseId}/evidence/check`)).json()).toMatchObject({
      complete: false,
      missing: ['invoice'],
    })
    expect((await caseRow(caseId)).missing_evidence).toEqual(['invoice'])
    const bad = await call('GET', '/cases?missing_evidence=perhaps')
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, 'validation_failed'])
  })

  it('reports the required keys that name no evidence type in the checklist, and never counts them missing', async () => {
    const kase = await db
      .transaction()
      .execute((trx) =>
        openCase(trx, systemContext(m.id), { caseType: 'return_dispute', subject: 'Return' }, new Date()),
      )
    await runDueJobs(env.ctx, modules)
    expect(await evidenceChecklist(db, m.id, kase.id)).toEqual({
      required: [],
      present: [],
      missing: [],
      unknown: ['return_photos'],
    })
    expect((await caseRow(kase.id)).missing_evidence).toEqual([])
  })

  it('keeps evidence_count true under concurrent uploads to one case (the case row is locked per upload)', async () => {
    const caseId = await newCase()
    const results = await Promise.all(
      Array.from({ length: 6 }, async (_, i) =>
        upload(caseId, { type: 'damage_photo' }, { name: `p${i}.png`, data: await photoPng(8 + i, 8) }),
      ),
    )
    expect(results.map((r) => r.statusCode)).toEqual(Array(6).fill(201))
    expect((await caseRow(caseId)).evidence_count).toBe(6)
  })

  it('resolves the case types’ older keys onto evidence types and reports the ones that name none', async () => {
    const { resolveRequiredEvidence, builtinEvidenceTypes } = await import('./catalogue.js')
    expect(
      resolveRequiredEvidence(['photo_of_damage', 'invoice', 'return_photos', 'damage_photo'], builtinEvidenceTypes),
    ).toEqual({
      types: ['damage_photo', 'invoice'],
      unknown: ['return_photos'],
    })
  })
})
