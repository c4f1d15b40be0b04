import { createHash } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { Readable } from 'node:stream'
import { PDFDocument } from 'pdf-lib'
import { describe, expect, it } from 'vitest'
import { expectError, startTestApp } from '../../test/harness.js'
import { systemContext } from '../auth/actor.js'
import { openCase } from '../cases/service.js'
import { pdf, photoJpeg } from '../evidence/testing.js'
import { newId } from '../ids.js'
import { upsertOrder } from '../orders/service.js'
import { upsertShipment } from '../shipments/service.js'
import { addEvidence, evidenceContext } from '../evidence/index.js'
import { readZip } from './testing-http.js'

const { env, m, call, other } = await startTestApp({ other: true })
const [jpeg, pdfDoc] = await Promise.all([photoJpeg(), pdf()])
const db = env.ctx.db
const ctx = systemContext(m.id)
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

async function caseWithOrder(merchantId = m.id) {
  const sys = systemContext(merchantId)
  return db.transaction().execute(async (trx) => {
    const { order } = await upsertOrder(
      trx,
      sys,
      {
        source: 'test',
        externalId: `o-${newId()}`,
        orderNumber: '#1042',
        currency: 'EUR',
        placedAt: new Date('2026-11-20T10:00:00Z'),
        subtotalMinor: 8990,
        shippingMinor: 500,
        totalMinor: 9490,
        shippingCountry: 'CH',
        lines: [
          { name: 'Stoneware mug ☕', sku: 'MUG-1', quantity: 2, unitPriceMinor: 2495 },
          { name: 'Teapot', sku: 'TEA-1', quantity: 1, unitPriceMinor: 4000 },
        ],
      },
      new Date(),
    )
    const { shipment } = await upsertShipment(
      trx,
      sys,
      { source: 'test', externalId: `s-${newId()}`, orderId: order.id, carrier: 'UPS', trackingNumber: '1Z999' },
      new Date(),
    )
    const c = await openCase(
      trx,
      sys,
      { caseType: 'damaged', subject: 'Mug arrived broken', orderId: order.id, shipmentId: shipment.id },
      new Date(),
    )
    return c.id
  })
}

const add = (caseId: string, typeKey: string, bytes: Buffer, filename: string) =>
  addEvidence(evidenceContext(env.ctx, ctx), {
    caseId,
    typeKey,
    source: 'upload',
    uploader: { kind: 'agent', actorId: m.adminUserId },
    file: { stream: Readable.from([bytes]), filename },
  })

describe('the evidence pack', () => {
  it('streams a ZIP of the files with a manifest whose checksums match and a summary PDF, and audits the download', async () => {
    const caseId = await caseWithOrder()
    const photo = jpeg
    const invoice = pdfDoc
    // A photo is stored re-encoded (its metadata stripped): the manifest holds the stored file's checksum.
    const first = await add(caseId, 'damage_photo', photo, 'crack.jpg')
    await add(caseId, 'damage_photo', photo, 'crack.jpg')
    await add(caseId, 'invoice', invoice, '../../invoice.pdf')
    const res = await call('GET', `/cases/${caseId}/evidence/pack`)
    expect(res.statusCode, res.body).toBe(200)
    expect(res.headers['content-type']).toBe('application/zip')
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="evidence-CD-\d+\.zip"/)
    const zip = readZip(res.rawPayload)
    const manifest = JSON.parse(zip.get('manifest.json')!.toString('utf8'))
    expect(manifest.files).toHaveLength(3)
    for (const f of manifest.files) {
      expect(f.file).toMatch(/^evidence\/\d{3}-[a-z_]+-[\w.-]+$/)
      expect(f.file).not.toContain('..')
      expect(sha(zip.get(f.file)!)).toBe(f.sha256)
      expect(zip.get(f.file)!.length).toBe(f.size_bytes)
    }
    expect(new Set(manifest.files.map((f: { file: string }) => f.file)).size).toBe(3)
    expect(manifest.files[0]).toMatchObject({ type_key: 'damage_photo', uploader_kind: 'agent', sha256: first.sha256 })
    const summary = await PDFDocument.load(zip.get('summary.pdf')!)
    expect(summary.getPageCount()).toBeGreaterThanOrEqual(1)
    expect(summary.getTitle()).toMatch(/^Evidence pack CD-\d+$/)
    const audit = await db
      .selectFrom('audit_entries')
      .selectAll()
      .where('merchant_id', '=', m.id)
      .where('action', '=', 'evidence.pack_downloaded')
      .where('entity_id', '=', caseId)
      .execute()
    expect(audit).toHaveLength(1)
  })

  it('leaves sensitive types out for a role that may not see them', async () => {
    const caseId = await caseWithOrder()
    await add(caseId, 'damage_photo', jpeg, 'a.jpg')
    await add(caseId, 'invoice', pdfDoc, 'inv.pdf')
    const res = await call('GET', `/cases/${caseId}/evidence/pack`, undefined, 'agent')
    expect(res.statusCode, res.body).toBe(200)
    const manifest = JSON.parse(readZip(res.rawPayload).get('manifest.json')!.toString('utf8'))
    expect(manifest.files.map((f: { type_key: string }) => f.type_key)).toEqual(['damage_photo'])
  })

  it("answers 404 for another workspace's case, and audits no download of it", async () => {
    const foreign = await caseWithOrder(other.id)
    expectError(await call('GET', `/cases/${foreign}/evidence/pack`), 404, 'case_not_found', { case_id: foreign })
    const audit = await db
      .selectFrom('audit_entries')
      .select('id')
      .where('entity_id', '=', foreign)
      .where('action', '=', 'evidence.pack_downloaded')
      .execute()
    expect(audit).toEqual([])
  })
})

describe('the generated commercial invoice', () => {
  it("builds a PDF from the case's order and adds it as generated commercial_invoice evidence", async () => {
    const caseId = await caseWithOrder()
    const res = await call('POST', `/cases/${caseId}/evidence/commercial-invoice`, undefined, 'agent')
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json()).toMatchObject({
      case_id: caseId,
      type_key: 'commercial_invoice',
      source: 'generated',
      uploader_kind: 'system',
      content_type: 'application/pdf',
      original_name: 'commercial-invoice-1042.pdf',
    })
    const item = await env.ctx.db
      .selectFrom('evidence_items')
      .selectAll()
      .where('id', '=', res.json().id)
      .executeTakeFirstOrThrow()
    const pdf = await PDFDocument.load(await streamBytes(await env.ctx.blobs.get(item.blob_key)))
    expect(pdf.getTitle()).toBe('Commercial invoice #1042')
  })

  it('refuses a case without an order with 409 evidence_order_missing, and a viewer with 403', async () => {
    const c = await db
      .transaction()
      .execute((trx) => openCase(trx, ctx, { caseType: 'damaged', subject: 'No order' }, new Date()))
    expectError(await call('POST', `/cases/${c.id}/evidence/commercial-invoice`), 409, 'evidence_order_missing', {
      case_id: c.id,
    })
    expect((await call('POST', `/cases/${c.id}/evidence/commercial-invoice`, undefined, 'viewer')).statusCode).toBe(403)
  })
})

async function streamBytes(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of stream) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

describe('the evidence pack by email', () => {
  const blobFiles = async () => {
    const root = path.join(env.ctx.config.dataDir, 'files')
    const all = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])
    return all.filter((f) => f.isFile()).length
  }

  it('attaches the pack as a ZIP to an email to the address given, and audits it', async () => {
    const caseId = await caseWithOrder()
    await add(caseId, 'damage_photo', jpeg, 'a.jpg')
    const res = await call(
      'POST',
      `/cases/${caseId}/evidence/pack/email`,
      {
        to: [{ address: 'claims@carrier.example' }],
        subject: 'Claim evidence',
        text: 'Our evidence for the claim is attached.',
      },
      'agent',
    )
    expect(res.statusCode, res.body).toBe(201)
    const attachment = await db
      .selectFrom('message_attachments')
      .selectAll()
      .where('message_id', '=', res.json().id)
      .executeTakeFirstOrThrow()
    expect(attachment).toMatchObject({
      content_type: 'application/zip',
      file_name: expect.stringMatching(/^evidence-CD-\d+\.zip$/),
    })
    const zip = readZip(await streamBytes(await env.ctx.blobs.get(attachment.blob_key!)))
    expect(JSON.parse(zip.get('manifest.json')!.toString()).files).toHaveLength(1)
    const audit = await db
      .selectFrom('audit_entries')
      .select('action')
      .where('entity_id', '=', caseId)
      .where('action', '=', 'evidence.pack_emailed')
      .execute()
    expect(audit).toHaveLength(1)
  })

  it('keeps no ZIP when the message is refused (no recipient), and refuses a role without messages.send', async () => {
    const c = await db
      .transaction()
      .execute((trx) => openCase(trx, ctx, { caseType: 'damaged', subject: 'No customer' }, new Date()))
    const before = await blobFiles()
    expectError(
      await call('POST', `/cases/${c.id}/evidence/pack/email`, { text: 'Attached.' }),
      422,
      'recipient_required',
      {
        case_id: c.id,
      },
    )
    expect(await blobFiles()).toBe(before)
    expect((await call('POST', `/cases/${c.id}/evidence/pack/email`, { text: 'x' }, 'viewer')).statusCode).toBe(403)
  })
})
